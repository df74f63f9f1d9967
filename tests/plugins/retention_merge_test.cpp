// The bundled retention plugin's merge hook: when customers are merged, the
// merged customer's history (segment changes, churn records) moves to the
// survivor and its derived scores (RFM, CLV, churn risk) are dropped, while
// the survivor's own rows stay as they were.
#include <gtest/gtest.h>

#include "crm/kernel.hpp"
#include "crm/time.hpp"

namespace {

using crm::CustomerId;

class RetentionMerge : public ::testing::Test {
 protected:
  static crm::KernelOptions options() {
    crm::KernelOptions o;
    o.database = ":memory:";
    o.plugin_dirs = {CRM_PLUGIN_DIR};
    o.use_bundled_plugins = false;
    o.use_plugin_path_env = false;
    o.simulated_start = crm::parse_time("2026-01-05T12:00:00Z");
    return o;
  }
  crm::Kernel k{options()};
  crm::Database& db = k.store().db();

  CustomerId add(const std::string& name) {
    crm::Customer c;
    c.name = name;
    return k.store().customers().add(c, crm::Actor::user("t"));
  }
  // One row of every retention table for customer `id`, with `tag` in a
  // column that says whose row it was.
  void rows_for(CustomerId id, const std::string& tag) {
    db.execute(
        "INSERT INTO retention_rfm (customer_id, as_of, recency_days, frequency, monetary, r, f, "
        "m, segment) VALUES (?, '2025-12-31', 10, 3, 99.5, 5, 3, 4, ?)",
        {id, tag});
    db.execute(
        "INSERT INTO retention_segment_history (customer_id, segment, previous, as_of, "
        "changed_at) VALUES (?, ?, NULL, '2025-12-31', 1)",
        {id, tag});
    db.execute(
        "INSERT INTO retention_clv (customer_id, model_id, horizon, p_alive, expected_purchases, "
        "expected_spend, clv) VALUES (?, 1, 52, 0.5, 2, 40, 80)",
        {id});
    db.execute(
        "INSERT INTO retention_churn_records (customer_id, churned_on, reason, competitor, "
        "recorded_at) VALUES (?, '2025-12-01', ?, NULL, 1)",
        {id, tag});
    db.execute(
        "INSERT INTO retention_churn_risk (customer_id, score, computed_at) VALUES (?, 0.7, 1)",
        {id});
  }
  std::vector<std::pair<CustomerId, std::string>> pairs(const std::string& sql) {
    std::vector<std::pair<CustomerId, std::string>> out;
    for (const auto& r : db.query(sql)) out.emplace_back(r.integer(0), r.text(1));
    return out;
  }
  std::vector<CustomerId> ids(const std::string& table) {
    std::vector<CustomerId> out;
    for (const auto& r : db.query("SELECT customer_id FROM " + table + " ORDER BY customer_id"))
      out.push_back(r.integer(0));
    return out;
  }
};

TEST_F(RetentionMerge, PluginIsLoaded) {
  bool started = false;
  for (const auto& p : k.plugins()) started |= p.name == "retention" && p.status == "started";
  ASSERT_TRUE(started);
}

TEST_F(RetentionMerge, HistoryMovesAndTheMergedCustomersScoresAreDropped) {
  const CustomerId keep = add("Keep"), other = add("Other"), bystander = add("Bystander");
  rows_for(keep, "keep");
  rows_for(other, "other");
  rows_for(bystander, "bystander");

  k.store().customers().merge(keep, other, crm::Actor::user("t"));

  using P = std::vector<std::pair<CustomerId, std::string>>;
  EXPECT_EQ(pairs("SELECT customer_id, segment FROM retention_segment_history ORDER BY id"),
            (P{{keep, "keep"}, {keep, "other"}, {bystander, "bystander"}}));
  EXPECT_EQ(pairs("SELECT customer_id, reason FROM retention_churn_records ORDER BY id"),
            (P{{keep, "keep"}, {keep, "other"}, {bystander, "bystander"}}));
  // Scores are per customer: the survivor's stay, the merged one's go.
  EXPECT_EQ(pairs("SELECT customer_id, segment FROM retention_rfm ORDER BY customer_id"),
            (P{{keep, "keep"}, {bystander, "bystander"}}));
  EXPECT_EQ(ids("retention_clv"), (std::vector<CustomerId>{keep, bystander}));
  EXPECT_EQ(ids("retention_churn_risk"), (std::vector<CustomerId>{keep, bystander}));
}

TEST_F(RetentionMerge, AFailedMergeMovesNothing) {
  const CustomerId keep = add("Keep"), other = add("Other");
  rows_for(other, "other");
  // Merging into a customer that does not exist fails before anything moves.
  EXPECT_ANY_THROW(k.store().customers().merge(keep + 100, other, crm::Actor::user("t")));
  EXPECT_EQ(ids("retention_segment_history"), std::vector<CustomerId>{other});
  EXPECT_EQ(ids("retention_rfm"), std::vector<CustomerId>{other});
}

}  // namespace
