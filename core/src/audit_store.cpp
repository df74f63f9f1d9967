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
  // 64 rows of 7 parameters stay far below SQLite's parameter limit; the
  // statement for a full chunk is prepared once and cached.
  constexpr std::size_t kChunk = 64;
  const std::int64_t at = to_unix(clock_.now());
  const std::string actor = to_string(by);
  auto sql_for = [](std::size_t n) {
    std::string sql =
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, customer_id, details) "
        "VALUES ";
    for (std::size_t i = 0; i < n; ++i) sql += i == 0 ? "(?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?)";
    return sql;
  };
  static_assert(kChunk * 7 < 999, "SQLite's smallest parameter limit");
  const std::string full_sql = sql_for(kChunk);
  for (std::size_t start = 0; start < rows.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, rows.size() - start);
    Statement& s = db_.statement(n == kChunk ? full_sql : sql_for(n));
    int p = 1;
    for (const AuditRow& r : rows.subspan(start, n)) {
      s.bind(p++, at);
      s.bind(p++, actor);
      s.bind(p++, action);
      s.bind(p++, entity);
      s.bind(p++, r.entity_id);
      if (r.customer_id) {
        s.bind(p++, *r.customer_id);
      } else {
        s.bind(p++, nullptr);
      }
      s.bind(p++, r.details);
    }
    s.run();
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
