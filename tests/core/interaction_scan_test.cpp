// The read models of the interactions: scans that fill only the asked
// columns, in batches, with the filter's boundaries; totals per customer and
// per day with exact sums.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

using crm::Currency;
using crm::InteractionBatch;
using crm::InteractionScan;
using crm::Money;
using crm::parse_time;

class InteractionScanTest : public ::testing::Test {
 protected:
  InteractionScanTest() {
    ann = store().customers().add(crm_test::customer("Ann"), by);
    bob = store().customers().add(crm_test::customer("Bob"), by);
  }
  crm::Store& store() { return kernel->store(); }
  crm::InteractionId record(crm::CustomerId id, const std::string& at, const std::string& kind,
                            std::optional<Money> amount, const std::string& channel = "store") {
    crm::Interaction i;
    i.customer_id = id;
    i.channel = channel;
    i.kind = kind;
    i.occurred_at = parse_time(at);
    i.amount = amount;
    i.payload = {{"n", counter++}};
    return store().interactions().record(i, by);
  }
  // Every row of a scan, batches concatenated; the sizes of the batches.
  InteractionBatch collect(const InteractionScan& s, std::vector<std::size_t>* sizes = nullptr) {
    InteractionBatch all;
    store().interactions().scan(s, [&](const InteractionBatch& b) {
      if (sizes) sizes->push_back(b.rows);
      all.rows += b.rows;
      all.id.insert(all.id.end(), b.id.begin(), b.id.end());
      all.customer_id.insert(all.customer_id.end(), b.customer_id.begin(), b.customer_id.end());
      all.occurred_at.insert(all.occurred_at.end(), b.occurred_at.begin(), b.occurred_at.end());
      all.amount.insert(all.amount.end(), b.amount.begin(), b.amount.end());
      all.kind.insert(all.kind.end(), b.kind.begin(), b.kind.end());
      all.channel.insert(all.channel.end(), b.channel.begin(), b.channel.end());
      all.payload.insert(all.payload.end(), b.payload.begin(), b.payload.end());
    });
    return all;
  }
  std::unique_ptr<crm::Kernel> kernel = crm_test::make_kernel();
  crm::Actor by = crm::Actor::user("t");
  crm::CustomerId ann = 0, bob = 0;
  int counter = 0;
};

TEST_F(InteractionScanTest, FillsOnlyTheAskedColumnsOrderedByCustomerThenTime) {
  const auto b2 = record(bob, "2025-01-01T00:00:00Z", "purchase", Money::parse("5.00 EUR"));
  const auto a2 = record(ann, "2025-01-03T00:00:00Z", "call", std::nullopt, "phone");
  const auto a1 = record(ann, "2025-01-02T00:00:00Z", "purchase", Money::parse("1.25 EUR"));
  InteractionScan s;
  s.fields = {};
  s.fields.id = true;
  s.fields.customer_id = false;
  s.fields.occurred_at = false;
  s.fields.amount = true;
  const InteractionBatch by_customer = collect(s);
  ASSERT_EQ(by_customer.rows, 3u);
  EXPECT_EQ(by_customer.id, (std::vector<crm::InteractionId>{a1, a2, b2}));
  EXPECT_EQ(by_customer.amount,
            (std::vector<std::optional<Money>>{Money::parse("1.25 EUR"), std::nullopt,
                                               Money::parse("5.00 EUR")}));
  EXPECT_TRUE(by_customer.customer_id.empty());
  EXPECT_TRUE(by_customer.occurred_at.empty());
  EXPECT_TRUE(by_customer.kind.empty());
  EXPECT_TRUE(by_customer.channel.empty());
  EXPECT_TRUE(by_customer.payload.empty());

  s.order = InteractionScan::Order::kByTime;
  s.fields.kind = true;
  s.fields.channel = true;
  s.fields.payload = true;
  const InteractionBatch by_time = collect(s);
  EXPECT_EQ(by_time.id, (std::vector<crm::InteractionId>{b2, a1, a2}));
  EXPECT_EQ(by_time.kind, (std::vector<std::string>{"purchase", "purchase", "call"}));
  EXPECT_EQ(by_time.channel, (std::vector<std::string>{"store", "store", "phone"}));
  EXPECT_EQ(by_time.payload, (std::vector<crm::Json>{{{"n", 0}}, {{"n", 2}}, {{"n", 1}}}));
}

