// Products, the price list, purchase lines, assets and the channel catalogue.
#include <gtest/gtest.h>

#include "crm/asset.hpp"
#include "crm/catalogue_import.hpp"
#include "crm/channel_catalogue.hpp"
#include "crm/error.hpp"
#include "crm/event.hpp"
#include "crm/product.hpp"
#include "test_support.hpp"

namespace {

using crm::Date;
using crm::Money;

const crm::Actor kBy = crm::Actor::user("tester");

class CatalogueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    k_ = crm_test::make_kernel();
    customer_ = k_->store().customers().add(crm_test::customer("Ada"), kBy);
    crm::Product p;
    p.sku = "WM-100";
    p.name = "Washing machine";
    p.category = "appliances";
    p.serialised = true;
    p.warranty_months = 24;
    washer_ = k_->store().products().add(p, kBy);
    p.sku = "DET-1";
    p.name = "Detergent";
    p.category = "supplies";
    p.serialised = false;
    p.warranty_months = 0;
    detergent_ = k_->store().products().add(p, kBy);
  }

  crm::Price price(crm::ProductId id, const char* from, const char* to, const char* amount) {
    crm::Price pr;
    pr.product_id = id;
    pr.valid_from = Date::parse(from);
    if (to) pr.valid_to = Date::parse(to);
    pr.unit_price = Money::parse(amount);
    return pr;
  }

  crm::InteractionId purchase(const char* at, const char* kind = "purchase") {
    crm::Interaction i;
    i.customer_id = customer_;
    i.channel = "store";
    i.kind = kind;
    i.occurred_at = crm::parse_time(at);
    return k_->store().interactions().record(i, kBy);
  }

  std::unique_ptr<crm::Kernel> k_;
  crm::CustomerId customer_ = 0;
  crm::ProductId washer_ = 0, detergent_ = 0;
};

TEST_F(CatalogueTest, SkuIsUniqueAndValidated) {
  crm::Product p;
  p.sku = "WM-100";
  p.name = "Again";
  EXPECT_THROW(k_->store().products().add(p, kBy), crm::DuplicateKey);
  p.sku = "has space";
  EXPECT_THROW(k_->store().products().add(p, kBy), crm::InvalidInput);
  p.sku = "OK-1";
  p.warranty_months = 601;
  EXPECT_THROW(k_->store().products().add(p, kBy), crm::InvalidInput);
  p.warranty_months = 600;
  EXPECT_NO_THROW(k_->store().products().add(p, kBy));
  EXPECT_EQ(k_->store().products().get_by_sku("WM-100").name, "Washing machine");
  EXPECT_THROW(k_->store().products().get_by_sku("nope"), crm::NotFound);
}

TEST_F(CatalogueTest, OnePricePerDayBoundariesInclusive) {
  auto& products = k_->store().products();
  products.set_price(price(washer_, "2026-01-01", "2026-03-31", "499.00 EUR"), kBy);
  products.set_price(price(washer_, "2026-04-01", nullptr, "449.00 EUR"), kBy);
  EXPECT_EQ(products.price_on(washer_, Date(2026, 3, 31))->unit_price, Money::parse("499.00 EUR"));
  EXPECT_EQ(products.price_on(washer_, Date(2026, 4, 1))->unit_price, Money::parse("449.00 EUR"));
  EXPECT_EQ(products.price_on(washer_, Date(2199, 1, 1))->unit_price, Money::parse("449.00 EUR"));
  EXPECT_FALSE(products.price_on(washer_, Date(2025, 12, 31)));
  EXPECT_FALSE(products.price_on(detergent_, Date(2026, 2, 1)));
  // Touching the last day of the first period overlaps it (both inclusive).
  try {
    products.set_price(price(washer_, "2025-12-01", "2026-01-01", "1.00 EUR"), kBy);
    FAIL() << "overlap accepted";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("overlaps its price 499.00 EUR of 2026-01-01..2026-03-31"),
              std::string::npos)
        << e.what();
  }
  // An open-ended period overlaps everything after its start.
  EXPECT_THROW(products.set_price(price(washer_, "2030-01-01", "2030-01-02", "1.00 EUR"), kBy),
               crm::InvalidInput);
  // The day before the first one is free.
  EXPECT_NO_THROW(products.set_price(price(washer_, "2025-12-01", "2025-12-31", "1.00 EUR"), kBy));
  EXPECT_THROW(products.set_price(price(detergent_, "2026-02-01", "2026-01-31", "1.00 EUR"), kBy),
               crm::InvalidInput);
  EXPECT_THROW(products.set_price(price(detergent_, "2026-01-01", nullptr, "-1.00 EUR"), kBy),
               crm::InvalidInput);
  EXPECT_EQ(products.prices(washer_).size(), 3u);
  EXPECT_EQ(products.prices(washer_).front().valid_from, Date(2025, 12, 1));
}

