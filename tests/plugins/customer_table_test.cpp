// Merging customers over declared per-customer tables: the kernel's own and
// two plugins' (retention, and the loyalty fixture), with no merge code in
// either plugin beyond the loyalty balance's recomputation.
#include <gtest/gtest.h>

#include "crm/error.hpp"
#include "customer_table_fixture.hpp"

namespace customer_tables_test {
namespace {

TEST_F(CustomerTables, BothPluginsStartedAndDeclaredTheirTables) {
  std::map<std::string, std::string> declared;
  for (const crm::CustomerTable& t : k.store().customer_tables().tables()) {
    declared[t.table] = t.owner + ":" + to_string(t.on_merge) + ":" + to_string(t.on_erase);
  }
  EXPECT_EQ(declared["loyalty_accounts"], "loyalty:move:delete");
  EXPECT_EQ(declared["loyalty_ledger"], "loyalty:keep_both:anonymise");
  EXPECT_EQ(declared["retention_rfm"], "retention:drop:delete");
  EXPECT_EQ(declared["retention_segment_history"], "retention:keep_both:keep");
  EXPECT_EQ(declared["interactions"], "kernel:keep_both:anonymise");
  EXPECT_EQ(declared["audit_log"], "kernel:keep_both:anonymise");
}

TEST_F(CustomerTables, MergeLeavesNoRowOfTheMergedCustomerAnywhere) {
  const CustomerId keep = add("Keepwell"), other = add("Otherby"), bystander = add("Standoff");
  const auto keep_before = rows_of(keep), other_before = rows_of(other),
             bystander_before = rows_of(bystander);
  k.store().customers().merge(keep, other, by);

  for (const auto& [table, n] : rows_of(other)) EXPECT_EQ(n, 0) << table;
  EXPECT_EQ(rows_of(bystander), bystander_before);
  const auto after = rows_of(keep);
  // History of both, on the survivor.
  for (const char* t :
       {"kernel.interactions", "kernel.tasks", "kernel.owner_handovers", "kernel.timers",
        "kernel.cases", "kernel.assets", "loyalty.loyalty_ledger",
        "retention.retention_segment_history", "retention.retention_churn_records"}) {
    EXPECT_EQ(after.at(t), keep_before.at(t) + other_before.at(t)) << t;
  }
  // Scores: the survivor's own only. One account per customer: the survivor's.
  for (const char* t : {"retention.retention_rfm", "retention.retention_clv",
                        "retention.retention_churn_risk", "loyalty.loyalty_accounts"}) {
    EXPECT_EQ(after.at(t), 1) << t;
  }
  // The survivor's contact is primary and the merged one's joined it.
  EXPECT_EQ(after.at("kernel.contact_persons"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM contact_persons WHERE customer_id = ? AND is_primary = 1",
                  {keep}),
            1);
  // The merge's own record and audit row: one more than the two had.
  EXPECT_EQ(after.at("kernel.customer_merges"), 1);
  EXPECT_EQ(after.at("kernel.audit_log"),
            keep_before.at("kernel.audit_log") + other_before.at("kernel.audit_log") + 1);
}

TEST_F(CustomerTables, TheSurvivorsAccountWinsAndItsBalanceIsTheWholeLedger) {
  const CustomerId keep = add("Keepwell"), other = add("Otherby");
  earn(other, 40, "extra");
  k.store().customers().merge(keep, other, by);
  const auto rows =
      db.query("SELECT card_number, points FROM loyalty_accounts WHERE customer_id = ?", {keep});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].text(0), "card-Keepwell");
  EXPECT_EQ(rows[0].integer(1), 105 + 105 + 40);
  EXPECT_EQ(count("SELECT COUNT(*) FROM loyalty_ledger WHERE customer_id = ? AND note LIKE "
                  "'Otherby%'",
                  {keep}),
            2);
}

TEST_F(CustomerTables, TheMergedAccountMovesWhenTheSurvivorHasNone) {
  const CustomerId keep = add("Keepwell", /*loyalty_account=*/false), other = add("Otherby");
  k.store().customers().merge(keep, other, by);
  const auto rows =
      db.query("SELECT card_number, points FROM loyalty_accounts WHERE customer_id = ?", {keep});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].text(0), "card-Otherby");
  EXPECT_EQ(rows[0].integer(1), 210);
}

