// The SQLite store: customers, interactions, tasks, audit, hand-overs,
// duplicates, merges, transactions and migrations.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "test_support.hpp"

namespace {

using crm::Actor;
using crm::Customer;
using crm::CustomerId;
using crm::Interaction;
using crm::MatchKey;
using crm::Task;
using crm_test::customer;
using crm_test::kStart;

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Store& store = k->store();
  crm::CustomerRepository& customers = store.customers();
  const Actor alice = Actor::user("alice");

  void advance(int seconds) { k->simulated_clock()->advance(crm::Seconds{seconds}); }

  std::int64_t count(const std::string& sql, const std::vector<crm::SqlValue>& params = {}) {
    return store.db().query(sql, params).at(0).integer(0);
  }

  CustomerId add(std::string name, std::string email = "", std::string phone = "") {
    return customers.add(customer(std::move(name), std::move(email), std::move(phone)), alice);
  }

  Customer full_customer() {
    Customer c;
    c.external_id = "EXT-1";
    c.name = "Acme GmbH";
    c.kind = Customer::Kind::kCompany;
    c.contacts = {{"Ann Boss", "CEO", "ann@acme.example", "+43 1 111", true},
                  {"Bob Clerk", "accounting", "bob@acme.example", "+43 1 222", false}};
    c.email = "office@acme.example";
    c.phone = "+43 1 000";
    c.birthday = crm::Date(1990, 5, 17);
    c.owner = "carol";
    c.stage = crm::stage::kLoyal;
    c.segment = "gold";
    c.consent = {{"email", true}, {"sms", false}};
    c.tags = {"vip", "b2b"};
    c.attributes = {{"industry", "steel"}, {"employees", 120}, {"nested", {{"a", {1, 2}}}}};
    return c;
  }
};

void expect_same_fields(const Customer& a, const Customer& b) {
  EXPECT_EQ(a.external_id, b.external_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.kind, b.kind);
  ASSERT_EQ(a.contacts.size(), b.contacts.size());
  for (std::size_t i = 0; i < a.contacts.size(); ++i) {
    EXPECT_EQ(a.contacts[i].name, b.contacts[i].name);
    EXPECT_EQ(a.contacts[i].role, b.contacts[i].role);
    EXPECT_EQ(a.contacts[i].email, b.contacts[i].email);
    EXPECT_EQ(a.contacts[i].phone, b.contacts[i].phone);
    EXPECT_EQ(a.contacts[i].primary, b.contacts[i].primary);
  }
  EXPECT_EQ(a.email, b.email);
  EXPECT_EQ(a.phone, b.phone);
  EXPECT_EQ(a.birthday, b.birthday);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.stage, b.stage);
  EXPECT_EQ(a.segment, b.segment);
  EXPECT_EQ(a.consent, b.consent);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.attributes, b.attributes);
}

// ---- customers -----------------------------------------------------------

TEST_F(StoreTest, AddThenGetRoundTripsEveryField) {
  const Customer c = full_customer();
  const CustomerId id = customers.add(c, alice);
  EXPECT_GT(id, 0);
  const Customer got = customers.get(id);
  EXPECT_EQ(got.id, id);
  expect_same_fields(got, c);
  EXPECT_EQ(got.created_at, kStart);
  EXPECT_EQ(got.updated_at, kStart);
  EXPECT_FALSE(got.may_contact("sms"));
  EXPECT_TRUE(got.may_contact("email"));
  EXPECT_TRUE(got.may_contact("phone"));
  EXPECT_EQ(customers.count(), 1);
}

TEST_F(StoreTest, UpdateRoundTripsEveryFieldAndKeepsCreatedAt) {
  const CustomerId id = add("Plain");
  advance(3600);
  Customer c = full_customer();
  c.id = id;
  customers.update(c, alice);
  const Customer got = customers.get(id);
  expect_same_fields(got, c);
  EXPECT_EQ(got.created_at, kStart);
  EXPECT_EQ(got.updated_at, kStart + crm::Seconds{3600});

  // And back to a customer with nothing but a name: optional fields clear.
  Customer bare = customer("Plain again");
  bare.id = id;
  customers.update(bare, alice);
  const Customer cleared = customers.get(id);
  expect_same_fields(cleared, bare);
  EXPECT_TRUE(cleared.contacts.empty());
}

TEST_F(StoreTest, ContactsComeBackPrimaryFirst) {
  Customer c = customer("Firm");
  c.contacts = {{"Second", "", "", "", false}, {"Main", "", "", "", true}};
  const Customer got = customers.get(customers.add(c, alice));
  ASSERT_EQ(got.contacts.size(), 2u);
  EXPECT_EQ(got.contacts[0].name, "Main");
  EXPECT_TRUE(got.contacts[0].primary);
  EXPECT_EQ(got.contacts[1].name, "Second");
}

TEST_F(StoreTest, EmptyNameIsInvalid) {
  EXPECT_THROW(customers.add(customer(""), alice), crm::InvalidInput);
  EXPECT_EQ(customers.count(), 0);
}

TEST_F(StoreTest, TwoPrimaryContactsAreInvalid) {
  Customer c = customer("Firm");
  c.contacts = {{"A", "", "", "", true}, {"B", "", "", "", true}};
  EXPECT_THROW(customers.add(c, alice), crm::InvalidInput);
  EXPECT_EQ(customers.count(), 0);
}

TEST_F(StoreTest, BirthdayIsStoredAsItsDayAndReadBack) {
  Customer leap = customer("Leap");
  leap.birthday = crm::Date(2000, 2, 29);  // a leap day: a date, not "the 60th day"
  const CustomerId with = customers.add(leap, alice);
  const CustomerId without = add("None");
  EXPECT_EQ(customers.get(with).birthday, crm::Date(2000, 2, 29));
  EXPECT_EQ(customers.get(without).birthday, std::nullopt);
  // The column keeps its text form, which sorts as dates; none is NULL.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM customers WHERE id = ? AND birthday = '2000-02-29'", {with}), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM customers WHERE id = ? AND birthday IS NULL", {without}),
            1);

  // Cleared by an update, and the change is audited as text and null.
  Customer c = customers.get(with);
  c.birthday.reset();
  customers.update(c, alice);
  EXPECT_EQ(customers.get(with).birthday, std::nullopt);
  const auto audit = store.audit().of_customer(with);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().details.at("birthday"),
            (crm::Json{{"old", "2000-02-29"}, {"new", nullptr}}));
}