// Purchases at the same second come in id order whatever their amounts
// (the index holds the amount after the id), and the scan by customer of one
// kind reads that index alone, in order: a temporary b-tree in the plan is a
// sort of every row, which made scans of millions of purchases several
// times slower.
TEST_F(InteractionScanTest, ByCustomerTiesComeInIdOrderFromTheIndexWithoutASort) {
  const auto a = record(ann, "2025-01-01T10:00:00Z", "purchase", Money::parse("30.00 USD"));
  const auto b = record(ann, "2025-01-01T10:00:00Z", "purchase", Money::parse("10.00 USD"));
  const auto c = record(ann, "2025-01-01T10:00:00Z", "purchase", Money::parse("20.00 USD"));
  InteractionScan s;
  s.filter.kind = "purchase";
  s.filter.with_amount_only = true;
  s.fields.id = true;
  s.fields.amount = true;
  EXPECT_EQ(collect(s).id, (std::vector<crm::InteractionId>{a, b, c}));

  std::string plan;
  for (const crm::SqlRow& row : store().db().query(
           "EXPLAIN QUERY PLAN SELECT customer_id, occurred_at, amount_minor, currency FROM "
           "interactions WHERE kind = ? AND amount_minor IS NOT NULL "
           "ORDER BY customer_id, occurred_at, id",
           {std::string("purchase")})) {
    plan += row.text(3) + "\n";
  }
  EXPECT_NE(plan.find("COVERING INDEX interactions_kind_customer"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST_F(InteractionScanTest, FilterBoundsAreFromInclusiveToExclusive) {
  record(ann, "2025-01-31T23:59:59Z", "purchase", Money::parse("1 USD"));
  record(ann, "2025-02-01T00:00:00Z", "purchase", Money::parse("2 USD"));
  record(ann, "2025-02-28T23:59:59Z", "purchase", std::nullopt);
  record(bob, "2025-02-10T00:00:00Z", "purchase", Money::parse("4 USD"));
  record(ann, "2025-02-10T00:00:00Z", "call", Money::parse("8 USD"));
  record(ann, "2025-03-01T00:00:00Z", "purchase", Money::parse("16 USD"));
  InteractionScan s;
  s.fields.amount = true;
  s.filter.kind = "purchase";
  s.filter.customer_id = ann;
  s.filter.from = parse_time("2025-02-01T00:00:00Z");
  s.filter.to = parse_time("2025-03-01T00:00:00Z");
  const InteractionBatch feb = collect(s);
  EXPECT_EQ(feb.amount, (std::vector<std::optional<Money>>{Money::parse("2 USD"), std::nullopt}));
  EXPECT_EQ(feb.occurred_at, (std::vector<crm::TimePoint>{parse_time("2025-02-01T00:00:00Z"),
                                                          parse_time("2025-02-28T23:59:59Z")}));
  s.filter.with_amount_only = true;
  EXPECT_EQ(collect(s).rows, 1u);
  s.filter = {};
  s.filter.channel = "phone";
  EXPECT_EQ(collect(s).rows, 0u);
  s.filter.channel = "store";
  EXPECT_EQ(collect(s).rows, 6u);
}

TEST_F(InteractionScanTest, BatchesHoldAtMostBatchRowsAndTheLastPartialOneIsDelivered) {
  for (int d = 1; d <= 5; ++d) {
    record(ann, "2025-01-0" + std::to_string(d) + "T00:00:00Z", "purchase", std::nullopt);
  }
  InteractionScan s;
  s.batch_rows = 2;
  std::vector<std::size_t> sizes;
  const InteractionBatch all = collect(s, &sizes);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_EQ(all.customer_id.size(), 5u);
  s.batch_rows = 5;
  sizes.clear();
  collect(s, &sizes);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5}));
  s.batch_rows = 0;
  EXPECT_THROW(collect(s), crm::InvalidInput);
}

TEST_F(InteractionScanTest, TheVisitorMayWriteToTheStoreWhileTheScanRuns) {
  record(ann, "2025-01-01T00:00:00Z", "purchase", Money::parse("1 USD"));
  record(bob, "2025-01-02T00:00:00Z", "purchase", Money::parse("2 USD"));
  InteractionScan s;
  s.batch_rows = 1;
  s.filter.kind = "purchase";
  std::size_t seen = 0;
  store().interactions().scan(s, [&](const InteractionBatch& b) {
    seen += b.rows;
    crm::InteractionQuery q;
    q.customer_id = b.customer_id[0];
    EXPECT_EQ(store().interactions().list(q).size(), 1u);
  });
  EXPECT_EQ(seen, 2u);
}

