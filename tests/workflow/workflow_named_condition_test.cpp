// Named conditions: registered beside the actions, tested by triggers,
// branches and event waits, checked by validate() with their JSON paths.
#include <string>
#include <vector>

#include "crm/error.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;

// "test.big_spender": true when the customer's attribute "spent" is at
// least args.min; records the args and customer it was asked about.
struct SpenderCondition {
  std::vector<Json> args_seen;
  std::vector<std::optional<crm::CustomerId>> customers_seen;

  void add_to(crm::Kernel& k) {
    crm::ConditionSpec spec;
    spec.help = "the customer spent at least min";
    spec.params = {crm::ParamSpec{"min", crm::ParamType::kNumber, true, {}, "the least amount"},
                   crm::ParamSpec{"note", crm::ParamType::kString, false, {}, "anything"}};
    k.workflows().add_condition(
        "test.big_spender", spec, [this](crm::ConditionContext& ctx, const Json& args) {
          args_seen.push_back(args);
          customers_seen.push_back(ctx.customer_id());
          if (!ctx.customer_id()) return false;
          const auto c = ctx.store().customers().get(*ctx.customer_id());
          return c.attributes.value("spent", 0.0) >= args.at("min").get<double>();
        });
  }
};

crm::CustomerId customer_who_spent(crm::Kernel& k, const std::string& name, double spent) {
  const auto id = add_customer(k, name, name + "@example.com");
  auto c = k.store().customers().get(id);
  c.attributes["spent"] = spent;
  k.store().customers().update(c, crm::Actor::user("test"));
  return id;
}

Json big_spender(Json min, Json extra = Json::object()) {
  Json args{{"min", std::move(min)}};
  args.update(extra);
  return {{"condition", "test.big_spender"}, {"args", args}};
}

TEST(NamedCondition, ATriggerStartsOnlyWhenTheConditionHolds) {
  crm::Kernel k(options());
  SpenderCondition cond;
  cond.add_to(k);
  k.workflows().install({{"name", "vip_call"},
                         {"trigger",
                          {{"event", "interaction.recorded"},
                           {"condition", big_spender(100, {{"note", "{{event.type}}"}})}}},
                         {"steps", {{{"type", "wait"}, {"duration", "1d"}}}}});
  const auto rich = customer_who_spent(k, "Rich", 100);
  const auto poor = customer_who_spent(k, "Poor", 99.5);
  open_complaint(k, rich);
  open_complaint(k, poor);
  EXPECT_EQ(instances_of(k, rich).size(), 1u);  // 100 >= 100: `>` would miss it
  EXPECT_TRUE(instances_of(k, poor).empty());
  ASSERT_EQ(cond.args_seen.size(), 2u);
  // Args are templates, expanded against the facts before the call.
  EXPECT_EQ(cond.args_seen[0], (Json{{"min", 100}, {"note", "interaction.recorded"}}));
  EXPECT_EQ(cond.customers_seen[0], std::optional<crm::CustomerId>(rich));
  EXPECT_EQ(cond.customers_seen[1], std::optional<crm::CustomerId>(poor));
}

TEST(NamedCondition, ABranchTakesThenOrElseByIt) {
  crm::Kernel k(options());
  SpenderCondition cond;
  cond.add_to(k);
  k.workflows().install(
      {{"name", "tiering"},
       {"steps",
        {{{"type", "branch"},
          {"condition", {{"all", {big_spender("{{vars.threshold}}"), true}}}},
          {"then", {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "gold"}}}}}},
          {"else",
           {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "plain"}}}}}}}}},
       {"variables", {{"threshold", 50}}}});
  const auto gold = customer_who_spent(k, "Gold", 60);
  const auto plain = customer_who_spent(k, "Plain", 10);
  k.workflows().start("tiering", gold);
  k.workflows().start("tiering", plain);
  EXPECT_TRUE(has_tag(k, gold, "gold"));
  EXPECT_FALSE(has_tag(k, gold, "plain"));
  EXPECT_TRUE(has_tag(k, plain, "plain"));
  EXPECT_EQ(cond.args_seen.at(0), (Json{{"min", 50}}));  // the variable, as a number
  EXPECT_EQ(cond.customers_seen.at(0), std::optional<crm::CustomerId>(gold));
}

