// Holidays from an iCalendar file: the VEVENTs of a public-holiday calendar
// as exported by calendar applications and government sites.
#include <cctype>

#include "crm/business_calendar.hpp"
#include "crm/error.hpp"

namespace crm {
namespace {

struct Line {
  std::size_t number = 0;  // of its first physical line
  std::string name;        // upper case, parameters dropped
  std::string params;      // ";VALUE=DATE..." as written
  std::string value;
};

// Unfolds (RFC 5545 3.1: a line starting with a space or tab continues the
// previous one) and splits "NAME;PARAMS:VALUE".
std::vector<Line> content_lines(std::string_view text) {
  std::vector<Line> out;
  std::size_t number = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t') && !out.empty()) {
      out.back().value += raw.substr(1);
      continue;
    }
    if (raw.empty()) continue;
    Line l;
    l.number = number;
    const std::size_t colon = raw.find(':');
    const std::string_view head = raw.substr(0, colon);
    if (colon != std::string_view::npos) l.value = std::string(raw.substr(colon + 1));
    const std::size_t semi = head.find(';');
    for (const char c : head.substr(0, semi)) {
      l.name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (semi != std::string_view::npos) l.params = std::string(head.substr(semi));
    out.push_back(std::move(l));
  }
  return out;
}

[[noreturn]] void bad(std::string_view source, std::size_t line, const std::string& what) {
  throw InvalidInput(std::string(source) + ":" + std::to_string(line) + ": " + what);
}

// "20261225" or "20261225T000000[Z]" -> its date.
LocalDays ics_date(const Line& l, std::string_view source) {
  const std::string& v = l.value;
  bool ok = v.size() == 8 || (v.size() > 8 && v[8] == 'T');
  int y = 0, m = 0, d = 0;
  for (std::size_t i = 0; ok && i < 8; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) ok = false;
  }
  if (ok) {
    y = std::stoi(v.substr(0, 4));
    m = std::stoi(v.substr(4, 2));
    d = std::stoi(v.substr(6, 2));
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(m)},
                                        std::chrono::day{unsigned(d)}};
  if (!ok || !ymd.ok() || y < 1900 || y > 2200) {
    bad(source, l.number, l.name + " '" + v + "' is not a date YYYYMMDD within 1900..2200");
  }
  return LocalDays{std::chrono::sys_days{ymd}.time_since_epoch()};
}

// Undoes the text escapes of RFC 5545 3.3.11 ("\\," "\\;" "\\n" "\\\\").
std::string unescape(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      ++i;
      out += (v[i] == 'n' || v[i] == 'N') ? ' ' : v[i];
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

std::vector<Holiday> parse_ics_holidays(std::string_view text, std::string_view source) {
  const std::vector<Line> lines = content_lines(text);
  bool calendar = false;
  std::vector<Holiday> out;
  // The open VEVENT: its first line (0: none), DTSTART, DTEND and SUMMARY.
  std::size_t event_line = 0;
  bool has_start = false, has_end = false;
  LocalDays start{}, end{};
  std::string summary;
  for (const Line& l : lines) {
    if (l.name == "BEGIN" && l.value == "VCALENDAR") calendar = true;
    if (l.name == "BEGIN" && l.value == "VEVENT") {
      event_line = l.number;
      has_start = has_end = false;
      summary.clear();
    } else if (event_line == 0) {
      continue;
    } else if (l.name == "DTSTART") {
      start = ics_date(l, source);
      has_start = true;
    } else if (l.name == "DTEND") {
      end = ics_date(l, source);
      has_end = true;
    } else if (l.name == "SUMMARY") {
      summary = unescape(l.value);
    } else if (l.name == "RRULE" || l.name == "RDATE") {
      bad(source, l.number,
          l.name + " (a recurring event) is not supported: list each holiday as its own VEVENT");
    } else if (l.name == "END" && l.value == "VEVENT") {
      if (!has_start) bad(source, event_line, "VEVENT without DTSTART");
      if (has_end && end < start) bad(source, event_line, "VEVENT ends before it starts");
      // DTEND of an all-day event is exclusive; without it the event is one day.
      const LocalDays last = has_end && end > start ? end - std::chrono::days{1} : start;
      for (LocalDays d = start; d <= last; d += std::chrono::days{1}) out.push_back({d, summary});
      event_line = 0;
    }
  }
  if (!calendar) bad(source, 1, "not an iCalendar file (no BEGIN:VCALENDAR)");
  if (event_line != 0) bad(source, event_line, "VEVENT without END:VEVENT");
  return out;
}

}  // namespace crm
