#include "crm/retention/purchase_readers.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits a stream into lines ('\n' ends a line and is not part of it; a last
// line without one counts, like std::getline) from large block reads: no
// per-line copy, and each line is a view into the buffer, valid until the
// next call. A line longer than the buffer doubles it.
class LineReader {
 public:
  explicit LineReader(std::istream& in, std::size_t block = std::size_t{1} << 20)
      : in_(in), buffer_(block) {}

  // Sets `line` to the next line; false at the end of the stream.
  bool next(std::string_view& line) {
    while (true) {
      const char* const first = buffer_.data() + begin_;
      const auto* newline = static_cast<const char*>(std::memchr(first, '\n', end_ - begin_));
      if (newline != nullptr) {
        line = std::string_view(first, static_cast<std::size_t>(newline - first));
        begin_ += line.size() + 1;
        return true;
      }
      if (at_end_) {
        if (begin_ == end_) return false;
        line = std::string_view(first, end_ - begin_);
        begin_ = end_;
        return true;
      }
      refill();
    }
  }

  // True if the stream failed for another reason than its end.
  bool failed() const { return in_.bad(); }

 private:
  // Moves the unfinished line to the front and reads after it.
  void refill() {
    const std::size_t kept = end_ - begin_;
    if (begin_ > 0 && kept > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, kept);
    begin_ = 0;
    end_ = kept;
    if (end_ == buffer_.size()) buffer_.resize(2 * buffer_.size());
    in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
    const auto got = static_cast<std::size_t>(in_.gcount());
    end_ += got;
    if (got == 0 || !in_) at_end_ = true;
  }

  std::istream& in_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first byte not yet returned
  std::size_t end_ = 0;    // end of the bytes read
  bool at_end_ = false;
};

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

ParseError implausible_date(const std::string& source, std::size_t line_no, std::string_view text) {
  return ParseError(source, line_no,
                    "date '" + std::string(trim(text)) + "' is outside " + plausible_window_text());
}

// Splits one CSV line into fields, honouring double quotes. Unescaped copies
// of quoted fields are appended to `unescaped`, which is reserved to the
// line's length first: the unescaped text is never longer than the line, so
// the buffer never reallocates and the views into it stay valid. Unquoted
// fields are views into `line`. No allocation once the buffers have grown.
void split_csv(std::string_view line, char delimiter, std::vector<std::string_view>& fields,
               std::string& unescaped, const std::string& source, std::size_t line_no) {
  fields.clear();
  unescaped.clear();
  unescaped.reserve(line.size());
  std::size_t pos = 0;
  while (true) {
    std::size_t start = pos;
    while (start < line.size() && line[start] == ' ') ++start;
    if (start < line.size() && line[start] == '"') {
      const std::size_t value_start = unescaped.size();
      std::size_t i = start + 1;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            unescaped += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        unescaped += line[i++];
      }
      if (!closed) throw ParseError(source, line_no, "unterminated quoted field");
      while (i < line.size() && line[i] != delimiter) ++i;  // ignore text after the quote
      fields.emplace_back(unescaped.data() + value_start, unescaped.size() - value_start);
      pos = i;
    } else {
      std::size_t end = line.find(delimiter, pos);
      if (end == std::string_view::npos) end = line.size();
      fields.push_back(line.substr(pos, end - pos));
      pos = end;
    }
    if (pos >= line.size()) break;
    ++pos;  // skip the delimiter
    if (pos == line.size()) {
      fields.emplace_back();  // trailing empty field
      break;
    }
  }
}