TEST_F(StoreTest, BirthdaysWrittenWhileTheyWereTextAreReadAsTheirDay) {
  // Before the birthday was a Date the store kept the text it was given,
  // checked by parse_time(): any of its forms may be in a database.
  const std::vector<std::pair<std::string, std::optional<crm::Date>>> stored = {
      {"1990-05-17", crm::Date(1990, 5, 17)},
      {"19900517", crm::Date(1990, 5, 17)},
      {" 1990-05-17 ", crm::Date(1990, 5, 17)},
      {"1990-05-17 10:00", crm::Date(1990, 5, 17)},
      // The UTC day, as the kernel and the template read it then.
      {"1990-05-17T23:30:00-02:00", crm::Date(1990, 5, 18)},
      {"", std::nullopt},
  };
  for (const auto& [text, day] : stored) {
    SCOPED_TRACE("'" + text + "'");
    const CustomerId id = add("Old");
    store.db().execute("UPDATE customers SET birthday = ? WHERE id = ?", {text, id});
    Customer c = customers.get(id);
    EXPECT_EQ(c.birthday, day);
    // Written back in the one form on the next update.
    c.segment = "touched";
    customers.update(c, alice);
    const auto rows = store.db().query("SELECT birthday FROM customers WHERE id = ?", {id});
    if (day) {
      EXPECT_EQ(rows.at(0).text(0), day->to_string());
    } else {
      EXPECT_TRUE(rows.at(0).is_null(0));
    }
  }
}

TEST_F(StoreTest, AStoredBirthdayThatIsNoDateIsAStoreErrorNamingTheRow) {
  const CustomerId id = add("Broken");
  store.db().execute("UPDATE customers SET birthday = '1990-13-01' WHERE id = ?", {id});
  try {
    (void)customers.get(id);
    ADD_FAILURE() << "no exception";
  } catch (const crm::StoreError& e) {
    EXPECT_EQ(std::string(e.what()),
              "customers.birthday of customer " + std::to_string(id) + ": invalid date 1990-13-01");
  }
}

TEST_F(StoreTest, BadEmailIsInvalid) {
  EXPECT_THROW(customers.add(customer("Ann", "ann.example.com"), alice), crm::InvalidInput);
  EXPECT_EQ(customers.count(), 0);
}

TEST_F(StoreTest, UpdateValidatesToo) {
  const CustomerId id = add("Ann");
  Customer c = customers.get(id);
  c.name = "";
  EXPECT_THROW(customers.update(c, alice), crm::InvalidInput);
  EXPECT_EQ(customers.get(id).name, "Ann");
}

TEST_F(StoreTest, GetUnknownIdThrowsNotFoundNamingIt) {
  try {
    customers.get(4242);
    ADD_FAILURE() << "no exception";
  } catch (const crm::NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("4242"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(customers.find(4242).has_value());
}

TEST_F(StoreTest, UpdateUnknownIdThrowsNotFound) {
  Customer c = customer("Ghost");
  c.id = 99;
  EXPECT_THROW(customers.update(c, alice), crm::NotFound);
  EXPECT_EQ(customers.count(), 0);
}

TEST_F(StoreTest, ExternalIdIsUniqueAndErrorNamesIt) {
  Customer a = customer("A");
  a.external_id = "K-100";
  customers.add(a, alice);
  Customer b = customer("B");
  b.external_id = "K-100";
  try {
    customers.add(b, alice);
    ADD_FAILURE() << "no exception";
  } catch (const crm::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("K-100"), std::string::npos) << e.what();
  }
  EXPECT_EQ(customers.count(), 1);
}

TEST_F(StoreTest, ExternalIdTakenOnUpdateIsStoreError) {
  Customer a = customer("A");
  a.external_id = "K-1";
  customers.add(a, alice);
  Customer b = customer("B");
  b.external_id = "K-2";
  b.id = customers.add(b, alice);
  b.external_id = "K-1";
  EXPECT_THROW(customers.update(b, alice), crm::StoreError);
  EXPECT_EQ(customers.get(b.id).external_id, "K-2");
}

TEST_F(StoreTest, AddManyAddsTheGoodOnesAndSaysWhyNotForTheOthers) {
  Customer taken = customer("Taken");
  taken.external_id = "K-1";
  customers.add(taken, alice);
  std::vector<CustomerId> created;
  k->bus().subscribe("customer.created", "seen",
                     [&](const crm::Event& e) { created.push_back(*e.customer_id); });

  std::vector<Customer> batch(4);
  batch[0] = full_customer();
  batch[1] = customer("");  // no name
  batch[2] = customer("Clash");
  batch[2].external_id = "K-1";
  batch[3] = customer("Dora", "dora@example.org");
  const auto out = customers.add_many(batch, alice);

  ASSERT_EQ(out.size(), 4u);
  EXPECT_GT(out[0].id, 0);
  EXPECT_EQ(out[0].error, "");
  EXPECT_EQ(out[1].id, 0);
  EXPECT_NE(out[1].error.find("name"), std::string::npos) << out[1].error;
  EXPECT_EQ(out[2].id, 0);
  EXPECT_NE(out[2].error.find("K-1"), std::string::npos) << out[2].error;
  EXPECT_GT(out[3].id, out[0].id);
  EXPECT_EQ(customers.count(), 3);
  expect_same_fields(customers.get(out[0].id), batch[0]);
  EXPECT_EQ(customers.get(out[3].id).email, "dora@example.org");
  // Each added customer has its own audit entry and event, as with add().
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'customer.create' AND "
                  "actor = 'user:alice' AND customer_id IN (?, ?)",
                  {out[0].id, out[3].id}),
            2);
  EXPECT_EQ(created, (std::vector<CustomerId>{out[0].id, out[3].id}));
}

