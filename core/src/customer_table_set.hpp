// The declared per-customer tables (the kernel's in code, the plugins' in
// the customer_tables table) and the SQL that merge and erase run on them.
// Private to the kernel.
#pragma once

#include <map>
#include <string>

#include "crm/customer_privacy.hpp"
#include "crm/customer_table.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

// The kernel's own per-customer tables. A kernel table that holds customer
// rows is added here and nowhere else: merge, erase and export follow.
const std::vector<CustomerTable>& kernel_customer_tables();

class CustomerTableSet final : public CustomerTableRegistry {
 public:
  explicit CustomerTableSet(SqliteDatabase& db) : db_(db) {}

  void declare(std::string_view owner, const CustomerTable& t) override;
  std::vector<CustomerTable> tables() override;

  // Applies every table's OnMerge to the rows of `other`, in the caller's
  // transaction. Returns the rows re-pointed to `keep` per table name.
  // Throws Conflict naming the table when a kKeepBoth table's rows clash.
  std::map<std::string, std::int64_t> merge(CustomerId keep, CustomerId other);

  // Applies every table's OnErase to the rows of `id`, in the caller's
  // transaction, counting into `report` by "owner.table".
  void erase(CustomerId id, ErasureReport& report);

  // Every row of `id` in every declared table:
  // {"<owner>": {"<table>": [{"<column>": value}]}}.
  Json rows_of(CustomerId id);

  // Whether `table` exists in the database now (a table of a component whose
  // schema was never created, or dropped, is skipped).
  bool exists(const std::string& table);

 private:
  std::vector<std::string> columns(const std::string& table);
  SqliteDatabase& db_;
};

}  // namespace crm::core