TEST_F(InteractionScanTest, TotalsPerCustomerAreExactWithFirstAndLastTime) {
  // 0.10 ten thousand times is exactly 1000.00; in doubles it is not.
  crm::Transaction tx(store().db());
  for (int n = 0; n < 10000; ++n) {
    record(ann, n % 2 ? "2025-03-01T10:00:00Z" : "2025-01-01T09:00:00Z", "purchase",
           Money::parse("0.10 EUR"));
  }
  record(ann, "2025-06-01T00:00:00Z", "call", std::nullopt);
  record(bob, "2025-02-01T00:00:00Z", "purchase", std::nullopt);
  tx.commit();
  crm::InteractionFilter f;
  f.kind = "purchase";
  const auto totals = store().interactions().totals_per_customer(f);
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].customer_id, ann);
  EXPECT_EQ(totals[0].count, 10000);
  EXPECT_EQ(totals[0].sum, Money::parse("1000.00 EUR"));
  EXPECT_EQ(totals[0].first, parse_time("2025-01-01T09:00:00Z"));
  EXPECT_EQ(totals[0].last, parse_time("2025-03-01T10:00:00Z"));
  EXPECT_EQ(totals[1].customer_id, bob);
  EXPECT_EQ(totals[1].count, 1);
  EXPECT_FALSE(totals[1].sum.has_value());  // no amount at all is not zero
  const auto all = store().interactions().totals_per_customer({});
  EXPECT_EQ(all[0].count, 10001);
  EXPECT_EQ(all[0].last, parse_time("2025-06-01T00:00:00Z"));
}

TEST_F(InteractionScanTest, TotalsRefuseToAddCurrenciesNamingTheCustomer) {
  record(ann, "2025-01-01T00:00:00Z", "purchase", Money::parse("1 USD"));
  record(bob, "2025-01-01T00:00:00Z", "purchase", Money::parse("1 USD"));
  record(bob, "2025-01-02T00:00:00Z", "purchase", Money::parse("1 EUR"));
  try {
    store().interactions().totals_per_customer({});
    FAIL() << "USD and EUR were added";
  } catch (const crm::CurrencyMismatch& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("customer " + std::to_string(bob)), std::string::npos) << what;
    EXPECT_NE(what.find("EUR"), std::string::npos) << what;
    EXPECT_NE(what.find("USD"), std::string::npos) << what;
  }
  crm::InteractionFilter f;
  f.customer_id = ann;
  EXPECT_EQ(store().interactions().totals_per_customer(f).at(0).sum, Money::parse("1 USD"));
}

TEST_F(InteractionScanTest, TotalsPerDaySplitAtUtcMidnightAlsoBefore1970) {
  record(ann, "1969-12-31T12:00:00Z", "purchase", Money::parse("1 USD"));
  // (the epoch itself would mean "now")
  record(ann, "1970-01-01T00:00:01Z", "purchase", Money::parse("2 USD"));
  record(bob, "2025-05-04T23:59:59Z", "purchase", Money::parse("4 USD"));
  record(ann, "2025-05-04T00:00:00Z", "purchase", Money::parse("8 USD"));
  record(ann, "2025-05-05T00:00:00Z", "visit", std::nullopt);
  const auto days = store().interactions().totals_per_day({});
  ASSERT_EQ(days.size(), 4u);
  EXPECT_EQ(days[0].day.to_string(), "1969-12-31");
  EXPECT_EQ(days[0].sum, Money::parse("1 USD"));
  EXPECT_EQ(days[1].day.to_string(), "1970-01-01");
  EXPECT_EQ(days[2].day.to_string(), "2025-05-04");
  EXPECT_EQ(days[2].count, 2);
  EXPECT_EQ(days[2].sum, Money::parse("12 USD"));
  EXPECT_EQ(days[3].day.to_string(), "2025-05-05");
  EXPECT_EQ(days[3].count, 1);
  EXPECT_FALSE(days[3].sum.has_value());
}

}  // namespace
