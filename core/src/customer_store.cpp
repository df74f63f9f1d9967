#include "customer_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "json_text.hpp"

namespace crm::core {
namespace {

constexpr const char* kColumns =
    "id, external_id, name, kind, email, phone, birthday, owner, stage, segment, consent, tags, "
    "attributes, created_at, updated_at";

constexpr const char* kInsertCustomer =
    "INSERT INTO customers (external_id, name, kind, email, email_norm, phone, phone_norm, "
    "birthday, owner, stage, segment, consent, tags, attributes, created_at, updated_at) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

// Binds the 16 parameters of kInsertCustomer (external_id .. updated_at) from `c`.
void bind_customer(Statement& s, const Customer& c, TimePoint created, TimePoint updated) {
  s.bind_text_or_null(1, c.external_id);
  s.bind(2, c.name);
  s.bind(3, to_string(c.kind));
  s.bind_text_or_null(4, c.email);
  s.bind_text_or_null(5, normalize_email(c.email));
  s.bind_text_or_null(6, c.phone);
  s.bind_text_or_null(7, normalize_phone(c.phone));
  if (c.birthday) {
    s.bind(8, c.birthday->to_string());
  } else {
    s.bind(8, nullptr);
  }
  s.bind_text_or_null(9, c.owner);
  s.bind(10, c.stage);
  s.bind_text_or_null(11, c.segment);
  s.bind(12, json_text(c.consent, "consent"));
  s.bind(13, json_text(c.tags, "tags"));
  s.bind(14, json_text(c.attributes, "attributes"));
  s.bind(15, to_unix(created));
  s.bind(16, to_unix(updated));
}

// The fields that differ, as {"field": {"old": .., "new": ..}}: the audit
// record and the payload of customer.updated ("field changed", "old value was").
Json diff(const Customer& a, const Customer& b) {
  Json ja = to_json(a), jb = to_json(b);
  Json out = Json::object();
  for (auto it = jb.begin(); it != jb.end(); ++it) {
    if (it.key() == "updated_at" || it.key() == "created_at" || it.key() == "id") continue;
    if (ja[it.key()] != it.value()) out[it.key()] = {{"old", ja[it.key()]}, {"new", it.value()}};
  }
  return out;
}

// Runs an INSERT or UPDATE of `c`, turning the UNIQUE violation into a
// message that names the external id.
void run_checking_external_id(Statement& s, const Customer& c) {
  try {
    s.run();
  } catch (const StoreError& e) {
    if (std::string_view(e.what()).find("UNIQUE") != std::string_view::npos) {
      throw DuplicateKey("external id '" + c.external_id + "' is taken by another customer");
    }
    throw;
  }
}

// The birthday column: NULL, or "YYYY-MM-DD" as bind_customer() writes it.
// A row written while the birthday was text may hold any form parse_time()
// took ("19900517", "1990-05-17 10:00", with an offset): it reads as its
// UTC day, the day the kernel and the plugin template took it for then, and
// is written back as "YYYY-MM-DD" on the customer's next update. No empty
// text was ever written (an empty birthday was bound as NULL), but one
// reads as none. Throws StoreError naming the row for anything else.
std::optional<Date> stored_birthday(const SqlRow& r, std::size_t column, CustomerId id) {
  if (r.is_null(column) || r.text(column).empty()) return std::nullopt;
  const std::string& text = r.text(column);
  try {
    if (text.size() == 10) return Date::parse(text);
    return Date::from_days(std::chrono::floor<std::chrono::days>(parse_time(text)));
  } catch (const InvalidInput& e) {
    throw StoreError("customers.birthday of customer " + std::to_string(id) + ": " + e.what());
  }
}

// `text` with the LIKE wildcards % and _, and the escape character itself,
// escaped by a backslash: LIKE ... ESCAPE '\' then matches it literally.
std::string escape_like(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace

void validate_customer(const Customer& c) {
  require_utf8(c.name, "customer name");
  if (c.name.empty()) throw InvalidInput("customer name is empty");
  require_utf8(c.external_id, "customer external_id");
  require_utf8(c.email, "customer email");
  require_utf8(c.phone, "customer phone");
  require_utf8(c.owner, "customer owner");
  require_utf8(c.stage, "customer stage");
  require_utf8(c.segment, "customer segment");
  for (const auto& entry : c.consent) require_utf8(entry.first, "customer consent channel");
  for (const std::string& tag : c.tags) require_utf8(tag, "customer tags");
  require_utf8_json(c.attributes, "customer attributes");
  for (const ContactPerson& p : c.contacts) {
    require_utf8(p.name, "customer contact name");
    require_utf8(p.role, "customer contact role");
    require_utf8(p.email, "customer contact email");
    require_utf8(p.phone, "customer contact phone");
  }
  if (!c.email.empty() && c.email.find('@') == std::string::npos) {
    throw InvalidInput("invalid email '" + c.email + "'");
  }
  const auto primaries =
      std::count_if(c.contacts.begin(), c.contacts.end(), [](const auto& p) { return p.primary; });
  if (primaries > 1) throw InvalidInput("customer has more than one primary contact person");
  if (!c.attributes.is_object() && !c.attributes.is_null()) {
    throw InvalidInput("customer attributes must be a JSON object");
  }
}

CustomerId CustomerStore::add(const Customer& c, const Actor& by) {
  validate_customer(c);
  const TimePoint now = p_.clock.now();
  Transaction tx(p_.db);
  Statement& s = p_.db.statement(kInsertCustomer);
  bind_customer(s, c, now, now);
  run_checking_external_id(s, c);
  const CustomerId id = p_.db.last_insert_id();
  if (!c.contacts.empty()) write_contacts(id, c.contacts);
  p_.audit.record(by, "customer.create", "customer", id, id, Json{{"name", c.name}});
  p_.bus.publish(Event{events::kCustomerCreated, now, id, Json::object()});
  tx.commit();
  return id;
}

std::vector<AddOutcome> CustomerStore::add_many(std::span<const Customer> customers,
                                                const Actor& by) {
  std::vector<AddOutcome> out(customers.size());
  const TimePoint now = p_.clock.now();
  Transaction tx(p_.db);
  Statement& s = p_.db.statement(kInsertCustomer);
  std::vector<AuditRow> audit;
  audit.reserve(customers.size());
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const Customer& c = customers[i];
    // One statement per customer: when it fails nothing of the customer was
    // written, so the batch needs no savepoint per customer.
    std::string detail = "{\"name\":";
    try {
      validate_customer(c);
      append_json_string(detail, c.name, "name");
      detail += '}';
      s.reset();
      bind_customer(s, c, now, now);
      run_checking_external_id(s, c);
    } catch (const InvalidInput& e) {
      out[i].error = e.what();
      continue;
    } catch (const DuplicateKey& e) {
      out[i].error = e.what();
      out[i].duplicate = true;
      continue;
    }
    const CustomerId id = p_.db.last_insert_id();
    out[i].id = id;
    if (!c.contacts.empty()) write_contacts(id, c.contacts);
    audit.push_back({id, id, std::move(detail)});
  }
  p_.audit.record_many(by, "customer.create", "customer", audit);
  for (const AuditRow& row : audit) {
    p_.bus.publish(Event{events::kCustomerCreated, now, row.entity_id, Json::object()});
  }
  tx.commit();
  return out;
}

void CustomerStore::write_contacts(CustomerId id, const std::vector<ContactPerson>& contacts) {
  p_.db.execute("DELETE FROM contact_persons WHERE customer_id = ?", {id});
  for (const ContactPerson& cp : contacts) {
    p_.db.execute(
        "INSERT INTO contact_persons (customer_id, name, role, email, phone, is_primary) "
        "VALUES (?,?,?,?,?,?)",
        {id, cp.name, cp.role, cp.email, cp.phone, std::int64_t{cp.primary ? 1 : 0}});
  }
}

void CustomerStore::record_handover(CustomerId id, const std::string& from, const std::string& to,
                                    const Actor& by) {
  const TimePoint now = p_.clock.now();
  p_.db.execute(
      "INSERT INTO owner_handovers (customer_id, from_owner, to_owner, at, actor) "
      "VALUES (?,?,?,?,?)",
      {id, from, to, to_unix(now), to_string(by)});
  p_.audit.record(by, "customer.handover", "customer", id, id, Json{{"from", from}, {"to", to}});
  p_.bus.publish(Event{events::kOwnerChanged, now, id, Json{{"from", from}, {"to", to}}});
}

void CustomerStore::update(const Customer& c, const Actor& by) {
  validate_customer(c);
  Transaction tx(p_.db);
  const Customer old = get(c.id);
  const TimePoint now = p_.clock.now();
  Statement& s = p_.db.statement(
      "UPDATE customers SET external_id=?, name=?, kind=?, email=?, email_norm=?, phone=?, "
      "phone_norm=?, birthday=?, owner=?, stage=?, segment=?, consent=?, tags=?, attributes=?, "
      "created_at=?, updated_at=? WHERE id=?");
  bind_customer(s, c, old.created_at, now);
  s.bind(17, c.id);
  run_checking_external_id(s, c);
  write_contacts(c.id, c.contacts);
  const Json changes = diff(old, c);
  if (!changes.empty()) {
    p_.audit.record(by, "customer.update", "customer", c.id, c.id, changes);
    if (old.owner != c.owner) record_handover(c.id, old.owner, c.owner, by);
    p_.bus.publish(Event{events::kCustomerUpdated, now, c.id, Json{{"changes", changes}}});
  }
  tx.commit();
}

Customer CustomerStore::read_row(const SqlRow& r) {
  Customer c;
  c.id = r.integer(0);
  c.external_id = r.text(1);
  c.name = r.text(2);
  c.kind = parse_customer_kind(r.text(3));
  c.email = r.text(4);
  c.phone = r.text(5);
  c.birthday = stored_birthday(r, 6, c.id);
  c.owner = r.text(7);
  c.stage = r.text(8);
  c.segment = r.text(9);
  c.consent =
      parse_stored_json(r.text(10), "customers.consent", c.id).get<std::map<std::string, bool>>();
  c.tags = parse_stored_json(r.text(11), "customers.tags", c.id).get<std::vector<std::string>>();
  c.attributes = parse_stored_json(r.text(12), "customers.attributes", c.id);
  c.created_at = from_unix(r.integer(13));
  c.updated_at = from_unix(r.integer(14));
  p_.db.query_each(
      "SELECT name, role, email, phone, is_primary FROM contact_persons WHERE customer_id = ? "
      "ORDER BY is_primary DESC, id",
      {c.id}, [&](const SqlRow& k) {
        c.contacts.push_back({k.text(0), k.text(1), k.text(2), k.text(3), k.integer(4) != 0});
      });
  return c;
}

std::optional<Customer> CustomerStore::find(CustomerId id) {
  std::optional<Customer> out;
  p_.db.query_each(std::string("SELECT ") + kColumns + " FROM customers WHERE id = ?", {id},
                   [&](const SqlRow& r) { out = read_row(r); });
  return out;
}

Customer CustomerStore::get(CustomerId id) {
  auto c = find(id);
  if (!c) throw NotFound("customer " + std::to_string(id) + " not found");
  return *std::move(c);
}

std::optional<Customer> CustomerStore::find_by(MatchKey key, std::string_view value) {
  std::string column, v;
  switch (key) {
    case MatchKey::kExternalId:
      column = "external_id";
      v = std::string(value);
      break;
    case MatchKey::kEmail:
      column = "email_norm";
      v = normalize_email(value);
      break;
    case MatchKey::kPhone:
      column = "phone_norm";
      v = normalize_phone(value);
      break;
  }
  if (v.empty()) return std::nullopt;
  std::optional<Customer> out;
  p_.db.query_each(std::string("SELECT ") + kColumns + " FROM customers WHERE " + column +
                       " = ? ORDER BY id LIMIT 1",
                   {v}, [&](const SqlRow& r) { out = read_row(r); });
  return out;
}

namespace {

// The WHERE clause of `q`'s filters, with its parameters added to `params`.
std::string where_clause(const CustomerQuery& q, std::vector<SqlValue>& params) {
  std::string sql = " WHERE 1=1";
  if (q.owner) {
    sql += " AND owner = ?";
    params.emplace_back(*q.owner);
  }
  if (q.stage) {
    sql += " AND stage = ?";
    params.emplace_back(*q.stage);
  }
  if (q.segment) {
    sql += " AND segment = ?";
    params.emplace_back(*q.segment);
  }
  if (q.tag) {
    // Tags are a JSON array of strings; one element must equal the tag,
    // byte for byte ("vip" is not "VIP", "a_b" is not "axb").
    sql += " AND EXISTS (SELECT 1 FROM json_each(customers.tags) WHERE json_each.value = ?)";
    params.emplace_back(*q.tag);
  }
  if (q.text) {
    // A substring, not a pattern: "50%" finds "50%", not "500".
    sql +=
        " AND (name LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR external_id LIKE ? "
        "ESCAPE '\\')";
    const std::string pat = "%" + escape_like(*q.text) + "%";
    params.insert(params.end(), {pat, pat, pat});
  }
  return sql;
}

}  // namespace

std::vector<Customer> CustomerStore::list(const CustomerQuery& q) {
  std::vector<SqlValue> params;
  std::string sql = std::string("SELECT ") + kColumns + " FROM customers" + where_clause(q, params);
  sql += " ORDER BY id LIMIT ? OFFSET ?";
  params.emplace_back(q.limit);
  params.emplace_back(q.offset);
  std::vector<Customer> out;
  p_.db.query_each(sql, params, [&](const SqlRow& r) { out.push_back(read_row(r)); });
  return out;
}

std::int64_t CustomerStore::count() {
  return p_.db.query("SELECT COUNT(*) FROM customers").at(0).integer(0);
}

std::int64_t CustomerStore::count(const CustomerQuery& q) {
  std::vector<SqlValue> params;
  return p_.db.query("SELECT COUNT(*) FROM customers" + where_clause(q, params), params)
      .at(0)
      .integer(0);
}

Handover CustomerStore::reassign_owner(const std::string& from, const std::string& to,
                                       const Actor& by) {
  if (from.empty() || to.empty()) throw InvalidInput("reassign: owner names must not be empty");
  if (from == to) throw InvalidInput("reassign: --from and --to are both '" + from + "'");
  require_utf8(to, "reassign: new owner");
  Transaction tx(p_.db);
  std::vector<CustomerId> ids;
  p_.db.query_each("SELECT id FROM customers WHERE owner = ? ORDER BY id", {from},
                   [&](const SqlRow& r) { ids.push_back(r.integer(0)); });
  if (ids.empty()) throw NotFound("owner '" + from + "' has no customers");
  const TimePoint now = p_.clock.now();
  // Tasks first, while `from` still marks the customers that move: customers
  // `to` owned already keep their tasks of `from`.
  p_.db.execute(
      "UPDATE tasks SET owner = ? WHERE owner = ? AND status = 'open' AND customer_id IN "
      "(SELECT id FROM customers WHERE owner = ?)",
      {to, from, from});
  const std::int64_t moved_tasks = p_.db.changes();
  p_.db.execute("UPDATE customers SET owner = ?, updated_at = ? WHERE owner = ?",
                {to, to_unix(now), from});
  for (const CustomerId id : ids) record_handover(id, from, to, by);
  tx.commit();
  return Handover{static_cast<std::int64_t>(ids.size()), moved_tasks};
}

std::vector<DuplicateGroup> CustomerStore::find_duplicates() {
  std::vector<DuplicateGroup> out;
  for (const auto& key : {std::pair{"email", "email_norm"}, {"phone", "phone_norm"}}) {
    // Plain names, not a structured binding: the lambda below captures
    // `reason`, which clang before 16 refuses for a binding.
    const char* const reason = key.first;
    const char* const column = key.second;
    const std::string sql = std::string("SELECT ") + column + ", id FROM customers WHERE " +
                            column + " IN (SELECT " + column + " FROM customers WHERE " + column +
                            " IS NOT NULL GROUP BY " + column + " HAVING COUNT(*) > 1) ORDER BY " +
                            column + ", id";
    p_.db.query_each(sql, {}, [&](const SqlRow& r) {
      if (out.empty() || out.back().reason != reason || out.back().value != r.text(0)) {
        out.push_back({reason, r.text(0), {}});
      }
      out.back().ids.push_back(r.integer(1));
    });
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.ids.size() > b.ids.size(); });
  return out;
}

void CustomerStore::merge(CustomerId keep, CustomerId other, const Actor& by) {
  if (keep == other)
    throw InvalidInput("merge: cannot merge customer " + std::to_string(keep) + " into itself");
  Transaction tx(p_.db);
  Customer k = get(keep);
  const Customer o = get(other);
  // Fill what the survivor lacks; what it has wins.
  const auto fill = [](std::string& a, const std::string& b) {
    if (a.empty()) a = b;
  };
  fill(k.email, o.email);
  fill(k.phone, o.phone);
  if (!k.birthday) k.birthday = o.birthday;
  fill(k.owner, o.owner);
  fill(k.segment, o.segment);
  std::set<std::string> tags(k.tags.begin(), k.tags.end());
  for (const auto& t : o.tags) {
    if (tags.insert(t).second) k.tags.push_back(t);
  }
  for (const auto& [ch, ok] : o.consent) {
    // An opt-out given to either record must be honoured by the survivor.
    auto it = k.consent.find(ch);
    if (it == k.consent.end())
      k.consent[ch] = ok;
    else
      it->second = it->second && ok;
  }
  if (o.attributes.is_object()) {
    for (auto it = o.attributes.begin(); it != o.attributes.end(); ++it) {
      if (!k.attributes.contains(it.key())) k.attributes[it.key()] = it.value();
    }
  }
  const bool keep_has_primary =
      std::any_of(k.contacts.begin(), k.contacts.end(), [](const auto& c) { return c.primary; });
  for (ContactPerson cp : o.contacts) {
    if (keep_has_primary) cp.primary = false;
    k.contacts.push_back(cp);
  }
  // The other's external id must be released before the survivor may take it.
  const std::string other_ext = o.external_id;
  p_.db.execute("UPDATE customers SET external_id = NULL WHERE id = ?", {other});
  fill(k.external_id, other_ext);

  // Every declared per-customer table, the kernel's and the plugins', as
  // declared (customer_table.hpp).
  const std::map<std::string, std::int64_t> moved = tables_.merge(keep, other);
  const auto moved_of = [&moved](const char* table) {
    const auto it = moved.find(table);
    return it == moved.end() ? std::int64_t{0} : it->second;
  };

  const TimePoint now = p_.clock.now();
  const Json payload{{"kept", keep},
                     {"merged", other},
                     {"interactions", moved_of("interactions")},
                     {"tasks", moved_of("tasks")}};
  // Before-commit subscribers run inside this transaction, for what a
  // table declaration cannot say.
  p_.bus.publish(Event{events::kCustomerMerged, now, keep, payload});
  p_.db.execute("DELETE FROM customers WHERE id = ?", {other});
  p_.db.execute(
      "INSERT INTO customer_merges (kept_id, merged_id, merged_record, at, actor) "
      "VALUES (?,?,?,?,?)",
      {keep, other, to_json(o).dump(), to_unix(now), to_string(by)});
  p_.audit.record(by, "customer.merge", "customer", keep, keep, payload);
  Statement& s = p_.db.statement(
      "UPDATE customers SET external_id=?, name=?, kind=?, email=?, email_norm=?, phone=?, "
      "phone_norm=?, birthday=?, owner=?, stage=?, segment=?, consent=?, tags=?, attributes=?, "
      "created_at=?, updated_at=? WHERE id=?");
  bind_customer(s, k, std::min(k.created_at, o.created_at), now);
  s.bind(17, keep);
  s.run();
  write_contacts(keep, k.contacts);
  tx.commit();
}

}  // namespace crm::core

