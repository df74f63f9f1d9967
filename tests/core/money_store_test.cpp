// Amounts in the store are exact Money: stored as minor units with their
// currency, converted from the REAL column of schema v1 by migration 2,
// read by CSV import with an optional currency column, and given the kernel's
// default currency when they come without one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../core/src/kernel_schema.hpp"
#include "../../core/src/sqlite_database.hpp"
#include "crm/csv_import.hpp"
#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using crm::Currency;
using crm::Money;

crm::Interaction purchase(crm::CustomerId id, std::optional<Money> amount) {
  crm::Interaction i;
  i.customer_id = id;
  i.channel = "store";
  i.kind = "purchase";
  i.amount = amount;
  return i;
}

// A database at kernel schema v1 with REAL amounts, as releases before
// Money wrote it.
void write_v1_database(const std::string& path, const std::vector<std::optional<double>>& amounts) {
  crm::core::SqliteDatabase db(path);
  const auto steps = crm::core::kernel_migrations(Currency::of("USD"));
  ASSERT_EQ(db.migrate("kernel", {steps.at(0)}), 1);
  db.execute("INSERT INTO customers (name, created_at, updated_at) VALUES ('Ann', 0, 0)");
  for (const auto& a : amounts) {
    crm::SqlValue v = nullptr;
    if (a) v = *a;
    db.execute(
        "INSERT INTO interactions (customer_id, channel, kind, direction, occurred_at, amount, "
        "created_at) VALUES (1, 'store', 'purchase', 'inbound', 0, ?, 0)",
        {v});
  }
}

std::vector<std::optional<Money>> amounts(crm::Kernel& k) {
  std::vector<std::optional<Money>> out;
  for (const auto& i : k.store().interactions().list({})) out.push_back(i.amount);
  return out;
}

TEST(MoneyMigration, RealAmountsBecomeMinorUnitsOfTheDefaultCurrencyRoundedHalfAwayFromZero) {
  const fs::path dir = crm_test::scratch_dir("money_migration");
  const std::string path = (dir / "v1.db").string();
  // 19.99 * 100 is 1998.9999... in binary: truncating would lose a cent.
  write_v1_database(path, {19.99, -0.005, 0.005, 1e6, std::nullopt});
  crm::KernelOptions o = crm_test::options(path);
  auto k = std::make_unique<crm::Kernel>(o);
  EXPECT_EQ(k->store().db().schema_version("kernel"), 8);
  const Currency usd = Currency::of("USD");
  EXPECT_EQ(amounts(*k),
            (std::vector<std::optional<Money>>{Money(1999, usd), Money(-1, usd), Money(1, usd),
                                               Money(100000000, usd), std::nullopt}));
}

TEST(MoneyMigration, UsesTheConfiguredCurrencysMinorDigits) {
  const fs::path dir = crm_test::scratch_dir("money_migration_jpy");
  const std::string path = (dir / "v1.db").string();
  write_v1_database(path, {1200.0, 2.5, -2.5});
  crm::KernelOptions o = crm_test::options(path);
  o.default_currency = Currency::of("JPY");
  crm::Kernel k(o);
  const Currency jpy = Currency::of("JPY");
  EXPECT_EQ(amounts(k),
            (std::vector<std::optional<Money>>{Money(1200, jpy), Money(3, jpy), Money(-3, jpy)}));
  EXPECT_EQ(k.store().default_currency(), jpy);
}

class MoneyStoreTest : public ::testing::Test {
 protected:
  explicit MoneyStoreTest(Currency default_currency = Currency::of("USD")) {
    crm::KernelOptions o = crm_test::options();
    o.default_currency = default_currency;
    kernel = std::make_unique<crm::Kernel>(o);
    crm::Customer c = crm_test::customer("Ann");
    c.external_id = "A-1";
    ann = kernel->store().customers().add(c, crm::Actor::user("t"));
  }
  crm::ImportReport import(const std::string& csv) {
    const fs::path p = crm_test::write_file(crm_test::scratch_dir("money_import") / "i.csv", csv);
    return crm::import_interactions(kernel->store(), p, {});
  }
  std::unique_ptr<crm::Kernel> kernel;
  crm::CustomerId ann = 0;
};

class EuroStoreTest : public MoneyStoreTest {
 protected:
  EuroStoreTest() : MoneyStoreTest(Currency::of("EUR")) {}
};

TEST_F(EuroStoreTest, ImportReadsTheCurrencyColumnAndFallsBackToTheDefault) {
  const crm::ImportReport r = import(
      "external_id,occurred_at,channel,kind,amount,currency\n"
      "A-1,2025-01-01,store,purchase,12.5,\n"         // default: EUR
      "A-1,2025-01-02,store,purchase,1200,JPY\n"      // the column's currency
      "A-1,2025-01-03,store,purchase,3.25 USD,USD\n"  // a code in the amount that agrees
      "A-1,2025-01-04,store,purchase,3.25 USD,EUR\n"  // disagrees: refused
      "A-1,2025-01-05,store,purchase,1.005,EUR\n"     // more decimals than EUR has
      "A-1,2025-01-06,store,purchase,5,ZZZ\n"         // unknown currency
      "A-1,2025-01-07,store,purchase,-0.10,KWD\n");   // a refund in a 3-digit currency
  EXPECT_EQ(r.inserted, 4);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 5);
  EXPECT_NE(r.errors[0].message.find("amount"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.errors[0].message.find("currency column says EUR"), std::string::npos)
      << r.errors[0].message;
  EXPECT_EQ(r.errors[1].line, 6);
  EXPECT_NE(r.errors[1].message.find("1.005"), std::string::npos) << r.errors[1].message;
  EXPECT_EQ(r.errors[2].line, 7);
  EXPECT_NE(r.errors[2].message.find("ZZZ"), std::string::npos) << r.errors[2].message;
  EXPECT_EQ(amounts(*kernel), (std::vector<std::optional<Money>>{
                                  Money::parse("12.50 EUR"), Money::parse("1200 JPY"),
                                  Money::parse("3.25 USD"), Money::parse("-0.100 KWD")}));
}

TEST_F(EuroStoreTest, TheCommandGivesAnAmountWithoutCodeTheDefaultCurrency) {
  const std::vector<std::string> add = {"interactions", "add"};
  crm::CommandInput in;
  in.options = {{"customer", std::to_string(ann)},
                {"channel", "store"},
                {"kind", "purchase"},
                {"amount", "12.5"}};
  kernel->commands().run(add, in);
  in.options["amount"] = "7 JPY";
  kernel->commands().run(add, in);
  EXPECT_EQ(amounts(*kernel),
            (std::vector<std::optional<Money>>{Money::parse("12.50 EUR"), Money::parse("7 JPY")}));
  in.options["amount"] = "1.234";
  try {
    kernel->commands().run(add, in);
    FAIL() << "three decimals in EUR were accepted";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("--amount"), std::string::npos) << e.what();
  }
  EXPECT_EQ(amounts(*kernel).size(), 2u);
}

TEST_F(MoneyStoreTest, TheRecordedEventCarriesTheExactAmountAndItsValue) {
  crm::Json seen;
  kernel->bus().subscribe("purchase.recorded", crm_test::sub("t"),
                          [&](const crm::Event& e) { seen = e.payload; });
  kernel->store().interactions().record(purchase(ann, Money::parse("19.99 EUR")),
                                        crm::Actor::user("t"));
  EXPECT_EQ(seen["amount"], "19.99 EUR");
  EXPECT_EQ(seen["currency"], "EUR");
  EXPECT_DOUBLE_EQ(seen["amount_value"].get<double>(), 19.99);
}

}  // namespace