TEST_F(StoreTest, JsonColumnsAreExactlyWhatJsonDumpWouldWrite) {
  // Quotes, backslashes, control characters and multi-byte UTF-8 in every
  // JSON column, through add() and add_many(): the stored text is the text
  // nlohmann::json writes, and reads back to the same customer.
  Customer c = customer("Zoë \"Q\" \\ Back\tslash\x01 東京 😀");
  c.consent = {{"e\"mail", true}, {"sms\n", false}};
  c.tags = {"a\\b", "\x1f", "Zürich"};
  c.attributes = {{"note", "line\nbreak \u00e9"}, {"k\"ey", "v\b\f\r"}};
  Customer d = c;
  d.name = "Second";
  d.attributes = {{"n", 42}, {"nested", {{"x", {1, "two"}}}}};  // not all strings
  const CustomerId a = customers.add(c, alice);
  const auto out = customers.add_many(std::vector<Customer>{c, d}, alice);
  for (const CustomerId id : {a, out[0].id, out[1].id}) {
    const Customer& want = id == out[1].id ? d : c;
    const auto row =
        store.db().query("SELECT consent, tags, attributes FROM customers WHERE id = ?", {id});
    EXPECT_EQ(row.at(0).text(0), crm::Json(want.consent).dump());
    EXPECT_EQ(row.at(0).text(1), crm::Json(want.tags).dump());
    EXPECT_EQ(row.at(0).text(2), want.attributes.dump());
    expect_same_fields(customers.get(id), want);
  }
  EXPECT_EQ(store.db()
                .query("SELECT details FROM audit_log WHERE customer_id = ?", {out[0].id})
                .at(0)
                .text(0),
            (crm::Json{{"name", c.name}}.dump()));
}

TEST_F(StoreTest, InvalidUtf8IsRefusedNamingTheField) {
  Customer bad = customer("Bad");
  bad.tags = {"ok", "\xC3\x28"};  // a lead byte without its continuation
  const auto out = customers.add_many(std::vector<Customer>{bad, customer("Good")}, alice);
  EXPECT_EQ(out[0].id, 0);
  EXPECT_NE(out[0].error.find("tags"), std::string::npos) << out[0].error;
  EXPECT_NE(out[0].error.find("UTF-8"), std::string::npos) << out[0].error;
  EXPECT_GT(out[1].id, 0);
  EXPECT_EQ(customers.count(), 1);
}

TEST_F(StoreTest, AddManyIsUndoneWhenAValidationHookRefusesOne) {
  crm::SubscriberOptions o;
  o.name = "no-test-domain";
  o.phase = crm::Phase::kBeforeCommit;
  k->bus().subscribe("customer.created", o, [&](const crm::Event& e) {
    if (customers.get(*e.customer_id).email.ends_with("@test.invalid")) {
      throw crm::InvalidInput("test addresses are refused");
    }
  });
  std::vector<Customer> batch = {customer("A", "a@example.org"), customer("B", "b@test.invalid")};
  EXPECT_THROW(customers.add_many(batch, alice), crm::InvalidInput);
  EXPECT_EQ(customers.count(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_F(StoreTest, ManyCustomersWithoutExternalId) {
  add("A");
  add("B");
  add("C");
  EXPECT_EQ(customers.count(), 3);
}

TEST_F(StoreTest, FindByEmailIsNormalised) {
  const CustomerId id = add("Ann", "ann@example.com");
  const auto hit = customers.find_by(MatchKey::kEmail, "  Ann@Example.COM ");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->id, id);
  EXPECT_FALSE(customers.find_by(MatchKey::kEmail, "other@example.com").has_value());
  EXPECT_FALSE(customers.find_by(MatchKey::kEmail, "").has_value());
}

TEST_F(StoreTest, FindByPhoneIsNormalised) {
  const CustomerId id = add("Ann", "", "0043-660-123");
  const auto hit = customers.find_by(MatchKey::kPhone, "+43 660 123");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->id, id);
  EXPECT_EQ(hit->phone, "0043-660-123");  // the stored form is kept as given
  EXPECT_FALSE(customers.find_by(MatchKey::kPhone, "+43 660 124").has_value());
}

TEST_F(StoreTest, FindByLowestIdWins) {
  const CustomerId first = add("First", "same@example.com");
  add("Second", "SAME@example.com");
  EXPECT_EQ(customers.find_by(MatchKey::kEmail, "same@example.com")->id, first);
}

TEST_F(StoreTest, FindByExternalIdIsExact) {
  Customer c = customer("Ann");
  c.external_id = "X-1";
  const CustomerId id = customers.add(c, alice);
  EXPECT_EQ(customers.find_by(MatchKey::kExternalId, "X-1")->id, id);
  EXPECT_FALSE(customers.find_by(MatchKey::kExternalId, "x-1").has_value());
}

class ListTest : public StoreTest {
 protected:
  void SetUp() override {
    ids.push_back(make("Anna Alpha", "anna@alpha.example", "alice", "customer", "gold", {"vip"}));
    ids.push_back(make("Bert Beta", "bert@beta.example", "bob", "prospect", "", {"new", "web"}));
    ids.push_back(make("Cora Gamma", "cora@alpha.example", "alice", "lost", "silver", {"vipx"}));
    ids.push_back(make("Dan Delta", "dan@delta.example", "alice", "customer", "gold", {"web"}));
  }
  CustomerId make(std::string name, std::string email, std::string owner, std::string stage,
                  std::string segment, std::vector<std::string> tags) {
    Customer c = customer(std::move(name), std::move(email));
    c.owner = std::move(owner);
    c.stage = std::move(stage);
    c.segment = std::move(segment);
    c.tags = std::move(tags);
    c.external_id = "E" + std::to_string(ids.size() + 1);
    return customers.add(c, alice);
  }
  std::vector<CustomerId> list(const crm::CustomerQuery& q) {
    std::vector<CustomerId> out;
    for (const Customer& c : customers.list(q)) out.push_back(c.id);
    return out;
  }
  std::vector<CustomerId> ids;
};

TEST_F(ListTest, NoFilterListsAllById) { EXPECT_EQ(list({}), ids); }

TEST_F(ListTest, ByOwner) {
  crm::CustomerQuery q;
  q.owner = "alice";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[0], ids[2], ids[3]}));
}

