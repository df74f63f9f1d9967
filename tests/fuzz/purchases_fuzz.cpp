// Fuzz target: the retention plugin's purchase readers, the generic purchase
// CSV and the CDNOW format, on the same input text. Each either returns a
// log that validates, with one purchase per data line, or throws ParseError
// naming the source and a line of it.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "crm/retention/errors.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "fuzz_support.hpp"

namespace {

namespace retention = crm::retention;

// Lines holding something other than spaces, tabs and a CR.
std::size_t nonblank_lines(std::string_view text, std::string_view blanks) {
  std::size_t count = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (text.substr(start, end - start).find_first_not_of(blanks) != std::string_view::npos) {
      ++count;
    }
    start = end + 1;
  }
  return count;
}

std::size_t line_count(std::string_view text) {
  std::size_t n = 1;
  for (char c : text) n += c == '\n';
  return n;
}

void check_log(const retention::PurchaseLog& log, const char* reader) {
  try {
    log.validate();
  } catch (const retention::InvalidInput& e) {
    FUZZ_CHECK(false, "%s: the log it returned does not validate: %s", reader, e.what());
  }
  for (const auto& key : log.customer_keys) {
    FUZZ_CHECK(!key.empty(), "%s: an empty customer key", reader);
  }
}

void check_error(const retention::ParseError& e, std::string_view source, std::string_view text) {
  FUZZ_CHECK(e.file() == source, "error names '%s'", e.file().c_str());
  FUZZ_CHECK(e.line() <= line_count(text), "error on line %zu of %zu", e.line(), line_count(text));
  FUZZ_CHECK(crm_fuzz::starts_with(e.what(), std::string(source) + ":"), "message: %s", e.what());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream in(text);
    try {
      const retention::PurchaseLog log = retention::read_purchases_csv(in, "purchases.csv");
      check_log(log, "csv");
      // Header plus one purchase per non-blank line.
      FUZZ_CHECK(log.size() + 1 == nonblank_lines(text, " \t\r"), "csv: %zu purchases, %zu lines",
                 log.size(), nonblank_lines(text, " \t\r"));
    } catch (const retention::ParseError& e) {
      check_error(e, "purchases.csv", text);
    }
  }
  {
    std::istringstream in(text);
    try {
      const retention::PurchaseLog log = retention::read_cdnow(in, "cdnow.txt");
      check_log(log, "cdnow");
      const std::size_t lines = nonblank_lines(text, " \t\r");
      FUZZ_CHECK(log.size() == lines || log.size() + 1 == lines, "cdnow: %zu purchases, %zu lines",
                 log.size(), lines);
    } catch (const retention::ParseError& e) {
      check_error(e, "cdnow.txt", text);
    }
  }
  return 0;
}
