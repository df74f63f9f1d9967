// Readers for purchase files: generic CSV with named columns, and the raw
// CDNOW format of Fader & Hardie's data sets.
//
// Both return a PurchaseLog with customers interned in order of appearance.
// Errors are ParseError exceptions whose message starts "FILE:LINE:".

#ifndef CRM_RETENTION_PURCHASE_READERS_HPP_
#define CRM_RETENTION_PURCHASE_READERS_HPP_

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>

#include "crm/retention/purchases.hpp"

namespace crm::retention {

// Layout of a purchase CSV file. The first line is a header naming the
// columns; the three columns below are looked up by name (exact match after
// trimming spaces), any other columns are ignored. Fields may be quoted with
// double quotes ("" inside quotes is a literal quote); quoted fields may not
// span lines. Blank lines are skipped.
struct CsvOptions {
  std::string customer_column = "customer_id";
  std::string date_column = "date";      // YYYY-MM-DD or YYYYMMDD (a time part is ignored)
  std::string amount_column = "amount";  // decimal number, '.' as decimal point
  char delimiter = ',';
};

// Reads a purchase CSV file. Throws ParseError (file and line) if the file
// cannot be opened, a column is missing from the header, a row has too few
// fields, or a date or amount does not parse.
PurchaseLog read_purchases_csv(const std::filesystem::path& path, const CsvOptions& options = {});

// Same, from a stream; `source_name` is used in error messages.
PurchaseLog read_purchases_csv(std::istream& in, std::string_view source_name,
                               const CsvOptions& options = {});

// Reads a CDNOW purchase file: fields separated by runs of whitespace, either
//   master:  customer_id  date  number_of_cds  dollar_value        (4 fields)
//   sample:  customer_id  sample_id  date  number_of_cds  dollar_value (5 fields)
// with dates as YYYYMMDD. The customer key is the first field (the master file
// id) in both layouts so that keys agree across the two files. An optional
// header line (first field not numeric) is skipped. Throws ParseError on an
// unopenable file, a wrong field count or a bad date/number.
PurchaseLog read_cdnow(const std::filesystem::path& path);

// Same, from a stream; `source_name` is used in error messages.
PurchaseLog read_cdnow(std::istream& in, std::string_view source_name);

}  // namespace crm::retention

#endif  // CRM_RETENTION_PURCHASE_READERS_HPP_