TEST_F(ListTest, ByStage) {
  crm::CustomerQuery q;
  q.stage = "prospect";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[1]}));
}

TEST_F(ListTest, BySegment) {
  crm::CustomerQuery q;
  q.segment = "gold";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[0], ids[3]}));
}

TEST_F(ListTest, ByTagMatchesWholeTagsOnly) {
  crm::CustomerQuery q;
  q.tag = "vip";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[0]}));
  q.tag = "web";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[1], ids[3]}));
}

TEST_F(ListTest, ByTextInNameEmailOrExternalId) {
  crm::CustomerQuery q;
  q.text = "alpha";  // name of 0, e-mail of 0 and 2
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[0], ids[2]}));
  q.text = "Beta";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[1]}));
  q.text = "E4";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[3]}));
}

TEST_F(ListTest, CombinedFilters) {
  crm::CustomerQuery q;
  q.owner = "alice";
  q.segment = "gold";
  q.stage = "customer";
  q.tag = "web";
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[3]}));
}

TEST_F(ListTest, LimitAndOffset) {
  crm::CustomerQuery q;
  q.limit = 2;
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[0], ids[1]}));
  q.offset = 2;
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[2], ids[3]}));
  q.offset = 3;
  q.limit = 10;
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[3]}));
  q.limit = -1;
  q.offset = 1;
  EXPECT_EQ(list(q), (std::vector<CustomerId>{ids[1], ids[2], ids[3]}));
}

// ---- interactions --------------------------------------------------------

Interaction interaction(CustomerId c, const std::string& kind, const std::string& when,
                        const std::string& channel = "phone") {
  Interaction i;
  i.customer_id = c;
  i.kind = kind;
  i.channel = channel;
  i.occurred_at = crm::parse_time(when);
  return i;
}

TEST_F(StoreTest, InteractionRoundTripsEveryField) {
  const CustomerId c = add("Ann");
  Interaction i = interaction(c, "purchase", "2025-12-24T10:00:00Z", "store");
  i.direction = Interaction::Direction::kOutbound;
  i.amount = crm::Money::parse("99.50 EUR");
  i.agent = "dora";
  i.notes = "gift wrap";
  i.commitments = {"call back Monday", "send invoice"};
  i.payload = {{"sku", "A-1"}, {"qty", 2}};
  // Types the kernel does not hold (a plugin's) are stored as given.
  i.links = {{"asset", 3}, {"product", 7}};
  const crm::InteractionId id = store.interactions().record(i, alice);
  const auto got = store.interactions().find(id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->customer_id, c);
  EXPECT_EQ(got->kind, "purchase");
  EXPECT_EQ(got->channel, "store");
  EXPECT_EQ(got->direction, Interaction::Direction::kOutbound);
  EXPECT_EQ(got->occurred_at, crm::parse_time("2025-12-24T10:00:00Z"));
  ASSERT_TRUE(got->amount.has_value());
  EXPECT_EQ(*got->amount, crm::Money::parse("99.50 EUR"));
  EXPECT_EQ(got->agent, "dora");
  EXPECT_EQ(got->notes, "gift wrap");
  EXPECT_EQ(got->commitments, i.commitments);
  EXPECT_EQ(got->payload, i.payload);
  EXPECT_EQ(got->links, i.links);
}

TEST_F(StoreTest, InteractionWithoutTimeHappensNow) {
  const CustomerId c = add("Ann");
  advance(42);
  Interaction i;
  i.customer_id = c;
  i.kind = "call";
  i.channel = "phone";
  const auto got = store.interactions().find(store.interactions().record(i, alice));
  EXPECT_EQ(got->occurred_at, kStart + crm::Seconds{42});
  EXPECT_FALSE(got->amount.has_value());
}

