// What the store refuses at the door: text that is not UTF-8 in any field,
// amounts that are not finite, times outside 1900-01-01..2200-12-31; and how
// customer lists match a search text and a tag (literally, exactly).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

using crm::Actor;
using crm::Customer;
using crm::CustomerId;
using crm::Interaction;
using crm::InvalidInput;
using crm::Json;
using crm::Task;
using crm_test::customer;

// Byte sequences that are not UTF-8 (RFC 3629), each a distinct rule.
const std::vector<std::string> kBadUtf8 = {
    "caf\xc3",           // truncated two-byte sequence at the end
    "\xff",              // never a UTF-8 byte
    "a\x80z",            // continuation byte without a lead
    "\xc0\x80",          // overlong NUL
    "\xe0\x80\xaf",      // overlong '/'
    "\xed\xa0\x80",      // UTF-16 surrogate U+D800
    "\xf4\x90\x80\x80",  // above U+10FFFF
    "\xe2\x82 euro",     // three-byte sequence cut by a space
};

// Text at the edges of what is valid.
const std::vector<std::string> kGoodUtf8 = {
    "Zo\xc3\xab",                // Zoë
    "\xe6\x9d\xb1\xe4\xba\xac",  // 東京
    "\xf0\x9f\x98\x80",          // 😀
    "\xed\x9f\xbf",              // U+D7FF, just below the surrogates
    "\xf4\x8f\xbf\xbf",          // U+10FFFF, the last code point
};

// `bytes` with every byte outside printable ASCII as \xNN, for traces.
std::string shown(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && u < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

// Runs `f`, which must throw InvalidInput whose text contains every one of
// `parts`; returns the text.
std::string refused(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const InvalidInput& e) {
    const std::string what = e.what();
    for (const auto& p : parts) EXPECT_NE(what.find(p), std::string::npos) << what;
    // The message itself is printed and logged as JSON: it must be UTF-8.
    EXPECT_NO_THROW((void)Json(what).dump()) << what;
    return what;
  }
  ADD_FAILURE() << "no InvalidInput thrown";
  return {};
}

class StoreInputTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Store& store = k->store();
  const Actor alice = Actor::user("alice");

  std::int64_t count(const std::string& sql) { return store.db().query(sql).at(0).integer(0); }

  // Every customer as JSON text: what `crm --format json customers list`
  // prints, and what invalid UTF-8 in one field used to make throw.
  std::string all_as_json() {
    Json all = Json::array();
    for (const Customer& c : store.customers().list({})) all.push_back(crm::to_json(c));
    return all.dump();
  }
};

// Every text field of a customer, by the name the error must give.
struct CustomerField {
  std::string name;
  std::function<void(Customer&, const std::string&)> set;
};

std::vector<CustomerField> customer_fields() {
  return {
      {"customer name", [](Customer& c, const std::string& v) { c.name = v; }},
      {"customer external_id", [](Customer& c, const std::string& v) { c.external_id = v; }},
      {"customer email", [](Customer& c, const std::string& v) { c.email = v + "@example.com"; }},
      {"customer phone", [](Customer& c, const std::string& v) { c.phone = v; }},
      {"customer owner", [](Customer& c, const std::string& v) { c.owner = v; }},
      {"customer stage", [](Customer& c, const std::string& v) { c.stage = v; }},
      {"customer segment", [](Customer& c, const std::string& v) { c.segment = v; }},
      {"customer consent channel", [](Customer& c, const std::string& v) { c.consent[v] = true; }},
      {"customer tags",
       [](Customer& c, const std::string& v) {
         c.tags = {"ok", v};
       }},
      {"customer attributes.colour",
       [](Customer& c, const std::string& v) { c.attributes["colour"] = v; }},
      {"customer attributes key", [](Customer& c, const std::string& v) { c.attributes[v] = 1; }},
      {"customer attributes.sizes[1]",
       [](Customer& c, const std::string& v) {
         c.attributes["sizes"] = Json::array({"S", v});
       }},
      {"customer contact name",
       [](Customer& c, const std::string& v) {
         c.contacts = {{v, "", "", "", true}};
       }},
      {"customer contact role",
       [](Customer& c, const std::string& v) {
         c.contacts = {{"Ann", v, "", "", true}};
       }},
      {"customer contact email",
       [](Customer& c, const std::string& v) {
         c.contacts = {{"Ann", "", v, "", true}};
       }},
      {"customer contact phone",
       [](Customer& c, const std::string& v) {
         c.contacts = {{"Ann", "", "", v, true}};
       }},
  };
}

