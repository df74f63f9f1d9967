#include "customer_table_set.hpp"

#include <algorithm>
#include <cctype>

#include "crm/error.hpp"
#include "store_parts.hpp"

namespace crm::core {
namespace {

CustomerTable kernel_table(std::string table, OnMerge m, OnErase e,
                           std::vector<AnonymisedColumn> anonymise = {},
                           std::string column = "customer_id") {
  CustomerTable t;
  t.table = std::move(table);
  t.customer_column = std::move(column);
  t.on_merge = m;
  t.on_erase = e;
  t.anonymise = std::move(anonymise);
  t.owner = "kernel";
  return t;
}

// Names go into SQL text: only plain identifiers are accepted, so a
// declaration cannot smuggle SQL in.
bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
  });
}

Json to_json_value(const SqlValue& v) {
  if (std::holds_alternative<std::int64_t>(v)) return std::get<std::int64_t>(v);
  if (std::holds_alternative<double>(v)) return std::get<double>(v);
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  return nullptr;
}

bool is_unique_violation(const StoreError& e) {
  return std::string_view(e.what()).find("UNIQUE") != std::string_view::npos;
}

}  // namespace

const std::vector<CustomerTable>& kernel_customer_tables() {
  using M = OnMerge;
  using E = OnErase;
  static const std::vector<CustomerTable> tables = {
      // What happened stays countable (kind, channel, time, amount); what was
      // said and promised goes.
      kernel_table("interactions", M::kKeepBoth, E::kAnonymise,
                   {{"notes", nullptr}, {"payload", "{}"}, {"commitments", "[]"}}),
      kernel_table("tasks", M::kKeepBoth, E::kAnonymise, {{"title", "(erased)"}}),
      // A case stays countable (type, category, status, times); what the
      // complainant said and wanted goes (its history's notes with it: see
      // CustomerPrivacyStore::erase).
      kernel_table("cases", M::kKeepBoth, E::kAnonymise,
                   {{"subject", "(erased)"}, {"appeal_point", nullptr}, {"context", "{}"}}),
      // The units a customer owns: the survivor owns them after a merge; an
      // erased customer's serials and warranty dates name nobody and keep
      // the warranty statistics whole.
      kernel_table("assets", M::kKeepBoth, E::kKeep),
      // Part of the customer record: the merge copies the merged record's
      // contact persons into the survivor's, so the originals are dropped.
      kernel_table("contact_persons", M::kDrop, E::kDelete),
      // Staff names and times only.
      kernel_table("owner_handovers", M::kKeepBoth, E::kKeep),
      // Who did what when stays; what the details said (names, old and new
      // e-mail addresses) goes.
      kernel_table("audit_log", M::kKeepBoth, E::kAnonymise, {{"details", R"({"erased":true})"}}),
      // A merged record is a copy of a customer: it goes with the survivor.
      kernel_table("customer_merges", M::kKeepBoth, E::kAnonymise,
                   {{"merged_record", R"({"erased":true})"}}, "kept_id"),
      // Pending reminders and waits of an erased customer must not fire.
      kernel_table("timers", M::kKeepBoth, E::kDelete),
      // One active instance per workflow and customer: two clashing ones
      // refuse the merge (cancel one first) rather than lose one.
      kernel_table("workflow_instances", M::kKeepBoth, E::kAnonymise, {{"variables", "{}"}}),
  };
  return tables;
}

bool CustomerTableSet::exists(const std::string& table) {
  return !db_.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {table})
              .empty();
}

std::vector<std::string> CustomerTableSet::columns(const std::string& table) {
  std::vector<std::string> out;
  db_.query_each("SELECT name FROM pragma_table_info(?)", {table},
                 [&](const SqlRow& r) { out.push_back(r.text(0)); });
  return out;
}

void CustomerTableSet::declare(std::string_view owner, const CustomerTable& t) {
  const std::string what = "customer table '" + t.table + "' of '" + std::string(owner) + "'";
  if (owner.empty()) throw InvalidInput(what + ": the owner is empty");
  if (owner == "kernel") throw InvalidInput(what + ": the owner name 'kernel' is reserved");
  if (!is_identifier(t.table)) throw InvalidInput(what + ": not a plain table name");
  for (const CustomerTable& k : kernel_customer_tables()) {
    if (k.table == t.table) throw Conflict(what + ": the table is the kernel's");
  }
  if (!exists(t.table)) throw InvalidInput(what + ": no such table (declare it after migrating)");
  const std::vector<std::string> cols = columns(t.table);
  const auto has = [&](const std::string& c) {
    return std::find(cols.begin(), cols.end(), c) != cols.end();
  };
  if (!has(t.customer_column)) {
    throw InvalidInput(what + ": no customer column '" + t.customer_column + "'");
  }
  if (t.on_erase == OnErase::kAnonymise && t.anonymise.empty()) {
    throw InvalidInput(what + ": on erase 'anonymise' names no column to anonymise");
  }
  if (t.on_erase != OnErase::kAnonymise && !t.anonymise.empty()) {
    throw InvalidInput(what + ": columns to anonymise are given but on erase is '" +
                       to_string(t.on_erase) + "'");
  }
  for (const AnonymisedColumn& a : t.anonymise) {
    if (a.column == t.customer_column) {
      throw InvalidInput(what + ": the customer column '" + a.column + "' cannot be anonymised");
    }
    if (!has(a.column)) throw InvalidInput(what + ": no column '" + a.column + "' to anonymise");
  }
  CustomerTable stored = t;
  stored.owner = std::string(owner);
  const std::string text = to_json(stored).dump();
  const auto row =
      db_.query("SELECT owner, declaration FROM customer_tables WHERE table_name = ?", {t.table});
  if (!row.empty()) {
    if (row[0].text(0) != owner) {
      throw Conflict(what + ": the table is declared by '" + row[0].text(0) + "'");
    }
    if (row[0].text(1) == text) return;  // every start declares again: write only a change
  }
  // Schema metadata, like a migration step: not an audited business write.
  db_.execute(
      "INSERT INTO customer_tables (table_name, owner, declaration) VALUES (?,?,?) "
      "ON CONFLICT (table_name) DO UPDATE SET declaration = excluded.declaration",
      {t.table, stored.owner, text});
}

