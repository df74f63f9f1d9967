#include "audit_store.hpp"

#include "crm/error.hpp"
#include "store_parts.hpp"

namespace crm::core {

Json parse_stored_json(std::string_view text, const char* where, std::int64_t id) {
  if (text.empty()) return Json::object();
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw StoreError(std::string("corrupt JSON in ") + where + " of row " + std::to_string(id) +
                     ": " + e.what());
  }
}

void AuditStore::record(const Actor& by, std::string_view action, std::string_view entity,
                        std::int64_t entity_id, std::optional<CustomerId> customer,
                        const Json& details) {
  Statement& s = db_.statement(
      "INSERT INTO audit_log (at, actor, action, entity, entity_id, customer_id, details) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, to_unix(clock_.now())).bind(2, to_string(by)).bind(3, action).bind(4, entity);
  s.bind(5, entity_id);
  if (customer) {
    s.bind(6, *customer);
  } else {
    s.bind(6, nullptr);
  }
  s.bind(7, details.dump());
  s.run();
}

void AuditStore::record_many(const Actor& by, std::string_view action, std::string_view entity,
                             std::span<const AuditRow> rows) {
  // One row per statement, on purpose. A statement writing several rows
  // needs a statement journal inside a transaction, and when a savepoint is
  // open around it (a bulk write called inside a command's transaction)
  // SQLite ends each such statement with a walk over the whole in-memory
  // sub-journal: writing a million audit rows in chunks of 64 took minutes
  // instead of a second. A one-row INSERT needs no statement journal.
  const std::int64_t at = to_unix(clock_.now());
  const std::string actor = to_string(by);
  Statement& s = db_.statement(
      "INSERT INTO audit_log (at, actor, action, entity, entity_id, customer_id, details) "
      "VALUES (?,?,?,?,?,?,?)");
  for (const AuditRow& r : rows) {
    s.reset().bind(1, at).bind(2, actor).bind(3, action).bind(4, entity).bind(5, r.entity_id);
    if (r.customer_id) {
      s.bind(6, *r.customer_id);
    } else {
      s.bind(6, nullptr);
    }
    s.bind(7, r.details).run();
  }
}

std::vector<AuditEntry> AuditStore::read(std::string_view sql,
                                         const std::vector<SqlValue>& params) {
  std::vector<AuditEntry> out;
  db_.query_each(sql, params, [&](const SqlRow& r) {
    AuditEntry e;
    e.id = r.integer(0);
    e.time = from_unix(r.integer(1));
    e.actor = r.text(2);
    e.action = r.text(3);
    e.entity = r.text(4);
    e.entity_id = r.integer(5);
    if (!r.is_null(6)) e.customer_id = r.integer(6);
    e.details = parse_stored_json(r.text(7), "audit_log.details", e.id);
    out.push_back(std::move(e));
  });
  return out;
}

std::vector<AuditEntry> AuditStore::of_customer(CustomerId id) {
  return read(
      "SELECT id, at, actor, action, entity, entity_id, customer_id, details FROM audit_log "
      "WHERE customer_id = ? ORDER BY at, id",
      {id});
}

std::vector<AuditEntry> AuditStore::recent(std::int64_t limit) {
  return read(
      "SELECT id, at, actor, action, entity, entity_id, customer_id, details FROM audit_log "
      "ORDER BY id DESC LIMIT ?",
      {limit});
}

}  // namespace crm::core
