// Erasing a customer (the right to be forgotten) and exporting one, over
// the kernel's tables and the retention and loyalty plugins' declared ones.
#include <gtest/gtest.h>

#include "crm/error.hpp"
#include "customer_table_fixture.hpp"

namespace customer_tables_test {
namespace {

TEST_F(CustomerTables, AnErasedCustomersPersonalDataIsInNoTableAnyMore) {
  const CustomerId keep = add("Quxley"), other = add("Morvane"), bystander = add("Standoff");
  // The survivor of a merge holds the merged record's copy too.
  k.store().customers().merge(keep, other, by);
  ASSERT_FALSE(cells_containing("Quxley").empty());
  ASSERT_FALSE(cells_containing("Morvane").empty());

  const crm::ErasureReport r = k.store().privacy().erase(keep, by);

  EXPECT_EQ(cells_containing("Quxley"), std::vector<std::string>{});
  EXPECT_EQ(cells_containing("Morvane"), std::vector<std::string>{});
  // Someone else's data is untouched.
  EXPECT_FALSE(cells_containing("Standoff").empty());
  EXPECT_EQ(k.store().customers().get(bystander).email, "Standoff@example.org");
  EXPECT_EQ(r.customer, keep);
  EXPECT_EQ(r.deleted.at("loyalty.loyalty_accounts"), 1);
  EXPECT_EQ(r.deleted.at("retention.retention_rfm"), 1);
  EXPECT_EQ(r.deleted.at("kernel.contact_persons"), 2);
  EXPECT_EQ(r.anonymised.at("loyalty.loyalty_ledger"), 4);
  EXPECT_EQ(r.anonymised.at("kernel.interactions"), 2);
  EXPECT_EQ(r.anonymised.at("kernel.customers"), 1);
  EXPECT_EQ(r.deleted.count("retention.retention_segment_history"), 0u);  // kept, not touched
}

TEST_F(CustomerTables, AnErasureKeepsTheAggregates) {
  const CustomerId id = add("Quxley"), bystander = add("Standoff");
  const auto before = rows_of(id);
  const crm::Customer c = k.store().customers().get(id);
  ASSERT_EQ(c.birthday, crm::Date(1980, 2, 3));  // else its absence below would prove nothing
  k.store().privacy().erase(id, by);

  const crm::Customer after = k.store().customers().get(id);
  EXPECT_EQ(after.name, "erased customer " + std::to_string(id));
  EXPECT_EQ(after.email, "");
  EXPECT_EQ(after.external_id, "");
  EXPECT_EQ(after.birthday, std::nullopt);
  EXPECT_TRUE(after.contacts.empty());
  EXPECT_TRUE(after.tags.empty());
  // What reports count stays: id, stage, segment, owner, creation time.
  EXPECT_EQ(after.owner, c.owner);
  EXPECT_EQ(after.stage, c.stage);
  EXPECT_EQ(after.created_at, c.created_at);
  const auto rows = rows_of(id);
  for (const char* t :
       {"kernel.interactions", "kernel.tasks", "kernel.owner_handovers", "loyalty.loyalty_ledger",
        "retention.retention_segment_history", "retention.retention_churn_records"}) {
    EXPECT_EQ(rows.at(t), before.at(t)) << t;
  }
  EXPECT_EQ(count("SELECT SUM(points) FROM loyalty_ledger WHERE customer_id = ?", {id}), 105);
  crm::InteractionQuery q;
  q.customer_id = id;
  const auto i = k.store().interactions().list(q);
  ASSERT_EQ(i.size(), 1u);
  EXPECT_EQ(i[0].kind, "call");
  EXPECT_EQ(i[0].occurred_at, crm::parse_time("2025-12-01T10:00:00Z"));
  EXPECT_EQ(i[0].notes, "");
  EXPECT_TRUE(i[0].commitments.empty());
  for (const char* t :
       {"kernel.timers", "kernel.contact_persons", "loyalty.loyalty_accounts",
        "retention.retention_rfm", "retention.retention_clv", "retention.retention_churn_risk"}) {
    EXPECT_EQ(rows.at(t), 0) << t;
  }
  // The bystander keeps everything.
  EXPECT_EQ(rows_of(bystander).at("loyalty.loyalty_accounts"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM loyalty_ledger WHERE customer_id = ? AND note IS NOT NULL",
                  {bystander}),
            2);
}

TEST_F(CustomerTables, TheErasureIsAuditedWithCountsAndTheOlderEntriesLoseTheirDetails) {
  const CustomerId id = add("Quxley");
  const auto before = k.store().audit().of_customer(id);
  k.store().privacy().erase(id, by);
  const auto entries = k.store().audit().of_customer(id);
  ASSERT_EQ(entries.size(), before.size() + 1);
  for (std::size_t n = 0; n < before.size(); ++n) {
    EXPECT_EQ(entries[n].action, before[n].action);
    EXPECT_EQ(entries[n].time, before[n].time);
    EXPECT_EQ(entries[n].details, (crm::Json{{"erased", true}})) << entries[n].action;
  }
  const crm::AuditEntry& last = entries.back();
  EXPECT_EQ(last.action, "customer.erase");
  EXPECT_EQ(last.actor, "user:t");
  EXPECT_EQ(last.details.at("deleted").at("loyalty.loyalty_accounts"), 1);
  EXPECT_EQ(last.details.at("anonymised").at("kernel.audit_log"),
            static_cast<std::int64_t>(before.size()));
}

TEST_F(CustomerTables, AFailingErasureSubscriberUndoesTheWholeErasure) {
  const CustomerId id = add("Quxley");
  crm::SubscriberOptions o;
  o.name = "test.refuse";
  o.phase = crm::Phase::kBeforeCommit;
  k.bus().subscribe(crm::events::kCustomerErased, o,
                    [](const crm::Event&) { throw crm::InvalidInput("legal hold"); });
  EXPECT_THROW(k.store().privacy().erase(id, by), crm::InvalidInput);
  EXPECT_EQ(k.store().customers().get(id).name, "Quxley Person");
  EXPECT_EQ(rows_of(id).at("loyalty.loyalty_accounts"), 1);
}

TEST_F(CustomerTables, ErasingAnUnknownCustomerTouchesNothing) {
  const CustomerId id = add("Quxley");
  EXPECT_THROW(k.store().privacy().erase(id + 100, by), crm::NotFound);
  EXPECT_EQ(k.store().customers().get(id).name, "Quxley Person");
}

TEST_F(CustomerTables, TheExportHoldsEveryTableOfTheCustomerAndNoOneElses) {
  const CustomerId id = add("Quxley"), bystander = add("Standoff");
  const crm::Json e = k.store().privacy().export_customer(id, by);
  EXPECT_EQ(e.at("customer").at("email"), "Quxley@example.org");
  EXPECT_TRUE(e.at("erased_at").is_null());
  const crm::Json& tables = e.at("tables");
  const auto expected = rows_of(id);
  std::int64_t total = 0;
  for (const auto& [name, n] : expected) {
    const auto dot = name.find('.');
    const crm::Json& rows = tables.at(name.substr(0, dot)).at(name.substr(dot + 1));
    EXPECT_EQ(static_cast<std::int64_t>(rows.size()), n - (name == "kernel.audit_log" ? 1 : 0))
        << name;
    total += static_cast<std::int64_t>(rows.size());
    for (const crm::Json& row : rows) {
      const char* column = name == "kernel.customer_merges" ? "kept_id" : "customer_id";
      EXPECT_EQ(row.at(column), id) << name;
    }
  }
  const crm::Json& ledger = tables.at("loyalty").at("loyalty_ledger");
  EXPECT_EQ(ledger.at(0).at("note"), "Quxley first purchase");
  EXPECT_EQ(ledger.at(0).at("points"), 100);
  EXPECT_EQ(tables.at("kernel").at("interactions").at(0).at("notes"),
            "Quxley said something private");
  // The export is on record, with what it held.
  const auto audit = k.store().audit().of_customer(id);
  EXPECT_EQ(audit.back().action, "customer.export");
  EXPECT_EQ(audit.back().details.at("rows"), total);
  (void)bystander;
}

TEST_F(CustomerTables, AnErasedCustomersExportSaysWhenAndHoldsNothingPersonal) {
  const CustomerId id = add("Quxley");
  k.store().privacy().erase(id, by);
  const crm::Json e = k.store().privacy().export_customer(id, by);
  EXPECT_EQ(e.at("erased_at"), "2026-01-05T12:00:00Z");
  EXPECT_EQ(e.dump().find("Quxley"), std::string::npos);
}

TEST(ErasureReportJson, RoundTripsAndNamesTheBadKey) {
  crm::ErasureReport r;
  r.customer = 7;
  r.erased_at = crm::parse_time("2026-01-05T12:00:00Z");
  r.deleted = {{"loyalty.loyalty_accounts", 1}};
  r.anonymised = {{"kernel.interactions", 3}};
  const crm::Json j = to_json(r);
  EXPECT_EQ(to_json(j.get<crm::ErasureReport>()), j);
  crm::Json bad = j;
  bad["deleted"]["kernel.timers"] = "two";
  try {
    (void)bad.get<crm::ErasureReport>();
    FAIL();
  } catch (const crm::InvalidInput& e) {
    EXPECT_STREQ(e.what(),
                 "erasure report: 'deleted.kernel.timers' must be a whole number, got \"two\"");
  }
  bad = j;
  bad.erase("customer");
  EXPECT_THROW((void)bad.get<crm::ErasureReport>(), crm::InvalidInput);
}

}  // namespace
}  // namespace customer_tables_test

namespace customer_tables_test {
namespace {

TEST_F(CustomerTables, ASecondErasureFindsNothingLeftToDelete) {
  const CustomerId id = add("Quxley");
  k.store().privacy().erase(id, by);
  const crm::ErasureReport again = k.store().privacy().erase(id, by);
  for (const auto& [table, n] : again.deleted) EXPECT_EQ(n, 0) << table;
  EXPECT_EQ(again.anonymised.at("kernel.customers"), 1);
  EXPECT_EQ(k.store().customers().get(id).name, "erased customer " + std::to_string(id));
  EXPECT_EQ(k.store().audit().of_customer(id).back().action, "customer.erase");
}

}  // namespace
}  // namespace customer_tables_test
