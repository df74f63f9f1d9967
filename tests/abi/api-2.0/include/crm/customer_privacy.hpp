// What a CRM owes the people in it: everything held about one customer, and
// the right to be forgotten.
//
// Both work over every declared per-customer table (customer_table.hpp): the
// kernel's own (interactions, tasks, the audit log, ...) and every plugin's.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "crm/actor.hpp"
#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

// What an erasure did, per "owner.table": rows deleted and rows anonymised.
struct ErasureReport {
  CustomerId customer = 0;
  TimePoint erased_at{};
  std::map<std::string, std::int64_t> deleted;
  std::map<std::string, std::int64_t> anonymised;
};

CRM_API Json to_json(const ErasureReport& r);
// Reads what to_json() writes. Throws InvalidInput naming the key.
CRM_API void from_json(const Json& j, ErasureReport& r);

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API CustomerPrivacy {
 public:
  virtual ~CustomerPrivacy() = default;

  // Everything held about customer `id` as one JSON object:
  //   {"customer": <to_json(Customer)>, "erased_at": null | time,
  //    "exported_at": time,
  //    "tables": {"<owner>": {"<table>": [{"<column>": value, ...}, ...]}}}
  // with every row of every declared table. The export itself is recorded
  // in the audit log ("customer.export") and published as customer.exported.
  // Throws NotFound for an unknown id.
  virtual Json export_customer(CustomerId id, const Actor& by) = 0;

  // Erases customer `id` in one transaction: the customer row keeps its id,
  // kind, stage, segment, owner and times but loses its name (which becomes
  // "erased customer <id>"), external id, e-mail, phone, birthday, consent,
  // tags, attributes and contact persons; every declared table's rows are
  // deleted or anonymised as declared (the audit log's details included).
  // The erasure is then audited ("customer.erase", with the counts only) and
  // published as customer.erased (before-commit subscribers run inside the
  // transaction). Erasing an erased customer again is allowed and finds
  // nothing left to erase. Throws NotFound for an unknown id.
  virtual ErasureReport erase(CustomerId id, const Actor& by) = 0;
};

}  // namespace crm