TEST_F(StoreTest, InteractionForUnknownCustomerIsNotFound) {
  try {
    store.interactions().record(interaction(777, "call", "2026-01-01"), alice);
    ADD_FAILURE() << "no exception";
  } catch (const crm::NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("777"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM interactions"), 0);
}

TEST_F(StoreTest, InteractionNeedsKindAndChannel) {
  const CustomerId c = add("Ann");
  EXPECT_THROW(store.interactions().record(interaction(c, "", "2026-01-01"), alice),
               crm::InvalidInput);
  EXPECT_THROW(store.interactions().record(interaction(c, "call", "2026-01-01", ""), alice),
               crm::InvalidInput);
}

TEST_F(StoreTest, InteractionListIsOrderedByTimeThenId) {
  const CustomerId a = add("A");
  const CustomerId b = add("B");
  auto& repo = store.interactions();
  const auto i3 = repo.record(interaction(a, "call", "2026-03-01"), alice);
  const auto i1 = repo.record(interaction(b, "call", "2026-01-01"), alice);
  const auto i2a = repo.record(interaction(a, "visit", "2026-02-01"), alice);
  const auto i2b = repo.record(interaction(b, "purchase", "2026-02-01", "web"), alice);
  std::vector<crm::InteractionId> got;
  for (const auto& i : repo.list({})) got.push_back(i.id);
  EXPECT_EQ(got, (std::vector<crm::InteractionId>{i1, i2a, i2b, i3}));
}

TEST_F(StoreTest, InteractionListFilters) {
  const CustomerId a = add("A");
  const CustomerId b = add("B");
  auto& repo = store.interactions();
  const auto a1 = repo.record(interaction(a, "call", "2026-01-01"), alice);
  const auto a2 = repo.record(interaction(a, "purchase", "2026-02-01", "web"), alice);
  const auto b1 = repo.record(interaction(b, "purchase", "2026-03-01", "store"), alice);
  const auto ids = [&](const crm::InteractionQuery& q) {
    std::vector<crm::InteractionId> out;
    for (const auto& i : repo.list(q)) out.push_back(i.id);
    return out;
  };
  using V = std::vector<crm::InteractionId>;
  crm::InteractionQuery q;
  q.customer_id = a;
  EXPECT_EQ(ids(q), (V{a1, a2}));
  q = {};
  q.kind = "purchase";
  EXPECT_EQ(ids(q), (V{a2, b1}));
  q = {};
  q.channel = "store";
  EXPECT_EQ(ids(q), (V{b1}));
  q = {};
  q.from = crm::parse_time("2026-02-01");  // inclusive
  q.to = crm::parse_time("2026-03-01");    // exclusive
  EXPECT_EQ(ids(q), (V{a2}));
}

TEST_F(StoreTest, InteractionForEachIsOrderedByCustomerThenTime) {
  const CustomerId a = add("A");
  const CustomerId b = add("B");
  auto& repo = store.interactions();
  const auto b2 = repo.record(interaction(b, "call", "2026-02-01"), alice);
  const auto a2 = repo.record(interaction(a, "call", "2026-03-01"), alice);
  const auto b1 = repo.record(interaction(b, "call", "2026-01-01"), alice);
  const auto a1 = repo.record(interaction(a, "call", "2026-01-15"), alice);
  std::vector<crm::InteractionId> got;
  repo.for_each({}, [&](const Interaction& i) { got.push_back(i.id); });
  EXPECT_EQ(got, (std::vector<crm::InteractionId>{a1, a2, b1, b2}));
  got.clear();
  crm::InteractionQuery q;
  q.customer_id = b;
  repo.for_each(q, [&](const Interaction& i) { got.push_back(i.id); });
  EXPECT_EQ(got, (std::vector<crm::InteractionId>{b1, b2}));
}

// ---- tasks ---------------------------------------------------------------

Task task(std::optional<CustomerId> c, std::string title, std::string owner,
          std::optional<std::string> due = std::nullopt) {
  Task t;
  t.customer_id = c;
  t.title = std::move(title);
  t.owner = std::move(owner);
  if (due) t.due_at = crm::parse_time(*due);
  return t;
}

TEST_F(StoreTest, TaskAddFindComplete) {
  const CustomerId c = add("Ann");
  Task t = task(c, "call back", "bob", "2026-01-05T09:00:00Z");
  t.link = crm::EntityRef{"product", 17};
  const crm::TaskId id = store.tasks().add(t, alice);
  auto got = store.tasks().find(id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->customer_id, c);
  EXPECT_EQ(got->title, "call back");
  EXPECT_EQ(got->owner, "bob");
  EXPECT_EQ(got->due_at, crm::parse_time("2026-01-05T09:00:00Z"));
  EXPECT_EQ(got->status, Task::Status::kOpen);
  EXPECT_EQ(got->link, (crm::EntityRef{"product", 17}));
  EXPECT_EQ(got->created_at, kStart);
  EXPECT_FALSE(got->completed_at.has_value());

  advance(600);
  store.tasks().complete(id, alice);
  got = store.tasks().find(id);
  EXPECT_EQ(got->status, Task::Status::kDone);
  EXPECT_EQ(got->completed_at, kStart + crm::Seconds{600});
}

TEST_F(StoreTest, CompletingTwiceIsInvalid) {
  const crm::TaskId id = store.tasks().add(task(std::nullopt, "t", "bob"), alice);
  store.tasks().complete(id, alice);
  try {
    store.tasks().complete(id, alice);
    ADD_FAILURE() << "no exception";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("done"), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, CompletingUnknownTaskIsNotFound) {
  EXPECT_THROW(store.tasks().complete(55, alice), crm::NotFound);
}

TEST_F(StoreTest, TaskForUnknownCustomerIsNotFound) {
  EXPECT_THROW(store.tasks().add(task(CustomerId{9}, "t", "bob"), alice), crm::NotFound);
  EXPECT_THROW(store.tasks().add(task(std::nullopt, "", "bob"), alice), crm::InvalidInput);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tasks"), 0);
}

TEST_F(StoreTest, TaskListOrderAndFilters) {
  const CustomerId c = add("Ann");
  auto& tasks = store.tasks();
  const auto none = tasks.add(task(c, "no due", "bob"), alice);
  const auto late = tasks.add(task(c, "late", "bob", "2026-03-01"), alice);
  const auto early = tasks.add(task(std::nullopt, "early", "eve", "2026-01-02"), alice);
  const auto done = tasks.add(task(c, "done", "bob", "2026-01-03"), alice);
  tasks.complete(done, alice);
  const auto ids = [&](const crm::TaskQuery& q) {
    std::vector<crm::TaskId> out;
    for (const Task& t : tasks.list(q)) out.push_back(t.id);
    return out;
  };
  using V = std::vector<crm::TaskId>;
  EXPECT_EQ(ids({}), (V{early, done, late, none}));  // by due time, none last
  crm::TaskQuery q;
  q.owner = "bob";
  q.status = Task::Status::kOpen;
  EXPECT_EQ(ids(q), (V{late, none}));
  q = {};
  q.customer_id = c;
  EXPECT_EQ(ids(q), (V{done, late, none}));
  q = {};
  q.due_before = crm::parse_time("2026-02-01");
  EXPECT_EQ(ids(q), (V{early, done}));
}

// ---- audit ---------------------------------------------------------------

TEST_F(StoreTest, EveryWriteIsAuditedWithItsActor) {
  const CustomerId c = customers.add(customer("Ann"), Actor::user("x"));
  advance(1);
  Customer upd = customers.get(c);
  upd.segment = "gold";
  customers.update(upd, Actor::plugin("y"));
  advance(1);
  store.interactions().record(interaction(c, "call", "2026-01-01"), Actor::rule("z"));
  advance(1);
  const auto t = store.tasks().add(task(c, "follow up", "bob"), Actor::user("x"));
  advance(1);
  store.tasks().complete(t, Actor::system());

  const auto entries = store.audit().of_customer(c);
  ASSERT_EQ(entries.size(), 5u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"user:x", "customer.create"},
      {"plugin:y", "customer.update"},
      {"rule:z", "interaction.record"},
      {"user:x", "task.create"},
      {"system:kernel", "task.complete"}};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].actor, expected[i].first) << i;
    EXPECT_EQ(entries[i].action, expected[i].second) << i;
    EXPECT_EQ(entries[i].customer_id, c) << i;
    EXPECT_EQ(entries[i].time, kStart + crm::Seconds{static_cast<int>(i)}) << i;
  }
  EXPECT_EQ(entries[0].entity, "customer");
  EXPECT_EQ(entries[0].entity_id, c);
  EXPECT_EQ(entries[0].details["name"], "Ann");
  EXPECT_EQ(entries[1].details["segment"]["old"], "");
  EXPECT_EQ(entries[1].details["segment"]["new"], "gold");
  EXPECT_EQ(entries[3].entity, "task");
  EXPECT_EQ(entries[3].entity_id, t);

  const auto recent = store.audit().recent(2);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].action, "task.complete");
  EXPECT_EQ(recent[1].action, "task.create");
}

