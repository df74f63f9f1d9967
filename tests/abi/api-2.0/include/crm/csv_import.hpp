// Importing customers and interactions from CSV files.
//
// Files are UTF-8 with a header row; quoting follows RFC 4180. Known columns
// (see docs/cli.md) fill the entity's fields; every other column becomes a
// custom attribute. One import is one transaction: valid rows commit together
// at the end, so an import that is killed leaves the database as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/customer_repository.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/store.hpp"

namespace crm {

struct ImportOptions {
  enum class Mode { kCreate, kUpdate, kUpsert } mode = Mode::kCreate;
  MatchKey match = MatchKey::kExternalId;  // customers: how rows find existing ones
  bool dry_run = false;                    // validate and count, then roll back
  // Any bad row: commit nothing. Also refuses, before reading any row, a
  // column that is neither known nor listed in `attributes`.
  bool strict = false;
  // Columns expected beyond the known ones (custom attributes of customers,
  // payload of interactions): not warned about, and accepted by `strict`.
  std::vector<std::string> attributes;
  Actor actor = Actor::user("import");
  // Called every few thousand rows with (rows read, bytes read, file size).
  std::function<void(std::int64_t, std::int64_t, std::int64_t)> progress;
};

CRM_API ImportOptions::Mode parse_import_mode(std::string_view text);

struct ImportError {
  std::int64_t line = 0;  // physical line in the file where the record starts
  std::string message;
};

// A header column that is not a known one, kept as an attribute (customers)
// or payload entry (interactions); `nearest` is the known column it may be a
// typo of ("emial" -> "email"), empty when none is close.
struct UnknownColumn {
  std::string column;
  std::string nearest;
};

struct ImportReport {
  std::int64_t read = 0;
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t skipped = 0;
  std::vector<ImportError> errors;  // the first 1,000; `skipped` counts all
  // Rows of a create import skipped because their customer exists already
  // (the external id, or the --match key, is taken).
  std::int64_t existing = 0;
  // Columns not known and not in ImportOptions::attributes, in header order.
  std::vector<UnknownColumn> unknown_columns;
  bool committed = false;
};

CRM_API Json to_json(const ImportReport& r);
// Reads what to_json() writes (also `j.get<ImportReport>()`). Throws
// InvalidInput naming the key ("import report.errors[2]: 'line' must be a
// whole number").
CRM_API void from_json(const Json& j, ImportReport& r);

// Imports customers. Throws InvalidInput naming the file for an unreadable
// file or header (a required column missing, or with `strict` an unknown
// column); row errors go into the report.
CRM_API ImportReport import_customers(Store& store, const std::filesystem::path& file,
                                      const ImportOptions& options);

// Imports interactions; each row names its customer by `customer_id` or by
// the column of options.match (external_id, email or phone).
CRM_API ImportReport import_interactions(Store& store, const std::filesystem::path& file,
                                         const ImportOptions& options);

}  // namespace crm