TEST_F(StoreInputTest, EveryCustomerTextFieldRefusesInvalidUtf8NamingIt) {
  for (const CustomerField& f : customer_fields()) {
    for (const std::string& bad : kBadUtf8) {
      SCOPED_TRACE(f.name + " = " + shown(bad));
      Customer c = customer("Ann");
      f.set(c, bad);
      refused([&] { store.customers().add(c, alice); }, {f.name + ": invalid UTF-8 at byte"});
    }
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM customers"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_F(StoreInputTest, MessageGivesTheByteAndTheValidTextBeforeIt) {
  Customer c = customer("Ann");
  c.email = "caf\xc3\xa9-\xff@example.com";
  const std::string what = refused([&] { store.customers().add(c, alice); }, {});
  EXPECT_EQ(what, "customer email: invalid UTF-8 at byte 7 (after 'caf\xc3\xa9-')");
}

TEST_F(StoreInputTest, ValidMultibyteTextIsKeptByteForByte) {
  for (const CustomerField& f : customer_fields()) {
    for (const std::string& good : kGoodUtf8) {
      SCOPED_TRACE(f.name + " = " + shown(good));
      Customer c = customer("Ann");
      f.set(c, good);
      const CustomerId id = store.customers().add(c, alice);
      EXPECT_EQ(crm::to_json(store.customers().get(id)), crm::to_json([&] {
                  Customer expected = c;
                  expected.id = id;
                  expected.created_at = expected.updated_at = k->clock().now();
                  return expected;
                }()));
    }
  }
  EXPECT_NO_THROW((void)all_as_json());
}

TEST_F(StoreInputTest, BatchAddRefusesTheBadCustomerOnlyAndTheListStaysPrintable) {
  std::vector<Customer> batch = {customer("Ann"), customer("Bob"), customer("Cid")};
  batch[1].owner = "b\xffo";
  batch[2].tags = {"\xed\xa0\x80"};
  const auto outcomes = store.customers().add_many(batch, alice);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_GT(outcomes[0].id, 0);
  EXPECT_EQ(outcomes[1].id, 0);
  EXPECT_EQ(outcomes[1].error, "customer owner: invalid UTF-8 at byte 2 (after 'b')");
  EXPECT_EQ(outcomes[2].id, 0);
  EXPECT_EQ(outcomes[2].error, "customer tags: invalid UTF-8 at byte 1");
  EXPECT_EQ(count("SELECT COUNT(*) FROM customers"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 1);
  EXPECT_NO_THROW((void)all_as_json());
}

TEST_F(StoreInputTest, UpdateRefusesInvalidUtf8AndKeepsTheStoredCustomer) {
  const CustomerId id = store.customers().add(customer("Ann", "ann@example.com"), alice);
  for (const CustomerField& f : customer_fields()) {
    Customer c = store.customers().get(id);
    f.set(c, "\xff");
    SCOPED_TRACE(f.name);
    refused([&] { store.customers().update(c, alice); }, {f.name + ": invalid UTF-8"});
  }
  const Customer after = store.customers().get(id);
  EXPECT_EQ(after.name, "Ann");
  EXPECT_EQ(after.email, "ann@example.com");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.update'"), 0);
}

TEST_F(StoreInputTest, ReassignRefusesAnInvalidNewOwner) {
  Customer c = customer("Ann");
  c.owner = "alice";
  store.customers().add(c, alice);
  refused([&] { store.customers().reassign_owner("alice", "er\xffin", alice); },
          {"new owner: invalid UTF-8 at byte 3"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM customers WHERE owner = 'alice'"), 1);
}

TEST_F(StoreInputTest, EveryInteractionTextFieldRefusesInvalidUtf8NamingIt) {
  const CustomerId id = store.customers().add(customer("Ann"), alice);
  const std::vector<std::pair<std::string, std::function<void(Interaction&)>>> fields = {
      {"interaction channel", [](Interaction& i) { i.channel = "ph\xffone"; }},
      {"interaction kind", [](Interaction& i) { i.kind = "\xc0\x80"; }},
      {"interaction agent", [](Interaction& i) { i.agent = "erin\xe2\x82"; }},
      {"interaction notes", [](Interaction& i) { i.notes = "said \xed\xa0\x80 twice"; }},
      {"interaction link",
       [](Interaction& i) {
         i.links = {crm::EntityRef{"\xf4\x90\x80\x80", 1}};
       }},
      {"interaction commitment",
       [](Interaction& i) {
         i.commitments = {"call back", "\x80"};
       }},
      {"interaction payload.sku", [](Interaction& i) { i.payload["sku"] = "A\xff"; }},
      {"interaction payload key", [](Interaction& i) { i.payload["\xff"] = 1; }},
      {"interaction payload.items[0].name",
       [](Interaction& i) {
         i.payload["items"] = Json::array({Json{{"name", "\xff"}}});
       }},
  };
  for (const auto& [name, set] : fields) {
    SCOPED_TRACE(name);
    Interaction i;
    i.customer_id = id;
    i.channel = "phone";
    i.kind = "call";
    set(i);
    refused([&] { store.interactions().record(i, alice); }, {name + ": invalid UTF-8 at byte"});
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM interactions"), 0);
}

TEST_F(StoreInputTest, EveryTaskTextFieldRefusesInvalidUtf8NamingIt) {
  const std::vector<std::pair<std::string, std::function<void(Task&)>>> fields = {
      {"task title", [](Task& t) { t.title = "Call \xff"; }},
      {"task owner", [](Task& t) { t.owner = "\xc3"; }},
      {"task link",
       [](Task& t) {
         t.link = crm::EntityRef{"case\xed\xa0\x80", 1};
       }},
  };
  for (const auto& [name, set] : fields) {
    SCOPED_TRACE(name);
    Task t;
    t.title = "Call back";
    set(t);
    refused([&] { store.tasks().add(t, alice); }, {name + ": invalid UTF-8 at byte"});
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM tasks"), 0);
}

TEST_F(StoreInputTest, AmountsRoundTripExactlyInTheirCurrency) {
  const CustomerId id = store.customers().add(customer("Ann"), alice);
  // The extremes of the minor units, a refund, zero, and currencies of 0, 2
  // and 3 minor digits come back exactly as given.
  for (const crm::Money ok :
       {crm::Money(std::numeric_limits<std::int64_t>::max(), crm::Currency::of("EUR")),
        crm::Money(std::numeric_limits<std::int64_t>::min(), crm::Currency::of("USD")),
        crm::Money::parse("-12.50 EUR"), crm::Money::parse("0 JPY"),
        crm::Money::parse("1.005 KWD")}) {
    Interaction i;
    i.customer_id = id;
    i.channel = "store";
    i.kind = "purchase";
    i.amount = ok;
    const auto iid = store.interactions().record(i, alice);
    EXPECT_EQ(*store.interactions().find(iid)->amount, ok) << ok.to_string();
  }
}

TEST(TimeRange, WindowIs1900To2200Inclusive) {
  EXPECT_EQ(crm::to_unix(crm::kEarliestTime), -2208988800);
  EXPECT_EQ(crm::to_unix(crm::kLatestTime), 7289654399);
  EXPECT_EQ(crm::parse_time("1900-01-01"), crm::kEarliestTime);
  EXPECT_EQ(crm::parse_time("2200-12-31T23:59:59Z"), crm::kLatestTime);
  EXPECT_EQ(crm::parse_time("1900-01-01T01:00:00+01:00"), crm::kEarliestTime);
  for (const char* bad :
       {"1899-12-31", "1899-12-31T23:59:59Z", "2201-01-01", "0000-01-01", "9999-12-31", "00260301",
        "2200-12-31T23:30:00-01:00", "1900-01-01T00:30:00+01:00"}) {
    SCOPED_TRACE(bad);
    refused([&] { (void)crm::parse_time(bad); },
            {std::string("'") + bad + "'", "outside the supported range 1900-01-01 to 2200-12-31"});
  }
}

TEST(TimeRange, RequireTimeInRangeNamesTheFieldAndTheTime) {
  EXPECT_NO_THROW(crm::require_time_in_range(crm::kEarliestTime, "x"));
  EXPECT_NO_THROW(crm::require_time_in_range(crm::kLatestTime, "x"));
  refused([] { crm::require_time_in_range(crm::kLatestTime + crm::Seconds{1}, "task due_at"); },
          {"task due_at: 2201-01-01T00:00:00Z is outside"});
  refused([] { crm::require_time_in_range(crm::kEarliestTime - crm::Seconds{1}, "t"); },
          {"t: 1899-12-31T23:59:59Z is outside"});
  // Far beyond any calendar: seconds, not a garbled date.
  refused([] { crm::require_time_in_range(crm::TimePoint::max(), "t"); },
          {"t: 9223372036854775807 s since 1970-01-01 is outside"});
}

TEST_F(StoreInputTest, InteractionAndTaskTimesOutsideTheWindowAreRefused) {
  const CustomerId id = store.customers().add(customer("Ann"), alice);
  Interaction i;
  i.customer_id = id;
  i.channel = "store";
  i.kind = "purchase";
  i.amount = crm::Money::parse("10 USD");
  i.occurred_at = crm::kLatestTime + crm::Seconds{1};
  refused([&] { store.interactions().record(i, alice); }, {"interaction occurred_at: 2201-01-01"});
  i.occurred_at = crm::kEarliestTime - crm::Seconds{86400};
  refused([&] { store.interactions().record(i, alice); }, {"interaction occurred_at: 1899-12-31"});
  i.occurred_at = crm::kEarliestTime;
  EXPECT_GT(store.interactions().record(i, alice), 0);

  Task t;
  t.title = "Call back";
  t.due_at = crm::kLatestTime + crm::Seconds{1};
  refused([&] { store.tasks().add(t, alice); }, {"task due_at: 2201-01-01"});
  t.due_at = crm::kLatestTime;
  EXPECT_GT(store.tasks().add(t, alice), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tasks"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM interactions"), 1);
}

TEST_F(StoreInputTest, BirthdayOutsideTheWindowCannotBeMade) {
  // A birthday is a crm::Date, which refuses the days the kernel's times do
  // not reach, so the store never sees one.
  refused([] { (void)crm::Date(1899, 12, 31); },
          {"date 1899-12-31 is outside 1900-01-01..2200-12-31"});
  refused([] { (void)crm::Date::parse("2201-01-01"); }, {"date 2201-01-01 is outside"});
  Customer c = customer("Ann");
  c.birthday = crm::Date(1900, 1, 1);
  const CustomerId id = store.customers().add(c, alice);
  EXPECT_EQ(store.customers().get(id).birthday, crm::Date(1900, 1, 1));
}

class CustomerMatchTest : public StoreInputTest {
 protected:
  static crm::CustomerQuery text(const std::string& t) {
    crm::CustomerQuery q;
    q.text = t;
    return q;
  }
  static crm::CustomerQuery tag(const std::string& t) {
    crm::CustomerQuery q;
    q.tag = t;
    return q;
  }
  std::vector<std::string> names(const crm::CustomerQuery& q) {
    std::vector<std::string> out;
    for (const Customer& c : store.customers().list(q)) out.push_back(c.name);
    return out;
  }
  void add(const std::string& name, std::vector<std::string> tags = {}, std::string email = "") {
    Customer c = customer(name, std::move(email));
    c.tags = std::move(tags);
    store.customers().add(c, alice);
  }
};

TEST_F(CustomerMatchTest, SearchTreatsPercentUnderscoreAndBackslashLiterally) {
  add("50% off club", {}, "deals@example.com");
  add("500 club");
  add("a_b trading");
  add("axb trading");
  add("back\\slash");
  add("backslash");
  EXPECT_EQ(names(text("50%")), std::vector<std::string>{"50% off club"});
  EXPECT_EQ(names(text("a_b")), std::vector<std::string>{"a_b trading"});
  EXPECT_EQ(names(text("_")), std::vector<std::string>{"a_b trading"});
  EXPECT_EQ(names(text("%")), std::vector<std::string>{"50% off club"});
  EXPECT_EQ(names(text("k\\s")), std::vector<std::string>{"back\\slash"});
  // Still a case-insensitive substring search over name, e-mail and external id.
  EXPECT_EQ(names(text("CLUB")), (std::vector<std::string>{"50% off club", "500 club"}));
  EXPECT_EQ(names(text("DEALS@")), std::vector<std::string>{"50% off club"});
}

TEST_F(CustomerMatchTest, TagMatchesOneWholeTagExactlyAndCaseSensitively) {
  add("upper", {"VIP"});
  add("lower", {"vip", "north"});
  add("longer", {"vip-gold"});
  add("under", {"a_b"});
  add("x", {"axb"});
  add("pct", {"50%"});
  add("quoted", {"say \"hi\""});
  add("none");
  EXPECT_EQ(names(tag("vip")), std::vector<std::string>{"lower"});
  EXPECT_EQ(names(tag("VIP")), std::vector<std::string>{"upper"});
  EXPECT_EQ(names(tag("Vip")), std::vector<std::string>{});
  EXPECT_EQ(names(tag("vip-gold")), std::vector<std::string>{"longer"});
  EXPECT_EQ(names(tag("north")), std::vector<std::string>{"lower"});
  EXPECT_EQ(names(tag("a_b")), std::vector<std::string>{"under"});
  EXPECT_EQ(names(tag("5%")), std::vector<std::string>{});
  EXPECT_EQ(names(tag("50%")), std::vector<std::string>{"pct"});
  EXPECT_EQ(names(tag("say \"hi\"")), std::vector<std::string>{"quoted"});
  crm::CustomerQuery both = tag("vip");
  both.text = "low";
  EXPECT_EQ(names(both), std::vector<std::string>{"lower"});
  both.text = "upp";
  EXPECT_EQ(names(both), std::vector<std::string>{});
}

}  // namespace
