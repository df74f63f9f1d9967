#include "interaction_store.hpp"

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
      "INSERT INTO interactions (customer_id, channel, kind, direction, occurred_at, "
      "amount_minor, currency, agent, notes, commitments, payload, created_at, channel_cost, "
      "channel_cost_currency) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, i.customer_id).bind(2, i.channel).bind(3, i.kind).bind(4, to_string(i.direction));
  s.bind(5, to_unix(when));
  if (i.amount) {
    s.bind(6, i.amount->minor_units()).bind(7, std::string(i.amount->currency().code()));
  } else {
    s.bind(6, nullptr).bind(7, nullptr);
  }
  s.bind_text_or_null(8, i.agent).bind_text_or_null(9, i.notes);
  s.bind(10, Json(i.commitments).dump());
  s.bind(11, i.payload.is_null() ? std::string("{}") : i.payload.dump());
  s.bind(12, to_unix(now));
  // The cost the contact has today, kept with it: a later change of the
  // catalogue does not rewrite what past contacts cost.
  const std::optional<Money> cost = i.channel_cost ? i.channel_cost : channels_.cost_of(i.channel);
  if (cost) {
    s.bind(13, cost->minor_units()).bind(14, cost->currency().code());
  } else {
    s.bind(13, nullptr).bind(14, nullptr);
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
  if (i.amount) {
    // The exact amount as text ("12.50 EUR"), and its value in major units
    // with the currency for workflow conditions that compare numbers.
    payload["amount"] = *i.amount;
    payload["amount_value"] = i.amount->to_major();
    payload["currency"] = i.amount->currency().code();
  }
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
      "SELECT id, customer_id, channel, kind, direction, occurred_at, amount_minor, currency, "
      "agent, notes, commitments, payload, " +
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
    if (!r.is_null(6)) i.amount = Money(r.integer(6), Currency::of(r.text(7)));
    i.agent = r.text(8);
    i.notes = r.text(9);
    i.commitments = parse_stored_json(r.text(10), "interactions.commitments", i.id)
                        .get<std::vector<std::string>>();
    i.payload = parse_stored_json(r.text(11), "interactions.payload", i.id);
    if (!r.is_null(12)) i.links = parse_link_list(r.text(12));
    if (!r.is_null(13)) i.channel_cost = Money(r.integer(13), Currency::of(r.text(14)));
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

namespace crm::core {

namespace {

// " AND ..." conditions of `f`, with their parameters in order.
std::string where_clause(const InteractionFilter& f, std::vector<SqlValue>& params) {
  std::string sql = " WHERE 1=1";
  if (f.kind) {
    sql += " AND kind = ?";
    params.emplace_back(*f.kind);
  }
  if (f.customer_id) {
    sql += " AND customer_id = ?";
    params.emplace_back(*f.customer_id);
  }
  if (f.channel) {
    sql += " AND channel = ?";
    params.emplace_back(*f.channel);
  }
  if (f.from) {
    sql += " AND occurred_at >= ?";
    params.emplace_back(to_unix(*f.from));
  }
  if (f.to) {
    sql += " AND occurred_at < ?";
    params.emplace_back(to_unix(*f.to));
  }
  if (f.with_amount_only) sql += " AND amount_minor IS NOT NULL";
  return sql;
}

// Currency::of() for the stored code, looked up once per run of equal codes:
// a scan meets the same one or two currencies millions of times.
class CurrencyCache {
 public:
  Currency get(std::string_view code) {
    if (!last_ || code != last_->code()) last_ = Currency::of(code);
    return *last_;
  }

 private:
  std::optional<Currency> last_;
};

// The sum of a group's amounts from its SUM, COUNT, MIN and MAX of currency
// columns starting at `col`; `what` names the group in the error.
std::optional<Money> group_sum(Statement& st, int col, CurrencyCache& cache,
                               const std::string& what) {
  if (st.is_null(col)) return std::nullopt;
  const std::string_view low = st.text_view(col + 1);
  const std::string_view high = st.text_view(col + 2);
  if (low != high) {
    throw CurrencyMismatch(what + " has amounts in " + std::string(low) + " and " +
                           std::string(high) + "; narrow the filter to one currency");
  }
  return Money(st.integer(col), cache.get(low));
}

// Runs an aggregate statement, turning SQLite's integer overflow of SUM into
// InvalidInput.
template <typename Row>
void run_totals(Statement& st, const std::vector<SqlValue>& params, Row row) {
  st.bind_all(params);
  try {
    while (st.step()) row();
  } catch (const StoreError& e) {
    if (std::string_view(e.what()).find("integer overflow") != std::string_view::npos) {
      throw InvalidInput(std::string("sum of interaction amounts overflows: ") + e.what());
    }
    throw;
  }
}

}  // namespace

void InteractionStore::scan(const InteractionScan& s,
                            const std::function<void(const InteractionBatch&)>& visit) {
  if (s.batch_rows == 0) throw InvalidInput("interaction scan: batch_rows must be at least 1");
  const InteractionFields& f = s.fields;
  // Columns in a fixed order; `at` remembers where each asked one is.
  std::string cols;
  int n = 0;
  const auto add = [&](bool wanted, const char* name) {
    if (!wanted) return -1;
    cols += (n ? ", " : "") + std::string(name);
    return n++;
  };
  const int c_id = add(f.id, "id");
  const int c_customer = add(f.customer_id, "customer_id");
  const int c_at = add(f.occurred_at, "occurred_at");
  const int c_amount = add(f.amount, "amount_minor");
  if (f.amount) add(true, "currency");
  const int c_kind = add(f.kind, "kind");
  const int c_channel = add(f.channel, "channel");
  const int c_payload = add(f.payload, "payload");
  if (n == 0) cols = "1";
  std::vector<SqlValue> params;
  std::string sql = "SELECT " + cols + " FROM interactions" + where_clause(s.filter, params);
  sql += s.order == InteractionScan::Order::kByCustomer ? " ORDER BY customer_id, occurred_at, id"
                                                        : " ORDER BY occurred_at, id";
  // A statement of its own: the visitor may run queries on the cached ones.
  Statement st(p_.db.handle(), sql);
  st.bind_all(params);
  InteractionBatch b;
  CurrencyCache currencies;
  const auto flush = [&] {
    if (b.rows) visit(b);
    b.rows = 0;
    b.id.clear();
    b.customer_id.clear();
    b.occurred_at.clear();
    b.amount.clear();
    b.kind.clear();
    b.channel.clear();
    b.payload.clear();
  };
  while (st.step()) {
    if (c_id >= 0) b.id.push_back(st.integer(c_id));
    if (c_customer >= 0) b.customer_id.push_back(st.integer(c_customer));
    if (c_at >= 0) b.occurred_at.push_back(from_unix(st.integer(c_at)));
    if (c_amount >= 0) {
      if (st.is_null(c_amount)) {
        b.amount.emplace_back();
      } else {
        b.amount.emplace_back(
            Money(st.integer(c_amount), currencies.get(st.text_view(c_amount + 1))));
      }
    }
    if (c_kind >= 0) b.kind.push_back(st.text(c_kind));
    if (c_channel >= 0) b.channel.push_back(st.text(c_channel));
    if (c_payload >= 0) {
      b.payload.push_back(parse_stored_json(st.text_view(c_payload), "interactions.payload",
                                            c_id >= 0 ? b.id.back() : 0));
    }
    if (++b.rows == s.batch_rows) flush();
  }
  flush();
}

std::vector<CustomerTotals> InteractionStore::totals_per_customer(const InteractionFilter& f) {
  std::vector<SqlValue> params;
  Statement st(p_.db.handle(),
               "SELECT customer_id, COUNT(*), MIN(occurred_at), MAX(occurred_at), "
               "SUM(amount_minor), MIN(currency), MAX(currency) FROM interactions" +
                   where_clause(f, params) + " GROUP BY customer_id ORDER BY customer_id");
  std::vector<CustomerTotals> out;
  CurrencyCache currencies;
  run_totals(st, params, [&] {
    CustomerTotals t;
    t.customer_id = st.integer(0);
    t.count = st.integer(1);
    t.first = from_unix(st.integer(2));
    t.last = from_unix(st.integer(3));
    t.sum = group_sum(st, 4, currencies, "customer " + std::to_string(t.customer_id));
    out.push_back(t);
  });
  return out;
}

std::vector<DayTotals> InteractionStore::totals_per_day(const InteractionFilter& f) {
  std::vector<SqlValue> params;
  // Integer division truncates toward zero; days before 1970 go one lower.
  Statement st(p_.db.handle(),
               "SELECT occurred_at / 86400 - (occurred_at % 86400 < 0) AS day, COUNT(*), "
               "SUM(amount_minor), MIN(currency), MAX(currency) FROM interactions" +
                   where_clause(f, params) + " GROUP BY day ORDER BY day");
  std::vector<DayTotals> out;
  CurrencyCache currencies;
  run_totals(st, params, [&] {
    DayTotals t;
    t.day = Date::from_days(std::chrono::sys_days(std::chrono::days(st.integer(0))));
    t.count = st.integer(1);
    t.sum = group_sum(st, 2, currencies, "day " + t.day.to_string());
    out.push_back(t);
  });
  return out;
}

}  // namespace crm::core
