// The audit log: every write, who made it, when, and what changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/actor.hpp"
#include "crm/customer.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/time.hpp"

namespace crm {

struct AuditEntry {
  std::int64_t id = 0;
  TimePoint time{};
  std::string actor;   // to_string(Actor)
  std::string action;  // "customer.create", "customer.merge", "import.customers"...
  std::string entity;  // "customer", "interaction", "task", or a plugin's own
  std::int64_t entity_id = 0;
  std::optional<CustomerId> customer_id;
  Json details = Json::object();
};

CRM_API Json to_json(const AuditEntry& a);
// Reads what to_json() writes, exactly (also `j.get<AuditEntry>()`). Throws InvalidInput naming the
// key that is missing or of the wrong type ("audit entry: 'name' must be a string").
CRM_API void from_json(const Json& j, AuditEntry& a);

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Appends an entry (time from the kernel clock). Plugins call this for
  // writes to their own tables; the kernel does it for its own.
  virtual void record(const Actor& by, std::string_view action, std::string_view entity,
                      std::int64_t entity_id, std::optional<CustomerId> customer,
                      const Json& details) = 0;

  // Entries about one customer, oldest first.
  virtual std::vector<AuditEntry> of_customer(CustomerId id) = 0;
  // The newest `limit` entries, newest first.
  virtual std::vector<AuditEntry> recent(std::int64_t limit) = 0;
};

}  // namespace crm
