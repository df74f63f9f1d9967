#include "case_store.hpp"

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "json_text.hpp"

namespace crm::core {
namespace {

void validate_case(const Case& c) {
  require_utf8(c.subject, "case subject");
  if (c.subject.empty()) throw InvalidInput("case subject is empty");
  require_utf8(c.category, "case category");
  require_utf8(c.channel, "case channel");
  require_utf8(c.owner, "case owner");
  require_utf8(c.appeal_point, "case appeal_point");
  if (!c.context.is_object()) throw InvalidInput("case context must be a JSON object");
  require_utf8_json(c.context, "case context");
}

std::string case_name(CaseId id) { return "case " + std::to_string(id); }

}  // namespace

void CaseStore::check_interaction(InteractionId id, CustomerId customer) {
  const auto rows = p_.db.query("SELECT customer_id FROM interactions WHERE id = ?", {id});
  if (rows.empty()) throw NotFound("interaction " + std::to_string(id) + " not found");
  if (rows[0].integer(0) != customer) {
    throw InvalidInput("interaction " + std::to_string(id) + " belongs to customer " +
                       std::to_string(rows[0].integer(0)) + ", not to the case's customer " +
                       std::to_string(customer));
  }
}

CaseId CaseStore::open(const Case& c, const Actor& by) {
  validate_case(c);
  Transaction tx(p_.db);
  if (p_.db.query("SELECT 1 FROM customers WHERE id = ?", {c.customer_id}).empty()) {
    throw NotFound("customer " + std::to_string(c.customer_id) + " not found");
  }
  for (const InteractionId i : c.interactions) check_interaction(i, c.customer_id);
  const TimePoint now = p_.clock.now();
  p_.db.execute(
      "INSERT INTO cases (customer_id, type, category, subject, channel, priority, status, owner, "
      "appeal_point, attitude, context, opened_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
      {c.customer_id, to_string(c.type), c.category, c.subject, c.channel, to_string(c.priority),
       to_string(Case::Status::kOpen), c.owner, c.appeal_point, to_string(c.attitude),
       c.context.dump(), to_unix(now), to_unix(now)});
  const CaseId id = p_.db.last_insert_id();
  for (const InteractionId i : c.interactions) {
    p_.db.execute(
        "INSERT OR IGNORE INTO interaction_links (interaction_id, entity_type, entity_id) "
        "VALUES (?,?,?)",
        {i, std::string(entity_type::kCase), id});
  }
  add_history(id, CaseChange::Kind::kOpened, "", to_string(Case::Status::kOpen), "", by, now);
  p_.audit.record(by, "case.open", "case", id, c.customer_id,
                  Json{{"type", to_string(c.type)}, {"subject", c.subject}, {"owner", c.owner}});
  p_.bus.publish(Event{events::kCaseOpened, now, c.customer_id,
                       Json{{"case_id", id},
                            {"type", to_string(c.type)},
                            {"priority", to_string(c.priority)},
                            {"channel", c.channel},
                            {"owner", c.owner},
                            {"status", to_string(Case::Status::kOpen)},
                            {"interactions", c.interactions}}});
  tx.commit();
  return id;
}

std::vector<Case> CaseStore::select(const std::string& where, const std::vector<SqlValue>& params) {
  std::vector<Case> out;
  p_.db.query_each(
      "SELECT id, customer_id, type, category, subject, channel, priority, status, owner, "
      "appeal_point, attitude, context, opened_at, updated_at, closed_at FROM cases WHERE " +
          where + " ORDER BY id DESC",
      params, [&](const SqlRow& r) {
        Case c;
        c.id = r.integer(0);
        c.customer_id = r.integer(1);
        c.type = parse_case_type(r.text(2));
        c.category = r.text(3);
        c.subject = r.text(4);
        c.channel = r.text(5);
        c.priority = parse_case_priority(r.text(6));
        c.status = parse_case_status(r.text(7));
        c.owner = r.text(8);
        c.appeal_point = r.text(9);
        c.attitude = parse_case_attitude(r.text(10));
        c.context = parse_stored_json(r.text(11), "cases.context", c.id);
        c.opened_at = from_unix(r.integer(12));
        c.updated_at = from_unix(r.integer(13));
        if (!r.is_null(14)) c.closed_at = from_unix(r.integer(14));
        out.push_back(std::move(c));
      });
  for (Case& c : out) load_links(c);
  return out;
}

void CaseStore::load_links(Case& c) {
  p_.db.query_each(
      "SELECT interaction_id FROM interaction_links WHERE entity_type = ? AND entity_id = ? "
      "ORDER BY interaction_id",
      {std::string(entity_type::kCase), c.id},
      [&](const SqlRow& r) { c.interactions.push_back(r.integer(0)); });
  p_.db.query_each("SELECT id FROM tasks WHERE link_type = ? AND link_id = ? ORDER BY id",
                   {std::string(entity_type::kCase), c.id},
                   [&](const SqlRow& r) { c.tasks.push_back(r.integer(0)); });
}

std::optional<Case> CaseStore::find(CaseId id) {
  auto v = select("id = ?", {id});
  if (v.empty()) return std::nullopt;
  return std::move(v.front());
}

Case CaseStore::get(CaseId id) {
  auto c = find(id);
  if (!c) throw NotFound(case_name(id) + " not found");
  return std::move(*c);
}

std::vector<Case> CaseStore::list(const CaseQuery& q) {
  std::string where = "1=1";
  std::vector<SqlValue> params;
  if (q.customer_id) {
    where += " AND customer_id = ?";
    params.emplace_back(*q.customer_id);
  }
  if (q.owner) {
    where += " AND owner = ?";
    params.emplace_back(*q.owner);
  }
  if (q.status) {
    where += " AND status = ?";
    params.emplace_back(to_string(*q.status));
  }
  if (q.type) {
    where += " AND type = ?";
    params.emplace_back(to_string(*q.type));
  }
  if (q.active_only) where += " AND status NOT IN ('closed', 'cancelled')";
  return select(where, params);
}

void CaseStore::add_history(CaseId id, CaseChange::Kind kind, const std::string& from,
                            const std::string& to, const std::string& note, const Actor& by,
                            TimePoint at) {
  p_.db.execute(
      "INSERT INTO case_history (case_id, at, actor, change, from_value, to_value, note) "
      "VALUES (?,?,?,?,?,?,?)",
      {id, to_unix(at), to_string(by), to_string(kind), from, to, note});
}

void CaseStore::assign(CaseId id, const std::string& owner, const std::string& note,
                       const Actor& by) {
  require_utf8(owner, "case owner");
  require_utf8(note, "case note");
  if (owner.empty()) throw InvalidInput("case owner is empty");
  Transaction tx(p_.db);
  const Case c = get(id);
  if (is_final(c.status)) {
    throw InvalidInput(case_name(id) + " is " + to_string(c.status) + ": it cannot be assigned");
  }
  if (c.owner == owner) throw InvalidInput(case_name(id) + " is already owned by " + owner);
  const TimePoint now = p_.clock.now();
  p_.db.execute("UPDATE cases SET owner = ?, updated_at = ? WHERE id = ?",
                {owner, to_unix(now), id});
  add_history(id, CaseChange::Kind::kAssigned, c.owner, owner, note, by, now);
  p_.audit.record(by, "case.assign", "case", id, c.customer_id,
                  Json{{"from", c.owner}, {"to", owner}});
  p_.bus.publish(Event{events::kCaseAssigned, now, c.customer_id,
                       Json{{"case_id", id}, {"from", c.owner}, {"to", owner}}});
  tx.commit();
}

void CaseStore::set_status(CaseId id, Case::Status to, const std::string& note, const Actor& by) {
  require_utf8(note, "case note");
  Transaction tx(p_.db);
  const Case c = get(id);
  if (!can_transition(c.status, to)) {
    std::string allowed;
    for (const Case::Status s : next_statuses(c.status)) {
      allowed += (allowed.empty() ? "" : ", ") + to_string(s);
    }
    throw InvalidInput(case_name(id) + " cannot go from " + to_string(c.status) + " to " +
                       to_string(to) +
                       (allowed.empty() ? " (" + to_string(c.status) + " is final)"
                                        : " (allowed: " + allowed + ")"));
  }
  const TimePoint now = p_.clock.now();
  p_.db.execute("UPDATE cases SET status = ?, updated_at = ?, closed_at = ? WHERE id = ?",
                {to_string(to), to_unix(now), is_final(to) ? SqlValue{to_unix(now)} : nullptr, id});
  add_history(id, CaseChange::Kind::kStatus, to_string(c.status), to_string(to), note, by, now);
  p_.audit.record(by, "case.status", "case", id, c.customer_id,
                  Json{{"from", to_string(c.status)}, {"to", to_string(to)}});
  p_.bus.publish(
      Event{events::kCaseStatusChanged, now, c.customer_id,
            Json{{"case_id", id}, {"from", to_string(c.status)}, {"to", to_string(to)}}});
  tx.commit();
}

void CaseStore::link_interaction(CaseId id, InteractionId interaction, const Actor& by) {
  Transaction tx(p_.db);
  const Case c = get(id);
  check_interaction(interaction, c.customer_id);
  p_.db.execute(
      "INSERT OR IGNORE INTO interaction_links (interaction_id, entity_type, entity_id) "
      "VALUES (?,?,?)",
      {interaction, std::string(entity_type::kCase), id});
  if (p_.db.changes() == 0) {
    throw InvalidInput("interaction " + std::to_string(interaction) + " is already linked to " +
                       case_name(id));
  }
  const TimePoint now = p_.clock.now();
  p_.db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", {to_unix(now), id});
  p_.audit.record(by, "case.link", "case", id, c.customer_id,
                  Json{{"interaction_id", interaction}});
  p_.bus.publish(Event{events::kCaseLinked, now, c.customer_id,
                       Json{{"case_id", id}, {"interaction_id", interaction}}});
  tx.commit();
}

std::vector<CaseChange> CaseStore::history(CaseId id) {
  if (!find(id)) throw NotFound(case_name(id) + " not found");
  std::vector<CaseChange> out;
  p_.db.query_each(
      "SELECT change, at, actor, from_value, to_value, note FROM case_history WHERE case_id = ? "
      "ORDER BY id",
      {id}, [&](const SqlRow& r) {
        CaseChange ch;
        const std::string kind = r.text(0);
        ch.kind = kind == "status"     ? CaseChange::Kind::kStatus
                  : kind == "assigned" ? CaseChange::Kind::kAssigned
                                       : CaseChange::Kind::kOpened;
        ch.at = from_unix(r.integer(1));
        ch.actor = r.text(2);
        ch.from = r.text(3);
        ch.to = r.text(4);
        ch.note = r.text(5);
        out.push_back(std::move(ch));
      });
  return out;
}

}  // namespace crm::core
