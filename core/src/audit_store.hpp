#pragma once

#include "crm/audit_log.hpp"
#include "crm/clock.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

class AuditStore final : public AuditLog {
 public:
  AuditStore(SqliteDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}
  void record(const Actor& by, std::string_view action, std::string_view entity,
              std::int64_t entity_id, std::optional<CustomerId> customer,
              const Json& details) override;
  std::vector<AuditEntry> of_customer(CustomerId id) override;
  std::vector<AuditEntry> recent(std::int64_t limit) override;

 private:
  std::vector<AuditEntry> read(std::string_view sql, const std::vector<SqlValue>& params);
  SqliteDatabase& db_;
  const Clock& clock_;
};

}  // namespace crm::core
