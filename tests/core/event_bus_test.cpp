// The event bus: order, patterns, the two phases and store transactions,
// failing subscribers, cascades.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "test_support.hpp"

namespace {

using crm::Actor;
using crm::Event;
using crm::Phase;
using crm_test::customer;
using crm_test::sub;

class EventBusTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::EventBus& bus = k->bus();
  crm::Store& store = k->store();
  const Actor actor = Actor::user("tester");
  std::vector<std::string> log;

  // A subscriber that appends "<tag>:<event type>" to `log`.
  crm::SubscriptionId record(const std::string& pattern, const std::string& tag,
                             crm::SubscriberOptions o) {
    return bus.subscribe(pattern, std::move(o),
                         [this, tag](const Event& e) { log.push_back(tag + ":" + e.type); });
  }
};

TEST_F(EventBusTest, OrderIsPriorityThenNameThenSubscriptionOrder) {
  record("x.happened", "b-prio0-first", sub("b", 0));
  record("x.happened", "a-prio5", sub("a", 5));
  record("x.happened", "b-prio0-second", sub("b", 0));
  record("x.happened", "a-prio0", sub("a", 0));
  record("x.happened", "z-prio-neg", sub("z", -1));
  bus.publish(Event{"x.happened", {}, std::nullopt, {}});
  EXPECT_EQ(log, (std::vector<std::string>{"z-prio-neg:x.happened", "a-prio0:x.happened",
                                           "b-prio0-first:x.happened", "b-prio0-second:x.happened",
                                           "a-prio5:x.happened"}));
}

TEST_F(EventBusTest, BeforeCommitRunsBeforeAfterCommitOutsideATransaction) {
  record("x.y", "after", sub("a", -100, Phase::kAfterCommit));
  record("x.y", "before", sub("z", 100, Phase::kBeforeCommit));
  bus.publish(Event{"x.y", {}, std::nullopt, {}});
  EXPECT_EQ(log, (std::vector<std::string>{"before:x.y", "after:x.y"}));
}

TEST_F(EventBusTest, PatternsStarAndPrefix) {
  record("*", "all", sub("1"));
  record("customer.*", "cust", sub("2"));
  record("customer.created", "exact", sub("3"));
  record("customer", "bare", sub("4"));
  bus.publish(Event{"customer.created", {}, std::nullopt, {}});
  bus.publish(Event{"customer.updated", {}, std::nullopt, {}});
  bus.publish(Event{"task.created", {}, std::nullopt, {}});
  bus.publish(Event{"customers.created", {}, std::nullopt, {}});
  bus.publish(Event{"customer", {}, std::nullopt, {}});
  EXPECT_EQ(log, (std::vector<std::string>{
                     "all:customer.created", "cust:customer.created", "exact:customer.created",
                     "all:customer.updated", "cust:customer.updated", "all:task.created",
                     "all:customers.created", "all:customer", "bare:customer"}));
}

TEST_F(EventBusTest, EventTimeDefaultsToTheKernelClock) {
  std::vector<Event> seen;
  bus.subscribe("t.*", sub("s"), [&](const Event& e) { seen.push_back(e); });
  k->simulated_clock()->advance(crm::Seconds{90});
  bus.publish(Event{"t.now", {}, std::nullopt, {}});
  bus.publish(Event{"t.given", crm::parse_time("2020-05-05"), 7, {{"k", 1}}});
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].time, crm_test::kStart + crm::Seconds{90});
  EXPECT_EQ(seen[1].time, crm::parse_time("2020-05-05"));
  EXPECT_EQ(seen[1].customer_id, 7);
  EXPECT_EQ(seen[1].payload["k"], 1);
}

TEST_F(EventBusTest, AfterCommitSeesEventsOnlyAfterTheOutermostCommit) {
  record("customer.created", "after", sub("a"));
  {
    crm::Transaction outer(store.db());
    {
      crm::Transaction inner(store.db());
      store.customers().add(customer("Ann"), actor);
      inner.commit();
    }
    EXPECT_TRUE(log.empty()) << "inner commit must not release events";
    store.customers().add(customer("Bob"), actor);
    EXPECT_TRUE(log.empty());
    outer.commit();
  }
  EXPECT_EQ(log, (std::vector<std::string>{"after:customer.created", "after:customer.created"}));
}