TEST(NamedCondition, ValidateNamesUnknownConditionsAndBadArgsByPath) {
  crm::Kernel k(options());
  SpenderCondition cond;
  cond.add_to(k);
  const Json d{{"name", "checked"},
               {"trigger",
                {{"event", "interaction.recorded"},
                 {"condition",
                  {{"all",
                    {{{"condition", "test.nope"}},
                     {{"condition", "test.big_spender"}, {"args", {{"minimum", 1}}}}}}}}}},
               {"steps",
                {{{"type", "branch"},
                  {"condition", big_spender("lots")},
                  {"then", {{{"type", "wait"}, {"duration", "1d"}}}}},
                 {{"type", "wait"},
                  {"event", "purchase.recorded"},
                  {"condition", {{"not", {{"condition", "retention.at_risk"}}}}}}}}};
  std::vector<std::string> got;
  for (const auto& e : k.workflows().validate(d)) got.push_back(crm::to_string(e));
  // In document order of their paths, as validate() sorts them.
  const std::vector<std::string> expected = {
      "$.steps[0].condition.args.min: must be of type number, got 'lots'",
      "$.steps[1].condition.not.condition: unknown condition 'retention.at_risk': it is "
      "registered by the retention plugin, which is not loaded",
      "$.trigger.condition.all[0].condition: unknown condition 'test.nope'",
      "$.trigger.condition.all[1].args.min: required by condition 'test.big_spender' (the least "
      "amount)",
      "$.trigger.condition.all[1].args.minimum: unknown parameter of condition "
      "'test.big_spender' (it takes: min, note)",
  };
  EXPECT_EQ(got, expected);
  EXPECT_THROW(k.workflows().install(d), crm::InvalidInput);
}

TEST(NamedCondition, TheFormIsCheckedWithoutAnEngine) {
  std::vector<crm::DefinitionError> errors;
  crm::validate_condition(Json{{"condition", ""}}, "$", errors);
  crm::validate_condition(Json{{"condition", "x"}, {"args", 3}}, "$.b", errors);
  crm::validate_condition(Json{{"condition", "x"}, {"arg", {}}}, "$.c", errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].path, "$.condition");
  EXPECT_EQ(errors[1].path, "$.b.args");
  EXPECT_EQ(errors[2].path, "$.c.arg");
  // Evaluated outside the engine, a named condition is an error, not false.
  EXPECT_THROW(crm::evaluate_condition(Json{{"condition", "x"}}, Json::object()),
               crm::InvalidInput);
}

TEST(NamedCondition, RegistrationIsUniqueAndRemovable) {
  crm::Kernel k(options());
  SpenderCondition cond;
  cond.add_to(k);
  EXPECT_THROW(cond.add_to(k), crm::InvalidInput);
  EXPECT_THROW(
      k.workflows().add_condition("", {}, [](crm::ConditionContext&, const Json&) { return true; }),
      crm::InvalidInput);
  ASSERT_EQ(k.workflows().conditions().size(), 1u);
  EXPECT_EQ(k.workflows().conditions()[0].first, "test.big_spender");
  EXPECT_EQ(k.workflows().conditions()[0].second.params.size(), 2u);
  k.workflows().install({{"name", "later"},
                         {"steps",
                          {{{"type", "branch"},
                            {"condition", big_spender(1)},
                            {"then", {{{"type", "wait"}, {"duration", "1d"}}}}}}}});
  k.workflows().remove_condition("test.big_spender");
  EXPECT_TRUE(k.workflows().conditions().empty());
  // A definition installed before fails at its branch, saying why.
  const auto c = customer_who_spent(k, "Late", 5);
  const auto id = k.workflows().start("later", c);
  const auto inst = k.workflows().instance(id);
  EXPECT_EQ(inst->state, crm::InstanceState::kFailed);
  // Nothing of "test" is registered any more: its plugin is named.
  EXPECT_EQ(inst->error,
            "unknown condition 'test.big_spender': it is registered by the test plugin, which is "
            "not loaded");
}

TEST(NamedCondition, AnEventWaitTestsItOnTheWaitedEvent) {
  crm::Kernel k(options());
  std::vector<Json> seen;
  k.workflows().add_condition("test.amount_over", crm::ConditionSpec{"", {}, true},
                              [&](crm::ConditionContext& ctx, const Json& args) {
                                seen.push_back(ctx.facts().at("event").at("type"));
                                return ctx.facts()["event"]["payload"].value("amount", 0) >
                                       args.value("over", 0);
                              });
  k.workflows().install(
      {{"name", "big_order"},
       {"steps",
        {{{"type", "wait"},
          {"event", "order.placed"},
          {"condition", {{"condition", "test.amount_over"}, {"args", {{"over", 10}}}}},
          {"save_as", "order"}}}}});
  const auto c = add_customer(k, "Wade", "wade@example.com");
  const auto id = k.workflows().start("big_order", c);
  k.bus().publish(crm::Event{"order.placed", {}, c, {{"amount", 10}}});
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kWaiting);
  k.bus().publish(crm::Event{"order.placed", {}, c, {{"amount", 11}}});
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
  EXPECT_EQ(seen, (std::vector<Json>{"order.placed", "order.placed"}));
}

}  // namespace
