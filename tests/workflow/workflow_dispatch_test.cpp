// Triggers reached through the index: the order among bus subscribers, the
// conditions the index files by a payload equality (and those it must not),
// patterns, and triggers replaced or removed between and during dispatches.
#include <string>
#include <vector>

#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;

// A kernel whose workflows' single action appends the workflow's name.
struct Recorder {
  crm::Kernel k{options()};
  std::vector<std::string> calls;

  Recorder() {
    crm::ActionSpec spec;
    spec.help = "records the workflow";
    k.workflows().add_action("record", spec, [this](crm::ActionContext& ctx, const Json&) {
      calls.push_back(ctx.workflow());
      return Json();
    });
  }
  void install(const std::string& name, const std::string& event, Json condition = nullptr,
               int priority = 0) {
    Json d{{"name", name},
           {"priority", priority},
           {"allow_parallel", true},
           {"trigger", {{"event", event}}},
           {"steps", {{{"type", "action"}, {"action", "record"}}}}};
    if (!condition.is_null()) d["trigger"]["condition"] = condition;
    k.workflows().install(d);
  }
  void listen(const std::string& name, int priority, const std::string& pattern = "order.placed") {
    crm::SubscriberOptions o;
    o.name = name;
    o.priority = priority;
    k.bus().subscribe(pattern, o, [this, name](const crm::Event&) { calls.push_back(name); });
  }
  std::vector<std::string> publish(const std::string& type, Json payload = Json::object()) {
    calls.clear();
    k.bus().publish(crm::Event{type, {}, std::nullopt, std::move(payload)});
    return calls;
  }
};

Json eq(const std::string& field, Json value) {
  return {{"field", "event.payload." + field}, {"op", "eq"}, {"value", std::move(value)}};
}

TEST(TriggerDispatch, WorkflowsAndHandlersRunByPriorityThenName) {
  Recorder r;
  r.install("w_late", "order.placed", nullptr, 5);
  r.install("w_first", "order.placed", eq("region", "north"), 1);
  r.install("w_mid", "order.placed", nullptr, 5);
  r.listen("aaa", 5);
  r.listen("workflow:w_m", 5);  // a handler whose name sorts between two workflows
  r.listen("zzz", 5);
  r.listen("early", 0);
  const std::vector<std::string> expected = {"early",        "w_first", "aaa", "w_late",
                                             "workflow:w_m", "w_mid",   "zzz"};
  EXPECT_EQ(r.publish("order.placed", {{"region", "north"}}), expected);
  // w_first's equality fails: it is left out, the order of the rest stays.
  const std::vector<std::string> without = {"early",        "aaa",   "w_late",
                                            "workflow:w_m", "w_mid", "zzz"};
  EXPECT_EQ(r.publish("order.placed", {{"region", "south"}}), without);
}

TEST(TriggerDispatch, AnIndexedEqualityStillChecksTheWholeCondition) {
  Recorder r;
  r.install("north_big", "order.placed",
            {{"all",
              {eq("region", "north"),
               {{"field", "event.payload.amount"}, {"op", "ge"}, {"value", 10}}}}});
  EXPECT_EQ(r.publish("order.placed", {{"region", "north"}, {"amount", 20}}).size(), 1u);
  EXPECT_TRUE(r.publish("order.placed", {{"region", "north"}, {"amount", 5}}).empty());
  EXPECT_TRUE(r.publish("order.placed", {{"region", "south"}, {"amount", 20}}).empty());
  EXPECT_TRUE(r.publish("order.placed", {{"amount", 20}}).empty());  // no region at all
  EXPECT_TRUE(r.publish("order.placed", {{"region", 1}, {"amount", 20}}).empty());
  EXPECT_TRUE(r.publish("order.shipped", {{"region", "north"}, {"amount", 20}}).empty());
}

TEST(TriggerDispatch, NestedFieldsAndNestedAllAreIndexedToo) {
  Recorder r;
  r.install("deep", "order.placed",
            {{"all",
              {{{"all", {eq("shop.country", "NL")}}},
               {{"field", "event.payload.x"}, {"op", "exists"}}}}});
  EXPECT_EQ(r.publish("order.placed", {{"shop", {{"country", "NL"}}}, {"x", 1}}).size(), 1u);
  EXPECT_TRUE(r.publish("order.placed", {{"shop", {{"country", "DE"}}}, {"x", 1}}).empty());
  EXPECT_TRUE(r.publish("order.placed", {{"shop", {{"country", "NL"}}}}).empty());
}