TEST_F(EventBusTest, AfterCommitNeverSeesRolledBackEvents) {
  std::vector<crm::CustomerId> seen;
  bus.subscribe("customer.created", sub("a"),
                [&](const Event& e) { seen.push_back(*e.customer_id); });
  {
    crm::Transaction tx(store.db());
    store.customers().add(customer("Gone"), actor);
  }
  EXPECT_TRUE(seen.empty());
  const auto kept = store.customers().add(customer("Kept"), actor);
  EXPECT_EQ(seen, (std::vector<crm::CustomerId>{kept}));
}

TEST_F(EventBusTest, SavepointRollbackDropsOnlyItsOwnEvents) {
  std::vector<std::string> names;
  bus.subscribe("customer.created", sub("a"), [&](const Event& e) {
    names.push_back(store.customers().get(*e.customer_id).name);
  });
  {
    crm::Transaction outer(store.db());
    store.customers().add(customer("Outer"), actor);
    {
      crm::Transaction inner(store.db());
      store.customers().add(customer("Inner"), actor);
    }
    outer.commit();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Outer"}));
}

TEST_F(EventBusTest, BeforeCommitRunsInsideTheTransaction) {
  bool was_in_tx = false;
  std::int64_t rows_seen = -1;
  bus.subscribe("customer.created", sub("v", 0, Phase::kBeforeCommit), [&](const Event&) {
    was_in_tx = store.db().in_transaction();
    rows_seen = store.customers().count();
  });
  store.customers().add(customer("Ann"), actor);
  EXPECT_TRUE(was_in_tx);
  EXPECT_EQ(rows_seen, 1);
}

TEST_F(EventBusTest, ThrowingAfterCommitSubscriberIsRecordedAndOthersRun) {
  record("customer.created", "first", sub("a-first", 0));
  bus.subscribe("customer.created", sub("b-broken", 0),
                [](const Event&) { throw std::runtime_error("subscriber exploded"); });
  record("customer.created", "last", sub("c-last", 0));
  const auto id = store.customers().add(customer("Ann"), actor);
  EXPECT_EQ(log, (std::vector<std::string>{"first:customer.created", "last:customer.created"}));
  const auto errors = bus.errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].subscriber, "b-broken");
  EXPECT_EQ(errors[0].event_type, "customer.created");
  EXPECT_EQ(errors[0].message, "subscriber exploded");
  EXPECT_EQ(store.customers().get(id).name, "Ann");  // the write stays
}

TEST_F(EventBusTest, ThrowingAfterCommitSubscriberInsideTransactionKeepsTheWrite) {
  bus.subscribe("customer.created", sub("broken"),
                [](const Event&) { throw std::runtime_error("late failure"); });
  {
    crm::Transaction tx(store.db());
    store.customers().add(customer("Ann"), actor);
    EXPECT_NO_THROW(tx.commit());
  }
  EXPECT_EQ(store.customers().count(), 1);
  ASSERT_EQ(bus.errors().size(), 1u);
  EXPECT_EQ(bus.errors()[0].subscriber, "broken");
}

TEST_F(EventBusTest, ThrowingBeforeCommitSubscriberAbortsTheWrite) {
  record("customer.created", "after", sub("after"));
  bus.subscribe("customer.created", sub("veto", 0, Phase::kBeforeCommit),
                [](const Event&) { throw crm::InvalidInput("vetoed by rule"); });
  try {
    store.customers().add(customer("Ann"), actor);
    ADD_FAILURE() << "no exception";
  } catch (const crm::InvalidInput& e) {
    EXPECT_STREQ(e.what(), "vetoed by rule");
  }
  EXPECT_EQ(store.customers().count(), 0);
  EXPECT_EQ(store.db().query("SELECT COUNT(*) FROM audit_log").at(0).integer(0), 0);
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(store.db().in_transaction());
}

