#include "interaction_store.hpp"

#include <cmath>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "entity_links.hpp"
#include "json_text.hpp"

namespace crm::core {

namespace {

// Throws InvalidInput naming the field when `i` cannot be stored as it is.
void validate_interaction(const Interaction& i) {
  require_utf8(i.channel, "interaction channel");
  if (i.channel.empty()) throw InvalidInput("interaction channel is empty");
  require_utf8(i.kind, "interaction kind");
  if (i.kind.empty()) throw InvalidInput("interaction kind is empty");
  require_utf8(i.agent, "interaction agent");
  require_utf8(i.notes, "interaction notes");
  for (const std::string& c : i.commitments) require_utf8(c, "interaction commitment");
  for (const EntityRef& l : i.links) require_utf8(l.type, "interaction link");
  require_utf8_json(i.payload, "interaction payload");
  // SQLite stores NaN as NULL and infinity as a REAL that every sum over
  // the purchases then carries: refused here, not found by the analytics.
  if (i.amount && !std::isfinite(*i.amount)) {
    throw InvalidInput("interaction amount must be a finite number, not " +
                       std::string(std::isnan(*i.amount) ? "nan"
                                   : *i.amount > 0       ? "inf"
                                                         : "-inf"));
  }
  if (i.channel_cost && i.channel_cost->minor_units() < 0) {
    throw InvalidInput("interaction channel_cost must be 0 or more, not " +
                       i.channel_cost->to_string());
  }
  // The epoch itself means "now" (the field's default).
  if (i.occurred_at != TimePoint{}) require_time_in_range(i.occurred_at, "interaction occurred_at");
}

}  // namespace

InteractionId InteractionStore::record(const Interaction& i, const Actor& by) {
  validate_interaction(i);
  Transaction tx(p_.db);
  for (std::size_t n = 0; n < i.links.size(); ++n) {
    for (std::size_t m = 0; m < n; ++m) {
      if (i.links[m] == i.links[n]) {
        throw InvalidInput("interaction link " + to_string(i.links[n]) + " is given twice");
      }
    }
  }
  {
    Statement& chk = p_.db.statement("SELECT 1 FROM customers WHERE id = ?");
    chk.bind(1, i.customer_id);
    const bool exists = chk.step();
    chk.reset();
    if (!exists) throw NotFound("customer " + std::to_string(i.customer_id) + " not found");
  }
  const TimePoint now = p_.clock.now();
  const TimePoint when = i.occurred_at == TimePoint{} ? now : i.occurred_at;
  Statement& s = p_.db.statement(
      "INSERT INTO interactions (customer_id, channel, kind, direction, occurred_at, amount, "
      "agent, notes, commitments, payload, created_at, channel_cost, channel_cost_currency) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, i.customer_id).bind(2, i.channel).bind(3, i.kind).bind(4, to_string(i.direction));
  s.bind(5, to_unix(when));
  if (i.amount) {
    s.bind(6, *i.amount);
  } else {
    s.bind(6, nullptr);
  }
  s.bind_text_or_null(7, i.agent).bind_text_or_null(8, i.notes);
  s.bind(9, Json(i.commitments).dump());
  s.bind(10, i.payload.is_null() ? std::string("{}") : i.payload.dump());
  s.bind(11, to_unix(now));
  // The cost the contact has today, kept with it: a later change of the
  // catalogue does not rewrite what past contacts cost.
  const std::optional<Money> cost = i.channel_cost ? i.channel_cost : channels_.cost_of(i.channel);
  if (cost) {
    s.bind(12, cost->minor_units()).bind(13, cost->currency().code());
  } else {
    s.bind(12, nullptr).bind(13, nullptr);
  }
  s.run();
  const InteractionId id = p_.db.last_insert_id();
  Json links = Json::array();
  for (const EntityRef& ref : i.links) {
    // The customer's existence was checked above; an interaction linking to
    // itself cannot exist before it is stored.
    check_link(p_.db, ref, i.customer_id, "interaction link");
    p_.db.execute(
        "INSERT INTO interaction_links (interaction_id, entity_type, entity_id) VALUES (?,?,?)",
        {id, ref.type, ref.id});
    links.push_back(ref);
  }
  p_.audit.record(by, "interaction.record", "interaction", id, i.customer_id,
                  Json{{"kind", i.kind}, {"channel", i.channel}});
  Json payload{{"interaction_id", id}, {"kind", i.kind}, {"channel", i.channel}, {"links", links}};
  if (i.amount) payload["amount"] = *i.amount;
  if (cost) payload["channel_cost"] = cost->to_string();
  p_.bus.publish(Event{events::kInteractionRecorded, now, i.customer_id, payload});
  if (i.kind == "purchase") {
    p_.bus.publish(Event{events::kPurchaseRecorded, now, i.customer_id, payload});
  }
  tx.commit();
  return id;
}

void InteractionStore::select(const InteractionQuery& q, std::optional<InteractionId> id,
                              const char* order,
                              const std::function<void(const Interaction&)>& visit) {
  std::string sql =
      "SELECT id, customer_id, channel, kind, direction, occurred_at, amount, agent, notes, "
      "commitments, payload, " +
      std::string(kInteractionLinksColumn) +
      ", channel_cost, channel_cost_currency FROM interactions WHERE 1=1";
  std::vector<SqlValue> params;
  if (id) {
    sql += " AND id = ?";
    params.emplace_back(*id);
  }
  if (q.customer_id) {
    sql += " AND customer_id = ?";
    params.emplace_back(*q.customer_id);
  }
  if (q.kind) {
    sql += " AND kind = ?";
    params.emplace_back(*q.kind);
  }
  if (q.channel) {
    sql += " AND channel = ?";
    params.emplace_back(*q.channel);
  }
  if (q.from) {
    sql += " AND occurred_at >= ?";
    params.emplace_back(to_unix(*q.from));
  }
  if (q.to) {
    sql += " AND occurred_at < ?";
    params.emplace_back(to_unix(*q.to));
  }
  sql += order;
  p_.db.query_each(sql, params, [&](const SqlRow& r) {
    Interaction i;
    i.id = r.integer(0);
    i.customer_id = r.integer(1);
    i.channel = r.text(2);
    i.kind = r.text(3);
    i.direction = parse_direction(r.text(4));
    i.occurred_at = from_unix(r.integer(5));
    if (!r.is_null(6)) i.amount = r.real(6);
    i.agent = r.text(7);
    i.notes = r.text(8);
    i.commitments = parse_stored_json(r.text(9), "interactions.commitments", i.id)
                        .get<std::vector<std::string>>();
    i.payload = parse_stored_json(r.text(10), "interactions.payload", i.id);
    if (!r.is_null(11)) i.links = parse_link_list(r.text(11));
    if (!r.is_null(12)) i.channel_cost = Money(r.integer(12), Currency::of(r.text(13)));
    visit(i);
  });
}

std::optional<Interaction> InteractionStore::find(InteractionId id) {
  std::optional<Interaction> out;
  select(InteractionQuery{}, id, " ORDER BY id", [&](const Interaction& i) { out = i; });
  return out;
}

std::vector<Interaction> InteractionStore::list(const InteractionQuery& q) {
  std::vector<Interaction> out;
  select(q, std::nullopt, " ORDER BY occurred_at, id",
         [&](const Interaction& i) { out.push_back(i); });
  return out;
}

void InteractionStore::for_each(const InteractionQuery& q,
                                const std::function<void(const Interaction&)>& visit) {
  select(q, std::nullopt, " ORDER BY customer_id, occurred_at, id", visit);
}

}  // namespace crm::core