TEST_F(StoreTest, UpdateWithoutChangesWritesNoAuditEntry) {
  const CustomerId c = add("Ann");
  customers.update(customers.get(c), alice);
  EXPECT_EQ(store.audit().of_customer(c).size(), 1u);
}

TEST_F(StoreTest, PluginAuditRecordsAreReadBack) {
  store.audit().record(Actor::plugin("retention"), "score.write", "score", 5, std::nullopt,
                       {{"score", 0.5}});
  const auto e = store.audit().recent(1).at(0);
  EXPECT_EQ(e.actor, "plugin:retention");
  EXPECT_EQ(e.action, "score.write");
  EXPECT_EQ(e.entity, "score");
  EXPECT_EQ(e.entity_id, 5);
  EXPECT_FALSE(e.customer_id.has_value());
  EXPECT_DOUBLE_EQ(e.details["score"].get<double>(), 0.5);
}

// ---- reassign ------------------------------------------------------------

TEST_F(StoreTest, ReassignMovesCustomersAndTheirOpenTasks) {
  Customer a = customer("A");
  a.owner = "olga";
  const CustomerId ca = customers.add(a, alice);
  Customer b = customer("B");
  b.owner = "olga";
  const CustomerId cb = customers.add(b, alice);
  Customer other = customer("Other");
  other.owner = "paul";
  const CustomerId co = customers.add(other, alice);

  auto& tasks = store.tasks();
  const auto open_a = tasks.add(task(ca, "open a", "olga"), alice);
  const auto open_b = tasks.add(task(cb, "open b", "olga"), alice);
  const auto done_a = tasks.add(task(ca, "done a", "olga"), alice);
  tasks.complete(done_a, alice);
  const auto someone_else = tasks.add(task(ca, "by sam", "sam"), alice);
  const auto i = store.interactions().record(interaction(ca, "call", "2025-12-01"), alice);

  std::vector<crm::Event> seen;
  k->bus().subscribe(crm::events::kOwnerChanged, crm_test::sub("watch"),
                     [&](const crm::Event& e) { seen.push_back(e); });

  advance(10);
  const crm::Handover h = customers.reassign_owner("olga", "quinn", Actor::user("boss"));
  EXPECT_EQ(h.customers, 2);
  EXPECT_EQ(h.open_tasks, 2);

  EXPECT_EQ(customers.get(ca).owner, "quinn");
  EXPECT_EQ(customers.get(cb).owner, "quinn");
  EXPECT_EQ(customers.get(co).owner, "paul");
  EXPECT_EQ(tasks.find(open_a)->owner, "quinn");
  EXPECT_EQ(tasks.find(open_b)->owner, "quinn");
  EXPECT_EQ(tasks.find(done_a)->owner, "olga");  // history stays as it was
  EXPECT_EQ(tasks.find(someone_else)->owner, "sam");
  EXPECT_EQ(store.interactions().find(i)->customer_id, ca);

  EXPECT_EQ(count("SELECT COUNT(*) FROM owner_handovers WHERE from_owner = 'olga' AND "
                  "to_owner = 'quinn' AND actor = 'user:boss'"),
            2);
  for (const CustomerId c : {ca, cb}) {
    const auto entries = store.audit().of_customer(c);
    const auto n = std::count_if(entries.begin(), entries.end(), [](const crm::AuditEntry& e) {
      return e.action == "customer.handover" && e.actor == "user:boss" &&
             e.details == crm::Json{{"from", "olga"}, {"to", "quinn"}};
    });
    EXPECT_EQ(n, 1) << "customer " << c;
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].customer_id, ca);
  EXPECT_EQ(seen[1].customer_id, cb);
  EXPECT_EQ(seen[0].payload, (crm::Json{{"from", "olga"}, {"to", "quinn"}}));
  EXPECT_EQ(seen[0].time, kStart + crm::Seconds{10});
}

TEST_F(StoreTest, ReassignLeavesTasksOfOtherOwnersCustomersAlone) {
  // Olga has an open task for one of Quinn's own customers; handing Olga's
  // customers to Quinn moves only the tasks of those customers.
  Customer mine = customer("Olga's");
  mine.owner = "olga";
  const CustomerId c_mine = customers.add(mine, alice);
  Customer theirs = customer("Quinn's");
  theirs.owner = "quinn";
  const CustomerId c_theirs = customers.add(theirs, alice);
  const auto t_mine = store.tasks().add(task(c_mine, "a", "olga"), alice);
  const auto t_theirs = store.tasks().add(task(c_theirs, "b", "olga"), alice);

  const crm::Handover h = customers.reassign_owner("olga", "quinn", alice);
  EXPECT_EQ(h.customers, 1);
  EXPECT_EQ(h.open_tasks, 1);
  EXPECT_EQ(store.tasks().find(t_mine)->owner, "quinn");
  EXPECT_EQ(store.tasks().find(t_theirs)->owner, "olga");
}

TEST_F(StoreTest, ReassignFromOwnerWithoutCustomersIsNotFound) {
  add("A");
  try {
    customers.reassign_owner("nobody", "quinn", alice);
    ADD_FAILURE() << "no exception";
  } catch (const crm::NotFound& e) {
    EXPECT_NE(std::string(e.what()).find("nobody"), std::string::npos) << e.what();
  }
  EXPECT_THROW(customers.reassign_owner("same", "same", alice), crm::InvalidInput);
  EXPECT_THROW(customers.reassign_owner("", "x", alice), crm::InvalidInput);
}