TEST_F(EventBusTest, SelfRepublishingSubscriberIsCutOffByTheDepthLimit) {
  int calls = 0;
  bus.subscribe("loop.event", sub("echo"), [&](const Event& e) {
    ++calls;
    bus.publish(e);
  });
  EXPECT_NO_THROW(bus.publish(Event{"loop.event", {}, std::nullopt, {}}));
  EXPECT_EQ(calls, 32);  // the documented depth limit
  const auto errors = bus.errors();
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.back().message, "event cascade deeper than 32 at 'loop.event': dropped");
  // The bus keeps working afterwards.
  int plain = 0;
  bus.subscribe("other.event", sub("p"), [&](const Event&) { ++plain; });
  bus.publish(Event{"other.event", {}, std::nullopt, {}});
  EXPECT_EQ(plain, 1);
}

TEST_F(EventBusTest, SelfUpdatingAfterCommitSubscriberTerminates) {
  // A reaction that writes the customer again (which publishes again).
  int calls = 0;
  bus.subscribe("customer.updated", sub("bump"), [&](const Event& e) {
    ++calls;
    crm::Customer c = store.customers().get(*e.customer_id);
    c.segment = "s" + std::to_string(calls);
    store.customers().update(c, Actor::plugin("bump"));
  });
  crm::Customer c = store.customers().get(store.customers().add(customer("Ann"), actor));
  c.segment = "start";
  EXPECT_NO_THROW(store.customers().update(c, actor));
  // The 32nd reaction's write is refused at the depth limit and rolls back.
  EXPECT_EQ(calls, 32);
  EXPECT_EQ(store.customers().get(c.id).segment, "s31");
  ASSERT_FALSE(bus.errors().empty());
  EXPECT_EQ(bus.errors().back().subscriber, "bump");
  EXPECT_FALSE(store.db().in_transaction());
}

TEST_F(EventBusTest, UnsubscribeStopsDelivery) {
  const auto id = record("a.b", "one", sub("one"));
  record("a.b", "two", sub("two"));
  bus.publish(Event{"a.b", {}, std::nullopt, {}});
  bus.unsubscribe(id);
  bus.unsubscribe(12345);  // unknown: ignored
  bus.publish(Event{"a.b", {}, std::nullopt, {}});
  EXPECT_EQ(log, (std::vector<std::string>{"one:a.b", "two:a.b", "two:a.b"}));
}

TEST_F(EventBusTest, SubscriberMayUnsubscribeItselfDuringDispatch) {
  crm::SubscriptionId self = 0;
  int calls = 0;
  self = bus.subscribe("a.b", sub("once"), [&](const Event&) {
    ++calls;
    bus.unsubscribe(self);
  });
  record("a.b", "later", sub("later"));
  bus.publish(Event{"a.b", {}, std::nullopt, {}});
  bus.publish(Event{"a.b", {}, std::nullopt, {}});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(log, (std::vector<std::string>{"later:a.b", "later:a.b"}));
}

TEST_F(EventBusTest, CustomerUpdatedCarriesOldAndNewValues) {
  std::vector<Event> seen;
  bus.subscribe(crm::events::kCustomerUpdated, sub("w"),
                [&](const Event& e) { seen.push_back(e); });
  crm::Customer c = customer("Ann");
  c.segment = "silver";
  c.id = store.customers().add(c, actor);
  c.segment = "gold";
  store.customers().update(c, actor);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].customer_id, c.id);
  EXPECT_EQ(seen[0].payload,
            (crm::Json{{"changes", {{"segment", {{"old", "silver"}, {"new", "gold"}}}}}}));
}

TEST_F(EventBusTest, KernelWritesPublishTheirEvents) {
  std::vector<std::string> types;
  bus.subscribe("*", sub("all"), [&](const Event& e) { types.push_back(e.type); });
  const auto c = store.customers().add(customer("Ann"), actor);
  crm::Interaction i;
  i.customer_id = c;
  i.kind = "purchase";
  i.channel = "web";
  i.amount = crm::Money::parse("10 USD");
  store.interactions().record(i, actor);
  crm::Task t;
  t.title = "call";
  t.customer_id = c;
  store.tasks().complete(store.tasks().add(t, actor), actor);
  EXPECT_EQ(types,
            (std::vector<std::string>{"customer.created", "interaction.recorded",
                                      "purchase.recorded", "task.created", "task.completed"}));
}

}  // namespace