TEST_F(CatalogueTest, PurchaseLinesTakeThePriceOfThePurchaseDay) {
  auto& products = k_->store().products();
  products.set_price(price(detergent_, "2026-01-01", "2026-01-31", "4.99 EUR"), kBy);
  products.set_price(price(detergent_, "2026-02-01", nullptr, "5.49 EUR"), kBy);
  int events = 0;
  k_->bus().subscribe(crm::events::kPurchaseLinesAdded, crm_test::sub("t"),
                      [&](const crm::Event&) { ++events; });
  const auto jan31 = purchase("2026-01-31T23:59:59Z");
  crm::PurchaseLine l;
  l.product_id = detergent_;
  l.quantity = 3;
  const auto added = products.add_lines(jan31, {l}, kBy);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(*added[0].unit_price, Money::parse("4.99 EUR"));
  l.unit_price = Money::parse("3.00 EUR");  // a negotiated price is kept
  l.quantity = 1;
  products.add_lines(jan31, {l}, kBy);
  const auto lines = products.lines(jan31);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line, 1);
  EXPECT_EQ(lines[1].line, 2);
  EXPECT_EQ(lines[0].quantity, 3);
  EXPECT_EQ(*lines[1].unit_price, Money::parse("3.00 EUR"));
  EXPECT_EQ(events, 2);
  const auto feb1 = purchase("2026-02-01T00:00:00Z");
  crm::PurchaseLine m;
  m.product_id = detergent_;
  EXPECT_EQ(*products.add_lines(feb1, {m}, kBy)[0].unit_price, Money::parse("5.49 EUR"));
}

TEST_F(CatalogueTest, PurchaseLinesAreAllOrNothing) {
  auto& products = k_->store().products();
  products.set_price(price(detergent_, "2026-01-01", nullptr, "4.99 EUR"), kBy);
  const auto p = purchase("2026-01-10T10:00:00Z");
  crm::PurchaseLine good;
  good.product_id = detergent_;
  crm::PurchaseLine no_price;
  no_price.product_id = washer_;
  try {
    products.add_lines(p, {good, no_price}, kBy);
    FAIL();
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("WM-100: no price on 2026-01-10"), std::string::npos);
  }
  EXPECT_TRUE(products.lines(p).empty());
  crm::PurchaseLine zero = good;
  zero.quantity = 0;
  EXPECT_THROW(products.add_lines(p, {zero}, kBy), crm::InvalidInput);
  const auto call = purchase("2026-01-10T10:00:00Z", "call");
  EXPECT_THROW(products.add_lines(call, {good}, kBy), crm::InvalidInput);
  EXPECT_THROW(products.add_lines(9999, {good}, kBy), crm::NotFound);
}

TEST(WarrantyEnd, MonthArithmetic) {
  EXPECT_EQ(*crm::warranty_end_for(Date(2024, 3, 15), 24), Date(2026, 3, 14));
  EXPECT_EQ(*crm::warranty_end_for(Date(2024, 1, 31), 1), Date(2024, 2, 29));
  EXPECT_EQ(*crm::warranty_end_for(Date(2023, 1, 31), 1), Date(2023, 2, 28));
  EXPECT_EQ(*crm::warranty_end_for(Date(2025, 11, 1), 2), Date(2025, 12, 31));
  EXPECT_EQ(*crm::warranty_end_for(Date(2025, 12, 1), 1), Date(2025, 12, 31));
  EXPECT_EQ(*crm::warranty_end_for(Date(2025, 12, 10), 12), Date(2026, 12, 9));
  EXPECT_FALSE(crm::warranty_end_for(Date(2025, 12, 10), 0));
}

