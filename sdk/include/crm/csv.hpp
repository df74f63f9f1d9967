// A streaming RFC 4180 CSV reader (quoted fields, "" escapes, CRLF or LF,
// newlines inside quotes, a UTF-8 byte-order mark skipped).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/export.hpp"

namespace crm {

class CRM_API CsvReader {
 public:
  // Opens `file`. Throws InvalidInput naming it when it cannot be read.
  explicit CsvReader(const std::filesystem::path& file);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields` (views valid until the next call).
  // Returns false at the end. Throws InvalidInput with the file and line for
  // an unterminated quote or text after a closing quote.
  bool next(std::vector<std::string_view>& fields);

  // Line on which the last record returned started (1-based).
  std::int64_t line() const;
  std::int64_t bytes_read() const;
  std::int64_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm
