// What `customers merge` must carry over to the survivor, table by table:
// interactions, tasks, owner handovers, the audit trail, pending timers and
// workflow instances (which then act on the survivor), and the earlier
// creation time. Each test gives the merged customer rows in one place and
// checks they all arrive.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "crm/error.hpp"
#include "test_support.hpp"

namespace {

using crm::Actor;
using crm::CustomerId;
using crm::Json;
using crm_test::customer;
using namespace std::chrono_literals;

class MergeTest : public ::testing::Test {
 protected:
  std::unique_ptr<crm::Kernel> k = crm_test::make_kernel();
  crm::Store& store = k->store();
  const Actor alice = Actor::user("alice");

  std::int64_t count(const std::string& sql, std::vector<crm::SqlValue> params) {
    return store.db().query(sql, params).at(0).integer(0);
  }
  void advance(crm::Seconds s) { k->simulated_clock()->advance(s); }
  crm::InteractionId interaction(CustomerId c, const std::string& kind) {
    crm::Interaction i;
    i.customer_id = c;
    i.channel = "phone";
    i.kind = kind;
    i.occurred_at = k->clock().now();
    return store.interactions().record(i, alice);
  }
};

TEST_F(MergeTest, EveryKernelTableOfTheMergedCustomerMovesToTheSurvivor) {
  const CustomerId keep = store.customers().add(customer("Keep", "keep@example.com"), alice);
  advance(10s);
  crm::Customer o = customer("Other", "other@example.com");
  o.owner = "olga";
  const CustomerId other = store.customers().add(o, alice);
  // A handover of the other's owner: a row in owner_handovers and an audit entry.
  o = store.customers().get(other);
  o.owner = "oscar";
  store.customers().update(o, alice);
  const auto i1 = interaction(other, "call");
  const auto i2 = interaction(keep, "visit");
  crm::Task t;
  t.customer_id = other;
  t.title = "call back";
  const auto task = store.tasks().add(t, alice);
  const auto timer = k->scheduler().schedule(k->clock().now() + 1h, "test.remind",
                                             Json{{"why", "follow up"}}, other);
  const auto keep_timer =
      k->scheduler().schedule(k->clock().now() + 2h, "test.remind", Json::object(), keep);
  const std::int64_t other_audit =
      count("SELECT COUNT(*) FROM audit_log WHERE customer_id = ?", {other});
  const std::int64_t keep_audit =
      count("SELECT COUNT(*) FROM audit_log WHERE customer_id = ?", {keep});
  ASSERT_EQ(other_audit, 5);  // create, update, handover, interaction, task

  store.customers().merge(keep, other, Actor::user("boss"));

  // Nothing refers to the merged id any more.
  for (const char* table : {"interactions", "tasks", "owner_handovers", "audit_log", "timers"}) {
    EXPECT_EQ(
        count(std::string("SELECT COUNT(*) FROM ") + table + " WHERE customer_id = ?", {other}), 0)
        << table;
  }
  crm::InteractionQuery iq;
  iq.customer_id = keep;
  std::set<crm::InteractionId> history;
  for (const auto& i : store.interactions().list(iq)) history.insert(i.id);
  EXPECT_EQ(history, (std::set<crm::InteractionId>{i1, i2}));
  EXPECT_EQ(store.tasks().find(task)->customer_id, keep);
  EXPECT_EQ(count("SELECT COUNT(*) FROM owner_handovers WHERE customer_id = ? AND "
                  "from_owner = 'olga' AND to_owner = 'oscar'",
                  {keep}),
            1);
  // The survivor's audit trail holds the other's entries and the merge.
  const auto audit = store.audit().of_customer(keep);
  EXPECT_EQ(static_cast<std::int64_t>(audit.size()), keep_audit + other_audit + 1);
  std::multiset<std::string> actions;
  for (const auto& a : audit) actions.insert(a.action);
  EXPECT_EQ(actions.count("customer.create"), 2u);
  EXPECT_EQ(actions.count("customer.handover"), 1u);
  EXPECT_EQ(actions.count("customer.merge"), 1u);
  // Both pending timers now belong to the survivor.
  const auto pending = k->scheduler().pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, timer);
  EXPECT_EQ(pending[0].customer_id, keep);
  EXPECT_EQ(pending[0].payload, (Json{{"why", "follow up"}}));
  EXPECT_EQ(pending[1].id, keep_timer);
  EXPECT_EQ(pending[1].customer_id, keep);
}

TEST_F(MergeTest, AMovedTimerFiresForTheSurvivor) {
  const CustomerId keep = store.customers().add(customer("Keep"), alice);
  const CustomerId other = store.customers().add(customer("Other"), alice);
  std::vector<std::optional<CustomerId>> fired_for;
  k->scheduler().on("test.remind",
                    [&](const crm::Timer& t) { fired_for.push_back(t.customer_id); });
  k->scheduler().schedule(k->clock().now() + 1h, "test.remind", Json::object(), other);
  store.customers().merge(keep, other, alice);
  const auto run = k->scheduler().run_due(k->clock().now() + 2h);
  EXPECT_EQ(run.fired, 1);
  EXPECT_EQ(fired_for, (std::vector<std::optional<CustomerId>>{keep}));
}

TEST_F(MergeTest, AWaitingWorkflowOfTheMergedCustomerGoesOnWithTheSurvivor) {
  k->workflows().install(
      {{"name", "tag_later"},
       {"steps",
        {{{"type", "wait"}, {"duration", "1d"}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "followed-up"}}}}}}});
  const CustomerId keep = store.customers().add(customer("Keep"), alice);
  const CustomerId other = store.customers().add(customer("Other"), alice);
  const auto inst = k->workflows().start("tag_later", other);
  ASSERT_EQ(k->workflows().instance(inst)->state, crm::InstanceState::kWaiting);

  store.customers().merge(keep, other, alice);
  EXPECT_EQ(k->workflows().instance(inst)->customer_id, keep);
  crm::InstanceQuery q;
  q.customer_id = other;
  EXPECT_TRUE(k->workflows().instances(q).empty());

  const auto run = k->scheduler().run_due(k->clock().now() + 25h);
  EXPECT_EQ(run.failed, 0);
  EXPECT_EQ(k->workflows().instance(inst)->state, crm::InstanceState::kCompleted);
  EXPECT_EQ(store.customers().get(keep).tags, std::vector<std::string>{"followed-up"});
}

TEST_F(MergeTest, TheSurvivorKeepsTheEarlierCreationTime) {
  // The other record is the older one here: its creation time wins.
  const CustomerId other = store.customers().add(customer("Old record"), alice);
  const crm::TimePoint first = k->clock().now();
  advance(3600s);
  const CustomerId keep = store.customers().add(customer("New record"), alice);
  advance(60s);
  store.customers().merge(keep, other, alice);
  const crm::Customer got = store.customers().get(keep);
  EXPECT_EQ(got.created_at, first);
  EXPECT_EQ(got.updated_at, k->clock().now());
  EXPECT_EQ(got.name, "New record");
}

TEST_F(MergeTest, ARefusingHookUndoesTheWholeMerge) {
  const CustomerId keep = store.customers().add(customer("Keep"), alice);
  const CustomerId other = store.customers().add(customer("Other"), alice);
  interaction(other, "call");
  k->scheduler().schedule(k->clock().now() + 1h, "test.remind", Json::object(), other);
  k->bus().subscribe(crm::events::kCustomerMerged,
                     crm_test::sub("refuse", 0, crm::Phase::kBeforeCommit),
                     [](const crm::Event&) { throw crm::InvalidInput("not today"); });
  EXPECT_THROW(store.customers().merge(keep, other, alice), crm::InvalidInput);
  EXPECT_TRUE(store.customers().find(other).has_value());
  EXPECT_EQ(count("SELECT COUNT(*) FROM interactions WHERE customer_id = ?", {other}), 1);
  EXPECT_EQ(k->scheduler().pending().at(0).customer_id, other);
  EXPECT_EQ(count("SELECT COUNT(*) FROM customer_merges", {}), 0);
}

}  // namespace