std::vector<CustomerTable> CustomerTableSet::tables() {
  std::vector<CustomerTable> out = kernel_customer_tables();
  std::int64_t n = 0;
  db_.query_each(
      "SELECT declaration FROM customer_tables ORDER BY owner, table_name", {},
      [&](const SqlRow& r) {
        out.push_back(
            parse_stored_json(r.text(0), "customer_tables.declaration", ++n).get<CustomerTable>());
      });
  return out;
}

std::map<std::string, std::int64_t> CustomerTableSet::merge(CustomerId keep, CustomerId other) {
  std::map<std::string, std::int64_t> moved;
  for (const CustomerTable& t : tables()) {
    if (!exists(t.table)) continue;
    const std::string where = " WHERE " + t.customer_column + " = ?";
    switch (t.on_merge) {
      case OnMerge::kDrop:
        db_.execute("DELETE FROM " + t.table + where, {other});
        moved[t.table] = 0;
        break;
      case OnMerge::kMoveToSurvivor:
        // Rows that would clash with the survivor's stay behind, then go.
        db_.execute("UPDATE OR IGNORE " + t.table + " SET " + t.customer_column + " = ?" + where,
                    {keep, other});
        moved[t.table] = db_.changes();
        db_.execute("DELETE FROM " + t.table + where, {other});
        break;
      case OnMerge::kKeepBoth:
        try {
          db_.execute("UPDATE " + t.table + " SET " + t.customer_column + " = ?" + where,
                      {keep, other});
        } catch (const StoreError& e) {
          if (!is_unique_violation(e)) throw;
          throw Conflict("merge: table '" + t.table + "' of '" + t.owner + "': customers " +
                         std::to_string(keep) + " and " + std::to_string(other) +
                         " both have a row with the same unique key, and its rows are all kept "
                         "(keep_both): nothing was merged");
        }
        moved[t.table] = db_.changes();
        break;
    }
  }
  return moved;
}

void CustomerTableSet::erase(CustomerId id, ErasureReport& report) {
  for (const CustomerTable& t : tables()) {
    if (!exists(t.table)) continue;
    const std::string name = t.owner + "." + t.table;
    const std::string where = " WHERE " + t.customer_column + " = ?";
    switch (t.on_erase) {
      case OnErase::kDelete:
        db_.execute("DELETE FROM " + t.table + where, {id});
        report.deleted[name] = db_.changes();
        break;
      case OnErase::kAnonymise: {
        std::string set;
        std::vector<SqlValue> params;
        for (const AnonymisedColumn& a : t.anonymise) {
          set += (set.empty() ? "" : ", ") + a.column + " = ?";
          params.push_back(a.value);
        }
        params.emplace_back(id);
        db_.execute("UPDATE " + t.table + " SET " + set + where, params);
        report.anonymised[name] = db_.changes();
        break;
      }
      case OnErase::kKeep:
        break;
    }
  }
}

Json CustomerTableSet::rows_of(CustomerId id) {
  Json out = Json::object();
  for (const CustomerTable& t : tables()) {
    if (!exists(t.table)) continue;
    const std::vector<std::string> cols = columns(t.table);
    std::string list;
    for (const std::string& c : cols) list += (list.empty() ? "" : ", ") + c;
    Json rows = Json::array();
    db_.query_each("SELECT " + list + " FROM " + t.table + " WHERE " + t.customer_column +
                       " = ? ORDER BY rowid",
                   {id}, [&](const SqlRow& r) {
                     Json row = Json::object();
                     for (std::size_t i = 0; i < cols.size(); ++i) {
                       row[cols[i]] = to_json_value(r.value(i));
                     }
                     rows.push_back(std::move(row));
                   });
    out[t.owner][t.table] = std::move(rows);
  }
  return out;
}

}  // namespace crm::core