TEST_F(CatalogueTest, WarrantyLookupBySerial) {
  auto& assets = k_->store().assets();
  crm::Asset a;
  a.customer_id = customer_;
  a.product_id = washer_;
  a.serial = "SN-1";
  a.purchased_on = Date(2024, 3, 15);
  const auto id = assets.add(a, kBy);
  EXPECT_EQ(*assets.find(id)->warranty_end, Date(2026, 3, 14));
  auto w = assets.warranty("SN-1", Date(2026, 3, 14));
  EXPECT_TRUE(w.under_warranty);
  EXPECT_EQ(*w.days_left, 0);
  w = assets.warranty("SN-1", Date(2026, 3, 15));
  EXPECT_FALSE(w.under_warranty);
  EXPECT_EQ(*w.days_left, -1);
  EXPECT_TRUE(assets.warranty("SN-1", Date(2024, 3, 15)).under_warranty);
  EXPECT_FALSE(assets.warranty("SN-1", Date(2024, 3, 14)).under_warranty);
  EXPECT_THROW(assets.warranty("SN-2", Date(2024, 3, 14)), crm::NotFound);
  // An explicit warranty end wins over the product's months.
  a.serial = "SN-2";
  a.warranty_end = Date(2024, 4, 1);
  assets.add(a, kBy);
  EXPECT_FALSE(assets.warranty("SN-2", Date(2024, 4, 2)).under_warranty);
  EXPECT_TRUE(assets.warranty("SN-2", Date(2024, 4, 1)).under_warranty);
}

TEST_F(CatalogueTest, AssetRulesAndMerge) {
  auto& assets = k_->store().assets();
  crm::Asset a;
  a.customer_id = customer_;
  a.product_id = washer_;
  a.serial = "SN-1";
  a.purchased_on = Date(2024, 3, 15);
  assets.add(a, kBy);
  try {
    assets.add(a, kBy);
    FAIL();
  } catch (const crm::DuplicateKey& e) {
    EXPECT_NE(std::string(e.what()).find("serial 'SN-1' is registered already, as asset 1"),
              std::string::npos);
  }
  crm::Asset b = a;
  b.serial = "SN-9";
  b.product_id = detergent_;
  EXPECT_THROW(assets.add(b, kBy), crm::InvalidInput);  // not serialised
  b.product_id = washer_;
  b.warranty_end = Date(2024, 3, 14);
  EXPECT_THROW(assets.add(b, kBy), crm::InvalidInput);  // ends before purchase
  b.warranty_end.reset();
  b.serial = " SN-9";
  EXPECT_THROW(assets.add(b, kBy), crm::InvalidInput);
  b.serial = "SN-9";
  b.customer_id = 999;
  EXPECT_THROW(assets.add(b, kBy), crm::NotFound);
  b.customer_id = customer_;
  b.purchase = purchase("2024-03-15T09:00:00Z", "call");
  EXPECT_THROW(assets.add(b, kBy), crm::InvalidInput);  // not a purchase
  // A serialised product with owned units stays serialised.
  crm::Product washer = *k_->store().products().find(washer_);
  washer.serialised = false;
  EXPECT_THROW(k_->store().products().update(washer, kBy), crm::InvalidInput);

  const auto other = k_->store().customers().add(crm_test::customer("Ada L."), kBy);
  b.customer_id = other;
  b.purchase.reset();
  assets.add(b, kBy);
  k_->store().customers().merge(customer_, other, kBy);
  crm::AssetQuery q;
  q.customer_id = customer_;
  EXPECT_EQ(assets.list(q).size(), 2u);
  EXPECT_EQ(assets.find_by_serial("SN-9")->customer_id, customer_);
}