// Conditions with an equality that is not required by the whole: an index
// that filed them under it would miss events that do match.
TEST(TriggerDispatch, EqualitiesNotRequiredByTheWholeConditionFilterNothing) {
  Recorder r;
  r.install("either", "order.placed", {{"any", {eq("region", "north"), eq("region", "south")}}});
  r.install("not_north", "order.placed", {{"not", eq("region", "north")}});
  r.install("ne_north", "order.placed",
            {{"field", "event.payload.region"}, {"op", "ne"}, {"value", "north"}});
  r.install("number", "order.placed", eq("count", 3));
  const std::vector<std::string> south = {"either", "ne_north", "not_north"};
  EXPECT_EQ(r.publish("order.placed", {{"region", "south"}}), south);
  EXPECT_EQ(r.publish("order.placed", {{"region", "north"}}), std::vector<std::string>{"either"});
  // A number equals a number of another representation.
  EXPECT_EQ(r.publish("order.placed", {{"region", "north"}, {"count", 3.0}}),
            (std::vector<std::string>{"either", "number"}));
}

TEST(TriggerDispatch, PatternsMatchByPrefixAndStarMatchesAll) {
  Recorder r;
  r.install("orders", "order.*");
  r.install("deep", "a.b.*");
  r.install("all", "*");
  EXPECT_EQ(r.publish("order.placed"), (std::vector<std::string>{"all", "orders"}));
  EXPECT_EQ(r.publish("order.x.y"), (std::vector<std::string>{"all", "orders"}));
  EXPECT_EQ(r.publish("order"), std::vector<std::string>{"all"});
  EXPECT_EQ(r.publish("orders.placed"), std::vector<std::string>{"all"});
  EXPECT_EQ(r.publish("a.b.c.d"), (std::vector<std::string>{"all", "deep"}));
  EXPECT_EQ(r.publish("a.b"), std::vector<std::string>{"all"});
}

TEST(TriggerDispatch, AReinstalledConditionReplacesTheOldOneInTheIndex) {
  Recorder r;
  r.install("regional", "order.placed", eq("region", "north"));
  r.install("regional", "order.placed", eq("region", "south"));
  EXPECT_TRUE(r.publish("order.placed", {{"region", "north"}}).empty());
  EXPECT_EQ(r.publish("order.placed", {{"region", "south"}}).size(), 1u);
  r.install("regional", "order.shipped", eq("region", "south"));
  EXPECT_TRUE(r.publish("order.placed", {{"region", "south"}}).empty());
  EXPECT_EQ(r.publish("order.shipped", {{"region", "south"}}).size(), 1u);
  EXPECT_TRUE(r.k.workflows().uninstall("regional"));
  EXPECT_TRUE(r.publish("order.shipped", {{"region", "south"}}).empty());
}

TEST(TriggerDispatch, AWorkflowUninstalledDuringADispatchDoesNotStartInIt) {
  Recorder r;
  crm::ActionSpec spec;
  spec.help = "uninstalls 'second'";
  r.k.workflows().add_action("drop_second", spec, [&](crm::ActionContext&, const Json&) {
    r.calls.push_back("drop");
    r.k.workflows().uninstall("second");
    return Json();
  });
  r.k.workflows().install({{"name", "first"},
                           {"priority", 0},
                           {"trigger", {{"event", "order.placed"}}},
                           {"steps", {{{"type", "action"}, {"action", "drop_second"}}}}});
  r.install("second", "order.placed", nullptr, 1);
  EXPECT_EQ(r.publish("order.placed"), std::vector<std::string>{"drop"});
}

// The dispatcher keeps the subscribers of each type it has seen: a change of
// subscriptions must reach the next event of a type seen before.
TEST(TriggerDispatch, SubscriptionsMadeAfterATypeWasSeenGetItsNextEvents) {
  Recorder r;
  EXPECT_TRUE(r.publish("order.placed").empty());
  r.listen("late", 0, "order.*");
  EXPECT_EQ(r.publish("order.placed"), std::vector<std::string>{"late"});
  crm::SubscriberOptions o;
  o.name = "gone";
  const auto id =
      r.k.bus().subscribe("order.placed", o, [&](const crm::Event&) { r.calls.push_back("gone"); });
  EXPECT_EQ(r.publish("order.placed"), (std::vector<std::string>{"gone", "late"}));
  r.k.bus().unsubscribe(id);
  EXPECT_EQ(r.publish("order.placed"), std::vector<std::string>{"late"});
}

// Nothing dispatches an event nobody listens to; a workflow is a listener.
TEST(TriggerDispatch, AWorkflowTriggerMakesItsTypeListened) {
  Recorder r;
  r.install("only", "order.placed", eq("region", "north"));
  int before = 0;
  crm::SubscriberOptions o;
  o.name = "validator";
  o.phase = crm::Phase::kBeforeCommit;
  r.k.bus().subscribe("*", o, [&](const crm::Event&) { ++before; });
  r.publish("order.placed", {{"region", "north"}});
  EXPECT_EQ(before, 1);
  EXPECT_EQ(r.calls, std::vector<std::string>{"only"});
}

}  // namespace
