// Fuzz target: crm::CsvReader against a plain reference reader of the same
// rules (RFC 4180 quoting, CRLF/LF/CR line ends, blank lines skipped, a
// leading UTF-8 BOM skipped). Both must give the same records with the same
// line numbers, and fail on the same input with the same file:line message.
// One input in sixteen is also read behind padding that puts the reader's 1 MiB
// chunk boundary inside it, where records are re-parsed after a refill.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/csv.hpp"
#include "crm/error.hpp"
#include "fuzz_support.hpp"

namespace {

// The reader's chunk size (core/src/csv.cpp).
constexpr std::size_t kChunk = std::size_t{1} << 20;

struct Record {
  std::int64_t line = 0;
  std::vector<std::string> fields;
  bool operator==(const Record&) const = default;
};

struct Outcome {
  std::vector<Record> records;
  std::optional<std::string> error;  // "LINE: message"
};

Outcome reference_read(std::string_view s) {
  Outcome out;
  const std::size_t n = s.size();
  std::size_t p = s.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  std::int64_t line = 1;
  const auto ends_field = [&](std::size_t i) {
    return s[i] == ',' || s[i] == '\n' || s[i] == '\r';
  };
  while (p < n) {
    if (s[p] == '\n' || s[p] == '\r') {  // a blank line
      if (s[p] == '\r' && p + 1 < n && s[p + 1] == '\n') ++p;
      ++p;
      ++line;
      continue;
    }
    Record r;
    r.line = line;
    std::int64_t lines = 0;  // line ends inside the record, its terminator included
    for (bool more = true; more;) {
      std::string field;
      if (p < n && s[p] == '"') {
        ++p;
        for (;;) {
          if (p >= n) {
            out.error = std::to_string(line) + ": unterminated quoted field";
            return out;
          }
          if (s[p] == '"') {
            if (p + 1 < n && s[p + 1] == '"') {
              field += '"';
              p += 2;
              continue;
            }
            ++p;
            break;
          }
          if (s[p] == '\n') ++lines;
          field += s[p++];
        }
        if (p < n && !ends_field(p)) {
          out.error = std::to_string(line + lines) + ": text after a closing quote";
          return out;
        }
      } else {
        while (p < n && !ends_field(p)) field += s[p++];
      }
      r.fields.push_back(std::move(field));
      if (p == n) break;
      if (s[p] == ',') {
        ++p;
        if (p == n) r.fields.emplace_back();  // "a," at the end of the file
        more = p < n;
        continue;
      }
      if (s[p] == '\r' && p + 1 < n && s[p + 1] == '\n') ++p;
      ++p;
      ++lines;
      more = false;
    }
    line += lines;
    out.records.push_back(std::move(r));
  }
  return out;
}

std::string show(const std::vector<std::string>& fields) {
  std::string s;
  for (const auto& f : fields) s += "[" + f + "]";
  return s;
}

void check_reader(crm_fuzz::ScratchFile& file, std::string_view text) {
  const auto& path = file.write(text);
  const Outcome want = reference_read(text);
  std::vector<Record> got;
  std::optional<std::string> error;
  std::int64_t last_bytes = 0;
  try {
    crm::CsvReader csv(path);
    FUZZ_CHECK(csv.size() == static_cast<std::int64_t>(text.size()), "size %lld",
               static_cast<long long>(csv.size()));
    std::vector<std::string_view> fields;
    while (csv.next(fields)) {
      got.push_back({csv.line(), std::vector<std::string>(fields.begin(), fields.end())});
      FUZZ_CHECK(csv.bytes_read() >= last_bytes && csv.bytes_read() <= csv.size(),
                 "bytes_read %lld after %lld of %lld", static_cast<long long>(csv.bytes_read()),
                 static_cast<long long>(last_bytes), static_cast<long long>(csv.size()));
      last_bytes = csv.bytes_read();
    }
    FUZZ_CHECK(csv.bytes_read() == csv.size(), "stopped at byte %lld of %lld",
               static_cast<long long>(csv.bytes_read()), static_cast<long long>(csv.size()));
  } catch (const crm::InvalidInput& e) {
    const std::string what = e.what();
    const std::string prefix = path.string() + ":";
    FUZZ_CHECK(crm_fuzz::starts_with(what, prefix), "error does not name the file: %s", e.what());
    error = what.substr(prefix.size());
  }
  FUZZ_CHECK(error == want.error, "error '%s', reference '%s'", error ? error->c_str() : "none",
             want.error ? want.error->c_str() : "none");
  FUZZ_CHECK(got.size() == want.records.size(), "%zu records, reference %zu", got.size(),
             want.records.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    FUZZ_CHECK(got[i] == want.records[i], "record %zu: line %lld %s, reference line %lld %s", i,
               static_cast<long long>(got[i].line), show(got[i].fields).c_str(),
               static_cast<long long>(want.records[i].line), show(want.records[i].fields).c_str());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static crm_fuzz::ScratchFile file(".csv");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_reader(file, text);
  // FNV-1a of the input picks whether and where the chunk boundary falls.
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ULL;
  if (size > 0 && h % 16 == 0) {
    const std::size_t into = static_cast<std::size_t>((h >> 8) % size);  // input bytes before it
    std::string padded(kChunk - into, '\n');
    padded.append(text);
    check_reader(file, padded);
  }
  return 0;
}