TEST_F(CatalogueTest, InteractionsRecordTheirChannelCost) {
  crm::Interaction i;
  i.customer_id = customer_;
  i.kind = "visit";
  i.channel = "visit";
  const auto visit = k_->store().interactions().record(i, kBy);
  i.channel = "phone";
  const auto call = k_->store().interactions().record(i, kBy);
  i.channel = "pigeon";
  const auto unknown = k_->store().interactions().record(i, kBy);
  i.channel = "phone";
  i.channel_cost = Money::parse("0.40 USD");
  const auto given = k_->store().interactions().record(i, kBy);
  EXPECT_EQ(*k_->store().interactions().find(visit)->channel_cost, Money::parse("5.00 USD"));
  EXPECT_EQ(*k_->store().interactions().find(call)->channel_cost, Money::parse("0.05 USD"));
  EXPECT_FALSE(k_->store().interactions().find(unknown)->channel_cost);
  EXPECT_EQ(*k_->store().interactions().find(given)->channel_cost, Money::parse("0.40 USD"));
  // The JSON form carries it both ways.
  const crm::Json j = crm::to_json(*k_->store().interactions().find(visit));
  EXPECT_EQ(j.at("channel_cost"), "5.00 USD");
  EXPECT_EQ(*j.get<crm::Interaction>().channel_cost, Money::parse("5.00 USD"));
  i.channel_cost = Money::parse("-0.01 USD");
  EXPECT_THROW(k_->store().interactions().record(i, kBy), crm::InvalidInput);
}

