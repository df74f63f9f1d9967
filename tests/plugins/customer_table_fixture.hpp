// A kernel with the retention and loyalty plugins, and customers that have
// rows in every per-customer table: the kernel's (interactions, tasks,
// audit, hand-overs, contacts, timers) and both plugins'.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "crm/case.hpp"
#include "crm/kernel.hpp"
#include "crm/time.hpp"

namespace customer_tables_test {

using crm::CustomerId;

inline crm::KernelOptions options(const std::string& database = ":memory:") {
  crm::KernelOptions o;
  o.database = database;
  o.plugin_dirs = {CRM_PLUGIN_DIR, CRM_LOYALTY_PLUGIN_DIR};
  o.use_bundled_plugins = false;
  o.use_plugin_path_env = false;
  o.simulated_start = crm::parse_time("2026-01-05T12:00:00Z");
  return o;
}

class CustomerTables : public ::testing::Test {
 protected:
  crm::Kernel k{options()};
  crm::Database& db = k.store().db();
  const crm::Actor by = crm::Actor::user("t");

  // A customer whose personal data all carries `tag`, with a row in every
  // per-customer table.
  CustomerId add(const std::string& tag, bool loyalty_account = true) {
    crm::Customer c;
    c.name = tag + " Person";
    c.email = tag + "@example.org";
    c.phone = "+49 30 " + std::to_string(tag.size()) + "0001";
    c.external_id = "ext-" + tag;
    c.birthday = crm::Date(1980, 2, 3);
    c.owner = "ann";
    c.tags = {"tag-" + tag};
    c.attributes = crm::Json{{"hobby", tag + "-hobby"}};
    c.contacts = {{tag + " Contact", "buyer", tag + ".contact@example.org", "", true}};
    const CustomerId id = k.store().customers().add(c, by);
    c = k.store().customers().get(id);
    c.owner = "bob";  // a hand-over row
    k.store().customers().update(c, by);

    crm::Interaction i;
    i.customer_id = id;
    i.channel = "phone";
    i.kind = "call";
    i.occurred_at = crm::parse_time("2025-12-01T10:00:00Z");
    i.notes = tag + " said something private";
    i.commitments = {"call " + tag + " back"};
    i.payload = crm::Json{{"spoken_to", tag}};
    k.store().interactions().record(i, by);

    crm::Task t;
    t.customer_id = id;
    t.title = "visit " + tag;
    k.store().tasks().add(t, by);
    k.scheduler().schedule(crm::parse_time("2026-02-01T00:00:00Z"), "remind",
                           crm::Json{{"who", tag}}, id);

    db.execute(
        "INSERT INTO retention_rfm (customer_id, as_of, recency_days, frequency, monetary, r, f, "
        "m, segment) VALUES (?, '2025-12-31', 10, 3, 99.5, 5, 3, 4, 'Champions')",
        {id});
    db.execute(
        "INSERT INTO retention_segment_history (customer_id, segment, previous, as_of, "
        "changed_at) VALUES (?, 'Champions', NULL, '2025-12-31', 1)",
        {id});
    db.execute(
        "INSERT INTO retention_clv (customer_id, model_id, horizon, p_alive, expected_purchases, "
        "expected_spend, clv) VALUES (?, 1, 52, 0.5, 2, 40, 80)",
        {id});
    db.execute(
        "INSERT INTO retention_churn_records (customer_id, churned_on, reason, competitor, "
        "recorded_at) VALUES (?, '2025-12-01', 'price', NULL, 1)",
        {id});
    db.execute(
        "INSERT INTO retention_churn_risk (customer_id, score, computed_at) VALUES (?, 0.7, 1)",
        {id});
    // A complaint whose subject and history speak of the person, and a
    // serialised unit the customer owns.
    crm::Case complaint;
    complaint.customer_id = id;
    complaint.subject = tag + "'s kettle leaks";
    complaint.appeal_point = "refund for " + tag;
    complaint.context = crm::Json{{"caller", tag}};
    const crm::CaseId case_id = k.store().cases().open(complaint, by);
    k.store().cases().set_status(case_id, crm::Case::Status::kInProgress, tag + " called again",
                                 by);
    crm::Asset unit;
    unit.customer_id = id;
    unit.product_id = kettle();
    unit.serial = "SN-" + std::to_string(id);
    unit.purchased_on = crm::Date(2025, 11, 20);
    k.store().assets().add(unit, by);
    earn(id, 100, tag + " first purchase");
    earn(id, 5, tag + " birthday bonus");
    if (loyalty_account) {
      db.execute("INSERT INTO loyalty_accounts (customer_id, points, card_number) VALUES (?,?,?)",
                 {id, std::int64_t{105}, "card-" + tag});
    }
    return id;
  }

  // The serialised product of every customer's unit, added once.
  crm::ProductId kettle() {
    if (const auto p = k.store().products().find_by_sku("KETTLE-1")) return p->id;
    crm::Product p;
    p.sku = "KETTLE-1";
    p.name = "Kettle";
    p.serialised = true;
    p.warranty_months = 24;
    return k.store().products().add(p, by);
  }

  void earn(CustomerId id, std::int64_t points, const std::string& note) {
    db.execute("INSERT INTO loyalty_ledger (customer_id, points, at, note) VALUES (?,?,1,?)",
               {id, points, note});
  }

  // Rows of `id` in each declared table, by "owner.table".
  std::map<std::string, std::int64_t> rows_of(CustomerId id) {
    std::map<std::string, std::int64_t> out;
    for (const crm::CustomerTable& t : k.store().customer_tables().tables()) {
      out[t.owner + "." + t.table] =
          db.query("SELECT COUNT(*) FROM " + t.table + " WHERE " + t.customer_column + " = ?", {id})
              .at(0)
              .integer(0);
    }
    return out;
  }

  std::int64_t count(const std::string& sql, const std::vector<crm::SqlValue>& params = {}) {
    return db.query(sql, params).at(0).integer(0);
  }

  // Every text cell of every table of the database that contains `needle`,
  // as "table.column".
  std::vector<std::string> cells_containing(const std::string& needle) {
    std::vector<std::string> out;
    for (const auto& t : db.query("SELECT name FROM sqlite_master WHERE type = 'table'")) {
      const std::string table = t.text(0);
      for (const auto& c : db.query("SELECT name FROM pragma_table_info(?)", {table})) {
        const std::string column = c.text(0);
        const auto n =
            count("SELECT COUNT(*) FROM " + table + " WHERE CAST(" + column + " AS TEXT) LIKE ?",
                  {"%" + needle + "%"});
        if (n > 0) out.push_back(table + "." + column);
      }
    }
    return out;
  }
};

}  // namespace customer_tables_test