TEST_F(StoreTest, UpdateChangingOwnerRecordsAHandover) {
  Customer c = customer("A");
  c.owner = "olga";
  c.id = customers.add(c, alice);
  c.owner = "paul";
  customers.update(c, alice);
  EXPECT_EQ(count("SELECT COUNT(*) FROM owner_handovers WHERE customer_id = ? AND from_owner = "
                  "'olga' AND to_owner = 'paul'",
                  {c.id}),
            1);
}

// ---- duplicates and merge ------------------------------------------------

TEST_F(StoreTest, FindDuplicatesGroupsByNormalisedEmailAndPhone) {
  const CustomerId a = add("A", "ann@example.com", "+43 660 1");
  const CustomerId b = add("B", " ANN@example.com", "");
  const CustomerId c = add("C", "ann@EXAMPLE.com", "");
  const CustomerId d = add("D", "dan@example.com", "0043 660 1");
  add("E", "eve@example.com", "+43 660 2");
  const auto groups = customers.find_duplicates();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].reason, "email");
  EXPECT_EQ(groups[0].value, "ann@example.com");
  EXPECT_EQ(groups[0].ids, (std::vector<CustomerId>{a, b, c}));
  EXPECT_EQ(groups[1].reason, "phone");
  EXPECT_EQ(groups[1].value, "436601");
  EXPECT_EQ(groups[1].ids, (std::vector<CustomerId>{a, d}));
}

TEST_F(StoreTest, NoDuplicatesWhenValuesDiffer) {
  add("A", "a@example.com");
  add("B", "b@example.com");
  add("C");
  add("D");  // both without e-mail: not duplicates
  EXPECT_TRUE(customers.find_duplicates().empty());
}

TEST_F(StoreTest, MergeMovesHistoryFillsFieldsAndDeletesOther) {
  Customer keep = customer("Keep", "keep@example.com");
  keep.tags = {"a", "b"};
  keep.consent = {{"email", true}, {"phone", true}};
  keep.attributes = {{"color", "red"}};
  keep.contacts = {{"Kim", "", "", "", true}};
  const CustomerId k_id = customers.add(keep, alice);
  advance(5);
  Customer other = customer("Other", "other@example.com", "+43 1 5");
  other.external_id = "OLD-9";
  other.birthday = crm::Date(1980, 1, 2);
  other.owner = "olga";
  other.segment = "gold";
  other.tags = {"b", "c"};
  other.consent = {{"email", false}, {"sms", true}};
  other.attributes = {{"color", "blue"}, {"size", "L"}};
  other.contacts = {{"Otto", "buyer", "", "", true}};
  const CustomerId o_id = customers.add(other, alice);
  const auto i1 = store.interactions().record(interaction(o_id, "call", "2025-06-01"), alice);
  const auto i2 = store.interactions().record(interaction(k_id, "call", "2025-07-01"), alice);
  const auto t1 = store.tasks().add(task(o_id, "t", "olga"), alice);

  std::vector<crm::Event> merged;
  k->bus().subscribe(crm::events::kCustomerMerged, crm_test::sub("w"),
                     [&](const crm::Event& e) { merged.push_back(e); });
  customers.merge(k_id, o_id, Actor::user("boss"));

  EXPECT_FALSE(customers.find(o_id).has_value());
  EXPECT_EQ(customers.count(), 1);
  const Customer got = customers.get(k_id);
  EXPECT_EQ(got.name, "Keep");
  EXPECT_EQ(got.email, "keep@example.com");  // the survivor's value wins
  EXPECT_EQ(got.phone, "+43 1 5");           // empty fields are filled
  EXPECT_EQ(got.birthday, crm::Date(1980, 1, 2));
  EXPECT_EQ(got.owner, "olga");
  EXPECT_EQ(got.segment, "gold");
  EXPECT_EQ(got.external_id, "OLD-9");
  EXPECT_EQ(got.tags, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(got.consent,
            (std::map<std::string, bool>{{"email", false}, {"phone", true}, {"sms", true}}));
  EXPECT_EQ(got.attributes, (crm::Json{{"color", "red"}, {"size", "L"}}));
  ASSERT_EQ(got.contacts.size(), 2u);
  EXPECT_EQ(got.contacts[0].name, "Kim");
  EXPECT_TRUE(got.contacts[0].primary);
  EXPECT_EQ(got.contacts[1].name, "Otto");
  EXPECT_FALSE(got.contacts[1].primary);
  EXPECT_EQ(got.created_at, kStart);

  crm::InteractionQuery q;
  q.customer_id = k_id;
  const auto history = store.interactions().list(q);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].id, i1);
  EXPECT_EQ(history[1].id, i2);
  EXPECT_EQ(store.tasks().find(t1)->customer_id, k_id);
  EXPECT_EQ(count("SELECT COUNT(*) FROM customer_merges WHERE kept_id = ? AND merged_id = ?",
                  {k_id, o_id}),
            1);
  const auto audit = store.audit().of_customer(k_id);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().action, "customer.merge");
  EXPECT_EQ(audit.back().actor, "user:boss");
  EXPECT_EQ(audit.back().details["interactions"], 1);
  EXPECT_EQ(audit.back().details["tasks"], 1);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].customer_id, k_id);
  EXPECT_EQ(merged[0].payload["merged"], o_id);
  // The released external id can be looked up on the survivor.
  EXPECT_EQ(customers.find_by(MatchKey::kExternalId, "OLD-9")->id, k_id);
}

TEST_F(StoreTest, MergeKeepsTheSurvivorsExternalId) {
  Customer a = customer("A");
  a.external_id = "A-1";
  const CustomerId ka = customers.add(a, alice);
  Customer b = customer("B");
  b.external_id = "B-1";
  const CustomerId kb = customers.add(b, alice);
  customers.merge(ka, kb, alice);
  EXPECT_EQ(customers.get(ka).external_id, "A-1");
  EXPECT_FALSE(customers.find_by(MatchKey::kExternalId, "B-1").has_value());
}