TEST(ChannelCatalogue, DefaultsAndConfiguration) {
  const crm::ChannelCatalogue d;
  EXPECT_EQ(*d.cost_of("visit"), Money::parse("5.00 USD"));
  EXPECT_EQ(*d.cost_of("phone"), Money::parse("0.05 USD"));
  EXPECT_EQ(*d.cost_of("web"), Money::parse("0.02 USD"));
  EXPECT_EQ(*d.cost_of("phone_self_service"), Money::parse("0.02 USD"));
  EXPECT_FALSE(d.find("visit")->assumed);
  EXPECT_TRUE(d.find("web")->assumed);
  EXPECT_TRUE(d.find("email")->needs_consent);
  EXPECT_FALSE(d.find("visit")->needs_consent);
  EXPECT_FALSE(d.cost_of("pigeon"));

  const auto c = crm::ChannelCatalogue::from_config(crm::Json::parse(
      R"({"web": {"cost": "0.03 USD"}, "fax": {"cost": "0.10 EUR", "needs_consent": true}})"));
  EXPECT_EQ(*c.cost_of("web"), Money::parse("0.03 USD"));
  EXPECT_FALSE(c.find("web")->assumed);
  EXPECT_EQ(*c.cost_of("fax"), Money::parse("0.10 EUR"));
  EXPECT_TRUE(c.find("fax")->needs_consent);
  EXPECT_EQ(*c.cost_of("visit"), Money::parse("5.00 USD"));  // untouched default
  EXPECT_EQ(c.list().size(), d.list().size() + 1);

  const auto error = [](const char* text) {
    try {
      crm::ChannelCatalogue::from_config(crm::Json::parse(text));
    } catch (const crm::InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error(R"({"web": {"cost": 0.03}})").find("channels.web.cost: expected"),
            std::string::npos);
  EXPECT_NE(error(R"({"web": {"cost": "-1.00 USD"}})").find("channels.web.cost: a cost is 0"),
            std::string::npos);
  EXPECT_NE(error(R"({"web": {"costs": "1.00 USD"}})").find("channels.web.costs: unknown key"),
            std::string::npos);
  EXPECT_NE(error(R"({"fax": {"needs_consent": true}})").find("channels.fax: a channel not in"),
            std::string::npos);
  EXPECT_NE(error(R"({"Fax": {"cost": "1.00 USD"}})").find("channels.Fax: a channel name"),
            std::string::npos);
  EXPECT_NE(error(R"({"web": {"needs_consent": "yes"}})").find("channels.web.needs_consent"),
            std::string::npos);
  EXPECT_NE(error(R"([1])").find("channels: expected an object"), std::string::npos);
}

TEST(ChannelCatalogue, KernelRecordsTheConfiguredCost) {
  auto o = crm_test::options();
  o.channels =
      crm::ChannelCatalogue::from_config(crm::Json::parse(R"({"visit": {"cost": "7.50 EUR"}})"));
  crm::Kernel k(o);
  crm::Interaction i;
  i.customer_id = k.store().customers().add(crm_test::customer("Bo"), kBy);
  i.kind = "visit";
  i.channel = "visit";
  const auto id = k.store().interactions().record(i, kBy);
  EXPECT_EQ(*k.store().interactions().find(id)->channel_cost, Money::parse("7.50 EUR"));
  EXPECT_EQ(*k.store().channels().cost_of("visit"), Money::parse("7.50 EUR"));
}

TEST_F(CatalogueTest, ImportProductsAndLines) {
  const auto dir = crm_test::scratch_dir("catalogue_import");
  const auto products = crm_test::write_file(
      dir / "products.csv",
      "sku,name,category,serialised,warranty_months,price,currency,price_from,price_to\n"
      "TV-55,Television 55,tv,yes,36,899.00,EUR,2026-01-01,\n"
      "CABLE,HDMI cable,accessories,no,,9.90 EUR,,2026-01-01,2026-06-30\n"
      "WM-100,Dup,appliances,yes,24,,,,\n"
      "BAD SKU,x,,,,,,,\n"
      "TV-65,Television 65,tv,maybe,36,,,,\n");
  crm::ImportOptions o;
  auto r = crm::import_products(k_->store(), products, o);
  EXPECT_EQ(r.read, 5);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.skipped, 3);
  EXPECT_EQ(r.existing, 1);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[1].line, 5);
  EXPECT_EQ(r.errors[2].line, 6);
  EXPECT_NE(r.errors[2].message.find("serialised 'maybe'"), std::string::npos);
  const auto tv = k_->store().products().get_by_sku("TV-55");
  EXPECT_TRUE(tv.serialised);
  EXPECT_EQ(tv.warranty_months, 36);
  EXPECT_EQ(k_->store().products().price_on(tv.id, Date(2030, 1, 1))->unit_price,
            Money::parse("899.00 EUR"));
  const auto cable = k_->store().products().get_by_sku("CABLE");
  EXPECT_FALSE(k_->store().products().price_on(cable.id, Date(2026, 7, 1)));

  const auto p = purchase("2026-01-05T12:00:00Z");
  const auto lines = crm_test::write_file(
      dir / "lines.csv", "interaction_id,sku,quantity,unit_price,serial\n" + std::to_string(p) +
                             ",TV-55,1,,TVSN-1\n" + std::to_string(p) + ",CABLE,2,,\n" +
                             std::to_string(p) + ",CABLE,2,,CBL-1\n" + std::to_string(p) +
                             ",NOPE,1,,\n" + std::to_string(p) + ",TV-55,1,850.00 EUR,TVSN-1\n");
  r = crm::import_purchase_lines(k_->store(), lines, o);
  EXPECT_EQ(r.inserted, 2);
  EXPECT_EQ(r.skipped, 3);
  const auto stored = k_->store().products().lines(p);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(*stored[0].unit_price, Money::parse("899.00 EUR"));
  EXPECT_EQ(*stored[1].unit_price, Money::parse("9.90 EUR"));
  EXPECT_EQ(stored[1].quantity, 2);
  // The serial registered the unit; the failed duplicate row left no line.
  const auto asset = k_->store().assets().find_by_serial("TVSN-1");
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->purchased_on, Date(2026, 1, 5));
  EXPECT_EQ(*asset->warranty_end, Date(2029, 1, 4));
  EXPECT_EQ(*asset->purchase, p);

  // Strict: one bad row, nothing written.
  o.strict = true;
  const auto more = crm_test::write_file(dir / "more.csv", "sku,name\nNEW-1,New one\nBAD SKU,x\n");
  r = crm::import_products(k_->store(), more, o);
  EXPECT_FALSE(r.committed);
  EXPECT_FALSE(k_->store().products().find_by_sku("NEW-1"));
}

}  // namespace
