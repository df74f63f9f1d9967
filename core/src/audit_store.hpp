#pragma once

#include <span>

#include "crm/audit_log.hpp"
#include "crm/clock.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

// One entry of AuditStore::record_many().
struct AuditRow {
  std::int64_t entity_id = 0;
  std::optional<CustomerId> customer_id;
  std::string details;  // JSON text
};

class AuditStore final : public AuditLog {
 public:
  AuditStore(SqliteDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}
  void record(const Actor& by, std::string_view action, std::string_view entity,
              std::int64_t entity_id, std::optional<CustomerId> customer,
              const Json& details) override;
  // Appends one entry per row, all by `by` with the same action and entity,
  // in multi-row INSERTs: a bulk write audits each row at a fraction of the
  // cost of one record() each.
  void record_many(const Actor& by, std::string_view action, std::string_view entity,
                   std::span<const AuditRow> rows);
  std::vector<AuditEntry> of_customer(CustomerId id) override;
  std::vector<AuditEntry> recent(std::int64_t limit) override;

 private:
  std::vector<AuditEntry> read(std::string_view sql, const std::vector<SqlValue>& params);
  SqliteDatabase& db_;
  const Clock& clock_;
};

}  // namespace crm::core