namespace crm::core {

std::vector<SegmentChange> CustomerStore::set_segments(std::span<const SegmentAssignment> segments,
                                                       const Actor& by) {
  for (const SegmentAssignment& a : segments) require_utf8(a.segment, "customer segment");
  Transaction tx(p_.db);
  const TimePoint now = p_.clock.now();
  Statement& read = p_.db.statement("SELECT segment FROM customers WHERE id = ?");
  Statement& write =
      p_.db.statement("UPDATE customers SET segment = ?, updated_at = ? WHERE id = ?");
  std::vector<SegmentChange> changes;
  std::vector<AuditRow> audit;
  for (const SegmentAssignment& a : segments) {
    read.reset().bind(1, a.id);
    if (!read.step()) {
      read.reset();
      throw NotFound("customer " + std::to_string(a.id) + " not found");
    }
    std::string previous(read.text_view(0));
    read.reset();
    if (previous == a.segment) continue;
    write.reset().bind_text_or_null(1, a.segment).bind(2, to_unix(now)).bind(3, a.id);
    write.run();
    audit.push_back(
        {a.id, a.id, Json{{"segment", {{"old", previous}, {"new", a.segment}}}}.dump()});
    changes.push_back({a.id, std::move(previous), a.segment});
  }
  p_.audit.record_many(by, "customer.update", "customer", audit);
  for (const SegmentChange& c : changes) {
    p_.bus.publish(
        Event{events::kCustomerUpdated, now, c.id,
              Json{{"changes", {{"segment", {{"old", c.previous}, {"new", c.segment}}}}}}});
  }
  tx.commit();
  return changes;
}

}  // namespace crm::core