PurchaseLog read_csv_stream(std::istream& in, const std::string& source, const CsvOptions& opt) {
  LineReader lines(in);
  std::string_view line;
  std::size_t line_no = 0;
  std::vector<std::string_view> fields;
  std::string storage;

  // Header: first non-blank line.
  bool have_header = false;
  while (lines.next(line)) {
    ++line_no;
    if (!trim(line).empty()) {
      have_header = true;
      break;
    }
  }
  if (!have_header) throw ParseError(source, line_no, "empty file: no header line");
  split_csv(line, opt.delimiter, fields, storage, source, line_no);
  std::size_t customer_col = SIZE_MAX;
  std::size_t date_col = SIZE_MAX;
  std::size_t amount_col = SIZE_MAX;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = trim(fields[i]);
    if (name == opt.customer_column) customer_col = i;
    if (name == opt.date_column) date_col = i;
    if (name == opt.amount_column) amount_col = i;
  }
  const auto require = [&](std::size_t col, const std::string& name) {
    if (col == SIZE_MAX) {
      throw ParseError(source, line_no, "header has no column named '" + name + "'");
    }
  };
  require(customer_col, opt.customer_column);
  require(date_col, opt.date_column);
  require(amount_col, opt.amount_column);
  const std::size_t needed = std::max({customer_col, date_col, amount_col}) + 1;

  PurchaseLogBuilder builder;
  while (lines.next(line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    split_csv(line, opt.delimiter, fields, storage, source, line_no);
    if (fields.size() < needed) {
      throw ParseError(source, line_no,
                       "expected at least " + std::to_string(needed) + " fields, found " +
                           std::to_string(fields.size()));
    }
    const std::string_view key = trim(fields[customer_col]);
    if (key.empty()) throw ParseError(source, line_no, "empty customer key");
    const std::optional<int> day = try_parse_calendar_date(fields[date_col]);
    if (!day) {
      throw ParseError(source, line_no,
                       "bad date '" + std::string(trim(fields[date_col])) +
                           "' (expected YYYY-MM-DD or YYYYMMDD)");
    }
    if (!is_plausible_day(*day)) throw implausible_date(source, line_no, fields[date_col]);
    const std::optional<double> amount = parse_number(fields[amount_col]);
    if (!amount) {
      throw ParseError(source, line_no,
                       "bad amount '" + std::string(trim(fields[amount_col])) + "'");
    }
    builder.add(key, *day, *amount);
  }
  if (lines.failed()) throw ParseError(source, line_no, "read error");
  return builder.build();
}

void split_whitespace(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
}

PurchaseLog read_cdnow_stream(std::istream& in, const std::string& source) {
  PurchaseLogBuilder builder;
  LineReader lines(in);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::size_t line_no = 0;
  bool first = true;
  while (lines.next(line)) {
    ++line_no;
    split_whitespace(line, fields);
    if (fields.empty()) continue;
    if (first) {
      first = false;
      if (!parse_number(fields[0])) continue;  // header line
    }
    if (fields.size() != 4 && fields.size() != 5) {
      throw ParseError(
          source, line_no,
          "expected 4 (master) or 5 (sample) fields, found " + std::to_string(fields.size()));
    }
    const std::size_t date_col = fields.size() - 3;
    const std::optional<int> day = try_parse_calendar_date(fields[date_col]);
    if (!day || fields[date_col].size() != 8) {
      throw ParseError(source, line_no,
                       "bad date '" + std::string(fields[date_col]) + "' (expected YYYYMMDD)");
    }
    if (!is_plausible_day(*day)) throw implausible_date(source, line_no, fields[date_col]);
    const std::optional<double> amount = parse_number(fields.back());
    if (!amount) {
      throw ParseError(source, line_no, "bad dollar value '" + std::string(fields.back()) + "'");
    }
    builder.add(fields[0], *day, *amount);
  }
  if (lines.failed()) throw ParseError(source, line_no, "read error");
  return builder.build();
}

std::ifstream open_or_throw(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ParseError(path.string(), 0, "cannot open file");
  return in;
}

}  // namespace

PurchaseLog read_purchases_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream in = open_or_throw(path);
  return read_csv_stream(in, path.string(), options);
}

PurchaseLog read_purchases_csv(std::istream& in, std::string_view source_name,
                               const CsvOptions& options) {
  return read_csv_stream(in, std::string(source_name), options);
}

PurchaseLog read_cdnow(const std::filesystem::path& path) {
  std::ifstream in = open_or_throw(path);
  return read_cdnow_stream(in, path.string());
}

PurchaseLog read_cdnow(std::istream& in, std::string_view source_name) {
  return read_cdnow_stream(in, std::string(source_name));
}

}  // namespace crm::retention
