// What the SQLite repositories share: the database, the bus, the clock and
// the audit log. Private to the kernel.
#pragma once

#include "audit_store.hpp"
#include "crm/clock.hpp"
#include "crm/event_bus.hpp"
#include "sqlite_database.hpp"

namespace crm::core {

struct StoreParts {
  SqliteDatabase& db;
  EventBus& bus;
  const Clock& clock;
  AuditStore& audit;
};

// Parses JSON text stored by the kernel; a corrupt value is reported with
// the table and row, not as a bare parser message.
Json parse_stored_json(std::string_view text, const char* where, std::int64_t id);

}  // namespace crm::core
