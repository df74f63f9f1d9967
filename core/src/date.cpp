#include "crm/date.hpp"

#include <cctype>
#include <cstdio>

#include "crm/error.hpp"
#include "crm/time.hpp"

namespace crm {
namespace {

using std::chrono::sys_days;

constexpr sys_days kFirstDay = std::chrono::floor<std::chrono::days>(kEarliestTime);
constexpr sys_days kLastDay = std::chrono::floor<std::chrono::days>(kLatestTime);

std::string ymd_text(const std::chrono::year_month_day& ymd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

sys_days in_range(sys_days d) {
  if (d < kFirstDay || d > kLastDay) {
    throw InvalidInput("date " + ymd_text(std::chrono::year_month_day{d}) +
                       " is outside 1900-01-01..2200-12-31");
  }
  return d;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

Date::Date(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  if (!ymd.ok()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "invalid date %04d-%02u-%02u", year, month, day);
    throw InvalidInput(buf);
  }
  days_ = std::int32_t(in_range(sys_days{ymd}).time_since_epoch().count());
}

Date Date::from_days(sys_days days) {
  return Date(std::int32_t(in_range(days).time_since_epoch().count()));
}

Date Date::parse(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  int y = 0, m = 0, d = 0;
  const bool dashed = s.size() == 10 && s[4] == '-' && s[7] == '-' && digits(s, 0, 4, y) &&
                      digits(s, 5, 2, m) && digits(s, 8, 2, d);
  const bool compact =
      s.size() == 8 && digits(s, 0, 4, y) && digits(s, 4, 2, m) && digits(s, 6, 2, d);
  if (!dashed && !compact) {
    throw InvalidInput("invalid date '" + std::string(text) + "' (expected YYYY-MM-DD)");
  }
  return Date(y, unsigned(m), unsigned(d));
}

std::string Date::to_string() const { return ymd_text(ymd()); }

Date Date::plus_days(std::int64_t n) const {
  // Clamped first so that a huge n cannot overflow the int32 arithmetic.
  const std::int64_t span = (kLastDay - kFirstDay).count() + 1;
  if (n > span || n < -span)
    return from_days(n > 0 ? kLastDay + std::chrono::days{1} : kFirstDay - std::chrono::days{1});
  return from_days(days() + std::chrono::days{n});
}

Date Date::plus_months(int n) const {
  const auto ymd = this->ymd();
  const std::int64_t months = std::int64_t(int(ymd.year())) * 12 + (unsigned(ymd.month()) - 1) + n;
  if (months < 1900 * 12 || months > 2200 * 12 + 11) {
    throw InvalidInput("date " + to_string() + " plus " + std::to_string(n) +
                       " months is outside 1900-01-01..2200-12-31");
  }
  const std::chrono::year y{int(months / 12)};
  const std::chrono::month m{unsigned(months % 12) + 1};
  const std::chrono::day last = std::chrono::year_month_day_last{y / m / std::chrono::last}.day();
  const std::chrono::day d = std::min(ymd.day(), last);
  return Date(int(y), unsigned(m), unsigned(d));
}

void to_json(Json& j, const Date& d) { j = d.to_string(); }

void from_json(const Json& j, Date& d) {
  if (!j.is_string()) {
    throw InvalidInput(std::string("date: expected a string YYYY-MM-DD, got ") + j.type_name());
  }
  d = Date::parse(j.get_ref<const std::string&>());
}

}  // namespace crm