TEST_F(CustomerTables, AKeepBothClashRefusesTheMergeAndMovesNothing) {
  db.execute("CREATE TABLE test_badges (customer_id INTEGER NOT NULL UNIQUE, badge TEXT)");
  crm::CustomerTable t;
  t.table = "test_badges";
  t.on_merge = crm::OnMerge::kKeepBoth;
  k.store().customer_tables().declare("test", t);
  const CustomerId keep = add("Keepwell"), other = add("Otherby");
  db.execute("INSERT INTO test_badges VALUES (?, 'gold'), (?, 'silver')", {keep, other});
  const auto before = rows_of(other);
  try {
    k.store().customers().merge(keep, other, by);
    FAIL() << "merged";
  } catch (const crm::Conflict& e) {
    EXPECT_NE(std::string(e.what()).find("'test_badges' of 'test'"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(k.store().customers().find(other).has_value());
  EXPECT_EQ(rows_of(other), before);
}

TEST_F(CustomerTables, DeclarationsAreCheckedAndNamed) {
  db.execute("CREATE TABLE test_points (customer_id INTEGER, note TEXT NOT NULL)");
  auto refusal = [&](const std::string& owner, crm::CustomerTable t) -> std::string {
    try {
      k.store().customer_tables().declare(owner, t);
    } catch (const crm::Error& e) {
      return e.what();
    }
    return "accepted";
  };
  crm::CustomerTable t;
  t.table = "test_points";
  EXPECT_EQ(refusal("test", t), "accepted");
  t.table = "no_such";
  EXPECT_EQ(refusal("test", t),
            "customer table 'no_such' of 'test': no such table (declare it after migrating)");
  t.table = "test_points; DROP TABLE customers";
  EXPECT_EQ(refusal("test", t),
            "customer table 'test_points; DROP TABLE customers' of 'test': not a plain table name");
  t.table = "test_points";
  t.customer_column = "client";
  EXPECT_EQ(refusal("test", t),
            "customer table 'test_points' of 'test': no customer column 'client'");
  t.customer_column = "customer_id";
  t.on_erase = crm::OnErase::kAnonymise;
  EXPECT_EQ(refusal("test", t),
            "customer table 'test_points' of 'test': on erase 'anonymise' names no column to "
            "anonymise");
  t.anonymise = {{"remark", nullptr}};
  EXPECT_EQ(refusal("test", t),
            "customer table 'test_points' of 'test': no column 'remark' to anonymise");
  t.anonymise = {{"customer_id", nullptr}};
  EXPECT_EQ(refusal("test", t),
            "customer table 'test_points' of 'test': the customer column 'customer_id' cannot be "
            "anonymised");
  t.anonymise = {{"note", "-"}};
  t.on_erase = crm::OnErase::kDelete;
  EXPECT_EQ(refusal("test", t),
            "customer table 'test_points' of 'test': columns to anonymise are given but on erase "
            "is 'delete'");
  t.on_erase = crm::OnErase::kAnonymise;
  EXPECT_EQ(refusal("other", t),
            "customer table 'test_points' of 'other': the table is declared by 'test'");
  t.table = "interactions";
  t.anonymise.clear();
  t.on_erase = crm::OnErase::kDelete;
  EXPECT_EQ(refusal("test", t),
            "customer table 'interactions' of 'test': the table is the kernel's");
  EXPECT_EQ(refusal("kernel", t),
            "customer table 'interactions' of 'kernel': the owner name 'kernel' is reserved");
}

TEST_F(CustomerTables, ARedeclarationReplacesTheDeclaration) {
  db.execute("CREATE TABLE test_points (customer_id INTEGER, note TEXT)");
  crm::CustomerTable t;
  t.table = "test_points";
  k.store().customer_tables().declare("test", t);
  t.on_merge = crm::OnMerge::kDrop;
  k.store().customer_tables().declare("test", t);
  std::vector<std::string> seen;
  for (const auto& d : k.store().customer_tables().tables()) {
    if (d.table == "test_points") seen.push_back(to_string(d.on_merge));
  }
  EXPECT_EQ(seen, std::vector<std::string>{"drop"});
}

// A merge in a run without the plugins loaded still follows their stored
// declarations: nothing of theirs is left on the merged customer.
TEST(CustomerTablesStored, AMergeWithoutThePluginsLoadedFollowsTheirDeclarations) {
  const auto dir = std::filesystem::path(CRM_TEST_TMP) / "stored_declarations";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "crm.db").string();
  CustomerId keep = 0, other = 0;
  {
    crm::Kernel k{options(file)};
    crm::Customer c;
    c.name = "Keep";
    keep = k.store().customers().add(c, crm::Actor::user("t"));
    c.name = "Other";
    other = k.store().customers().add(c, crm::Actor::user("t"));
    k.store().db().execute(
        "INSERT INTO loyalty_ledger (customer_id, points, at, note) VALUES (?, 7, 1, 'x')",
        {other});
    k.store().db().execute(
        "INSERT INTO retention_churn_risk (customer_id, score, computed_at) VALUES (?, 0.7, 1)",
        {other});
  }
  crm::KernelOptions o = options(file);
  o.load_plugins = false;
  crm::Kernel k{o};
  k.store().customers().merge(keep, other, crm::Actor::user("t"));
  crm::Database& db = k.store().db();
  EXPECT_EQ(db.query("SELECT customer_id FROM loyalty_ledger").at(0).integer(0), keep);
  EXPECT_TRUE(db.query("SELECT 1 FROM retention_churn_risk").empty());
}

TEST(CustomerTableJson, RoundTripsAndNamesTheBadKey) {
  crm::CustomerTable t;
  t.table = "loyalty_ledger";
  t.customer_column = "member";
  t.on_merge = crm::OnMerge::kMoveToSurvivor;
  t.on_erase = crm::OnErase::kAnonymise;
  t.anonymise = {{"note", nullptr}, {"points", std::int64_t{0}}, {"label", "-"}, {"w", 0.5}};
  t.owner = "loyalty";
  const crm::Json j = to_json(t);
  const auto back = j.get<crm::CustomerTable>();
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.anonymise.at(1).value, crm::SqlValue(std::int64_t{0}));
  crm::Json bad = j;
  bad["on_merge"] = "merge";
  EXPECT_THROW(
      {
        try {
          (void)bad.get<crm::CustomerTable>();
        } catch (const crm::InvalidInput& e) {
          EXPECT_STREQ(e.what(),
                       "customer table: 'on_merge': on merge: 'merge' is not move, keep_both or "
                       "drop");
          throw;
        }
      },
      crm::InvalidInput);
  bad = j;
  bad["anonymise"][0]["value"] = crm::Json::array();
  try {
    (void)bad.get<crm::CustomerTable>();
    FAIL();
  } catch (const crm::InvalidInput& e) {
    EXPECT_STREQ(e.what(),
                 "customer table.anonymise[0]: 'value' must be null, a number or a string, got []");
  }
}

}  // namespace
}  // namespace customer_tables_test