TEST_F(StoreTest, MergeOptOutOnTheSurvivorStays) {
  Customer a = customer("A");
  a.consent = {{"email", false}};
  const CustomerId ka = customers.add(a, alice);
  Customer b = customer("B");
  b.consent = {{"email", true}};
  const CustomerId kb = customers.add(b, alice);
  customers.merge(ka, kb, alice);
  EXPECT_FALSE(customers.get(ka).may_contact("email"));
}

TEST_F(StoreTest, MergeUnknownOrSameIdsThrow) {
  const CustomerId a = add("A");
  const CustomerId b = add("B");
  EXPECT_THROW(customers.merge(a, 999, alice), crm::NotFound);
  EXPECT_THROW(customers.merge(999, a, alice), crm::NotFound);
  EXPECT_THROW(customers.merge(a, a, alice), crm::InvalidInput);
  EXPECT_EQ(customers.count(), 2);
  EXPECT_TRUE(customers.find(b).has_value());
}

// ---- transactions and migrations -----------------------------------------

TEST_F(StoreTest, TransactionWithoutCommitLeavesNoRows) {
  {
    crm::Transaction tx(store.db());
    const CustomerId c = add("Ann");
    store.interactions().record(interaction(c, "call", "2026-01-01"), alice);
    store.tasks().add(task(c, "t", "bob"), alice);
    EXPECT_EQ(customers.count(), 1);  // visible inside
  }
  EXPECT_FALSE(store.db().in_transaction());
  EXPECT_EQ(customers.count(), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM interactions"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tasks"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_F(StoreTest, TransactionCommitKeepsRows) {
  {
    crm::Transaction tx(store.db());
    add("Ann");
    tx.commit();
  }
  EXPECT_EQ(customers.count(), 1);
}

TEST_F(StoreTest, ExceptionInsideTransactionRollsBack) {
  try {
    crm::Transaction tx(store.db());
    add("Ann");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(customers.count(), 0);
}

TEST_F(StoreTest, NestedTransactionRollsBackOnlyTheInnerPart) {
  {
    crm::Transaction outer(store.db());
    add("Outer before");
    {
      crm::Transaction inner(store.db());
      add("Inner");
      EXPECT_EQ(customers.count(), 2);
    }  // rolled back to the savepoint
    EXPECT_TRUE(store.db().in_transaction());
    add("Outer after");
    {
      crm::Transaction inner2(store.db());
      add("Inner committed");
      inner2.commit();
    }
    outer.commit();
  }
  std::vector<std::string> names;
  for (const Customer& c : customers.list({})) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Outer before", "Outer after", "Inner committed"}));
}

TEST_F(StoreTest, InnerCommitIsUndoneByOuterRollback) {
  {
    crm::Transaction outer(store.db());
    {
      crm::Transaction inner(store.db());
      add("Inner");
      inner.commit();
    }
  }
  EXPECT_EQ(customers.count(), 0);
}

TEST_F(StoreTest, MigrateAppliesVersionsOnceAndInOrder) {
  crm::Database& db = store.db();
  const std::vector<crm::Migration> v12 = {
      {1, "create", "CREATE TABLE demo (x INTEGER); INSERT INTO demo VALUES (1)"},
      {2, "second row", "INSERT INTO demo VALUES (2)"}};
  EXPECT_EQ(db.schema_version("demo"), 0);
  EXPECT_EQ(db.migrate("demo", v12), 2);
  EXPECT_EQ(db.schema_version("demo"), 2);
  EXPECT_EQ(db.migrate("demo", v12), 0);  // already applied: no second insert
  EXPECT_EQ(count("SELECT COUNT(*) FROM demo"), 2);

  auto v123 = v12;
  v123.push_back({3, "third row", "INSERT INTO demo VALUES (3)"});
  EXPECT_EQ(db.migrate("demo", v123), 1);
  EXPECT_EQ(db.schema_version("demo"), 3);
  std::vector<std::int64_t> xs;
  for (const auto& r : db.query("SELECT x FROM demo ORDER BY rowid")) xs.push_back(r.integer(0));
  EXPECT_EQ(xs, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(db.schema_version("kernel"), 8);
  EXPECT_EQ(db.schema_version("other"), 0);
}

TEST_F(StoreTest, MigrateRefusesAGapInVersions) {
  const std::vector<crm::Migration> gap = {{2, "too far", "CREATE TABLE gap (x INTEGER)"}};
  EXPECT_THROW(store.db().migrate("gappy", gap), crm::StoreError);
  EXPECT_EQ(store.db().schema_version("gappy"), 0);
}

TEST_F(StoreTest, FailingMigrationNamesComponentAndVersionAndKeepsEarlierSteps) {
  crm::Database& db = store.db();
  const std::vector<crm::Migration> steps = {
      {1, "ok", "CREATE TABLE good (x INTEGER)"},
      {2, "broken", "CREATE TABLE half (x INTEGER); INSERT INTO missing_table VALUES (1)"}};
  try {
    db.migrate("shaky", steps);
    ADD_FAILURE() << "no exception";
  } catch (const crm::StoreError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("shaky"), std::string::npos) << msg;
    EXPECT_NE(msg.find("v2"), std::string::npos) << msg;
  }
  EXPECT_EQ(db.schema_version("shaky"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'good'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'"), 0);
  EXPECT_FALSE(db.in_transaction());
}

TEST_F(StoreTest, SqlRowAccessorsCheckTypes) {
  const auto rows = store.db().query("SELECT 1, 2.5, 'x', NULL");
  ASSERT_EQ(rows.size(), 1u);
  const crm::SqlRow& r = rows[0];
  EXPECT_EQ(r.integer(0), 1);
  EXPECT_DOUBLE_EQ(r.real(0), 1.0);
  EXPECT_DOUBLE_EQ(r.real(1), 2.5);
  EXPECT_EQ(r.text(2), "x");
  EXPECT_TRUE(r.is_null(3));
  EXPECT_THROW((void)r.integer(2), crm::StoreError);
  EXPECT_THROW((void)r.text(0), crm::StoreError);
}

}  // namespace
