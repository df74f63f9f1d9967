// Per-customer tables: which tables hold rows of a customer, and what the
// kernel does with those rows when customers are merged or one is erased.
//
// A component (the kernel, or a plugin through its Context) declares each of
// its tables that has a customer column. The kernel then moves, keeps or
// drops the rows inside the merge transaction and deletes or anonymises them
// inside the erase transaction (customer_privacy.hpp), so no component
// writes a merge cascade of its own. Plugin declarations are stored: they
// apply even in a run where the plugin is not loaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crm/database.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

// What happens to the merged customer's rows when it is merged into a survivor.
enum class OnMerge {
  // Re-pointed to the survivor; where the survivor has a row with the same
  // unique key already (one row per customer and day, say), the survivor's
  // row wins and the merged customer's is deleted.
  kMoveToSurvivor,
  // Re-pointed to the survivor, all of them: the survivor then has both
  // customers' rows. A unique-key clash refuses the merge (StoreError naming
  // the table); use it for history, where every row counts.
  kKeepBoth,
  // Deleted: derived data (scores) that the next run recomputes.
  kDrop,
};

// What happens to a customer's rows when the customer is erased.
enum class OnErase {
  kDelete,     // the rows go
  kAnonymise,  // the rows stay (counts, sums, times) with `anonymise` overwritten
  kKeep,       // the rows hold no personal data (staff names, scores)
};

// One column of an anonymised row and the value it gets (NULL by default;
// give "{}" or "[]" for a NOT NULL JSON column).
struct AnonymisedColumn {
  std::string column;
  SqlValue value = nullptr;
};

struct CustomerTable {
  std::string table;
  std::string customer_column = "customer_id";
  OnMerge on_merge = OnMerge::kKeepBoth;
  OnErase on_erase = OnErase::kDelete;
  std::vector<AnonymisedColumn> anonymise;  // with OnErase::kAnonymise only
  std::string owner;                        // "kernel" or the plugin's name; set by declare()
};

CRM_API std::string to_string(OnMerge m);  // "move", "keep_both", "drop"
CRM_API std::string to_string(OnErase e);  // "delete", "anonymise", "keep"
// Inverses of to_string(); throw InvalidInput naming the text and the choices.
CRM_API OnMerge parse_on_merge(std::string_view text);
CRM_API OnErase parse_on_erase(std::string_view text);

CRM_API Json to_json(const CustomerTable& t);
// Reads what to_json() writes (also `j.get<CustomerTable>()`). Throws
// InvalidInput naming the key that is missing or of the wrong type.
CRM_API void from_json(const Json& j, CustomerTable& t);

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API CustomerTableRegistry {
 public:
  virtual ~CustomerTableRegistry() = default;

  // Declares (or re-declares, replacing) `t` for component `owner`. Checks
  // the table and every named column exist, and that kAnonymise names at
  // least one column. Throws InvalidInput naming the table or column, and
  // Conflict when another component declared the table.
  virtual void declare(std::string_view owner, const CustomerTable& t) = 0;

  // Every declared table, the kernel's first, then by owner and table.
  virtual std::vector<CustomerTable> tables() = 0;
};

}  // namespace crm
