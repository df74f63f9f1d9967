// Every condition operator and form, each with the cases that tell it from
// its neighbours: the equality boundary of the orderings, a value in and not
// in a list, a value of another JSON type, a path that does not resolve.
// Checked both through CompiledCondition and through a workflow branch, so
// a mutated operator (`<` for `<=`, two operators swapped, a negation
// dropped) fails here.
#include <gtest/gtest.h>

#include "crm/condition.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;
using crm::Json;

const Json kFacts = {{"vars",
                      {{"n", 5},
                       {"x", 2.5},
                       {"s", "beta"},
                       {"tags", {"a", "b"}},
                       {"obj", {{"k", 1}}},
                       {"nul", nullptr},
                       {"empty_s", ""},
                       {"empty_a", Json::array()},
                       {"empty_o", Json::object()},
                       {"zero", 0},
                       {"no", false}}},
                     {"old", {{"stage", "prospect"}}},
                     {"new", {{"stage", "customer"}}}};

bool test(const std::string& field, const std::string& op, const Json& value) {
  Json c = {{"field", field}, {"op", op}};
  if (!value.is_discarded()) c["value"] = value;
  return crm::CompiledCondition(c)(kFacts);
}

bool unary(const std::string& field, const std::string& op) {
  return test(field, op, Json(Json::value_t::discarded));
}

TEST(ConditionOperators, EqAndNe) {
  EXPECT_TRUE(test("vars.n", "eq", 5));
  EXPECT_TRUE(test("vars.n", "eq", 5.0));  // numbers compare by value
  EXPECT_FALSE(test("vars.n", "eq", 6));
  EXPECT_FALSE(test("vars.n", "eq", "5"));  // another type is another value
  EXPECT_TRUE(test("vars.s", "eq", "beta"));
  EXPECT_FALSE(test("vars.s", "eq", "Beta"));
  EXPECT_TRUE(test("vars.missing", "eq", nullptr));
  EXPECT_FALSE(test("vars.missing", "eq", 0));

  EXPECT_FALSE(test("vars.n", "ne", 5));
  EXPECT_FALSE(test("vars.n", "ne", 5.0));
  EXPECT_TRUE(test("vars.n", "ne", 6));
  EXPECT_TRUE(test("vars.n", "ne", "5"));
  EXPECT_TRUE(test("vars.missing", "ne", 0));
  EXPECT_FALSE(test("vars.missing", "ne", nullptr));
  // op defaults to eq.
  EXPECT_TRUE(crm::CompiledCondition(Json{{"field", "vars.n"}, {"value", 5}})(kFacts));
  EXPECT_FALSE(crm::CompiledCondition(Json{{"field", "vars.n"}, {"value", 4}})(kFacts));
}

TEST(ConditionOperators, OrderingsAtTheirBoundaries) {
  struct Case {
    const char* op;
    bool below, equal, above;  // field 5 against 6, 5 and 4
  };
  for (const Case& c : {Case{"lt", true, false, false}, Case{"le", true, true, false},
                        Case{"gt", false, false, true}, Case{"ge", false, true, true}}) {
    EXPECT_EQ(test("vars.n", c.op, 6), c.below) << c.op;
    EXPECT_EQ(test("vars.n", c.op, 5), c.equal) << c.op;
    EXPECT_EQ(test("vars.n", c.op, 4), c.above) << c.op;
    // Fractions: 2.5 against 3, 2.5 and 2 (no truncation to integers).
    EXPECT_EQ(test("vars.x", c.op, 3), c.below) << c.op;
    EXPECT_EQ(test("vars.x", c.op, 2.5), c.equal) << c.op;
    EXPECT_EQ(test("vars.x", c.op, 2), c.above) << c.op;
    // Strings by text ("beta" against "gamma", "beta", "alpha").
    EXPECT_EQ(test("vars.s", c.op, "gamma"), c.below) << c.op;
    EXPECT_EQ(test("vars.s", c.op, "beta"), c.equal) << c.op;
    EXPECT_EQ(test("vars.s", c.op, "alpha"), c.above) << c.op;
    // Across types, or against a missing fact: never true, whatever the op.
    EXPECT_FALSE(test("vars.n", c.op, "5")) << c.op;
    EXPECT_FALSE(test("vars.n", c.op, "4")) << c.op;
    EXPECT_FALSE(test("vars.n", c.op, "6")) << c.op;
    EXPECT_FALSE(test("vars.s", c.op, 1)) << c.op;
    EXPECT_FALSE(test("vars.missing", c.op, 0)) << c.op;
    EXPECT_FALSE(test("vars.nul", c.op, nullptr)) << c.op;
    EXPECT_FALSE(test("vars.no", c.op, false)) << c.op;
  }
  // ISO times order as text does.
  const Json times = {{"vars", {{"t", "2026-03-02T09:00:00Z"}}}};
  const auto at = [&](const char* op, const char* v) {
    return crm::CompiledCondition(Json{{"field", "vars.t"}, {"op", op}, {"value", v}})(times);
  };
  EXPECT_TRUE(at("lt", "2026-03-10T00:00:00Z"));
  EXPECT_FALSE(at("lt", "2026-03-02T09:00:00Z"));
  EXPECT_TRUE(at("ge", "2026-03-02T09:00:00Z"));
  EXPECT_FALSE(at("gt", "2026-03-02T09:00:00Z"));
}

TEST(ConditionOperators, InAndNotIn) {
  EXPECT_TRUE(test("vars.n", "in", Json::array({4, 5})));
  EXPECT_FALSE(test("vars.n", "in", Json::array({4, 6})));
  EXPECT_FALSE(test("vars.n", "in", Json::array({"5"})));
  EXPECT_TRUE(test("vars.n", "in", Json::array({5.0})));
  EXPECT_FALSE(test("vars.n", "in", Json::array()));
  EXPECT_TRUE(test("vars.s", "in", Json::array({"alpha", "beta"})));
  EXPECT_TRUE(test("vars.missing", "in", Json::array({nullptr})));

  EXPECT_FALSE(test("vars.n", "not_in", Json::array({4, 5})));
  EXPECT_TRUE(test("vars.n", "not_in", Json::array({4, 6})));
  EXPECT_TRUE(test("vars.n", "not_in", Json::array({"5"})));
  EXPECT_TRUE(test("vars.n", "not_in", Json::array()));
  EXPECT_FALSE(test("vars.s", "not_in", Json::array({"alpha", "beta"})));
  EXPECT_TRUE(test("vars.missing", "not_in", Json::array({1})));
}

TEST(ConditionOperators, ContainsAndStartsWith) {
  EXPECT_TRUE(test("vars.tags", "contains", "a"));
  EXPECT_FALSE(test("vars.tags", "contains", "c"));
  EXPECT_FALSE(test("vars.tags", "contains", Json::array({"a"})));
  EXPECT_TRUE(test("vars.s", "contains", "et"));  // a substring, not only a prefix
  EXPECT_TRUE(test("vars.s", "contains", "be"));
  EXPECT_FALSE(test("vars.s", "contains", "x"));
  EXPECT_FALSE(test("vars.s", "contains", 1));
  EXPECT_TRUE(test("vars.obj", "contains", "k"));  // an object's key
  EXPECT_FALSE(test("vars.obj", "contains", "z"));
  EXPECT_FALSE(test("vars.obj", "contains", 1));
  EXPECT_FALSE(test("vars.n", "contains", 5));
  EXPECT_FALSE(test("vars.missing", "contains", "a"));

  EXPECT_TRUE(test("vars.s", "starts_with", "be"));
  EXPECT_TRUE(test("vars.s", "starts_with", "beta"));
  EXPECT_FALSE(test("vars.s", "starts_with", "et"));  // contained, but not at the start
  EXPECT_FALSE(test("vars.s", "starts_with", "betas"));
  EXPECT_FALSE(test("vars.tags", "starts_with", "a"));
  EXPECT_FALSE(test("vars.n", "starts_with", "5"));
  EXPECT_FALSE(test("vars.s", "starts_with", 1));
}

TEST(ConditionOperators, ExistsAndEmpty) {
  EXPECT_TRUE(unary("vars.n", "exists"));
  EXPECT_TRUE(unary("vars.zero", "exists"));
  EXPECT_TRUE(unary("vars.no", "exists"));
  EXPECT_TRUE(unary("vars.empty_s", "exists"));  // empty, but there
  EXPECT_FALSE(unary("vars.nul", "exists"));
  EXPECT_FALSE(unary("vars.missing", "exists"));
  EXPECT_FALSE(unary("missing.root.path", "exists"));

  EXPECT_TRUE(unary("vars.empty_s", "empty"));
  EXPECT_TRUE(unary("vars.empty_a", "empty"));
  EXPECT_TRUE(unary("vars.empty_o", "empty"));
  EXPECT_TRUE(unary("vars.nul", "empty"));
  EXPECT_TRUE(unary("vars.missing", "empty"));
  EXPECT_FALSE(unary("vars.s", "empty"));
  EXPECT_FALSE(unary("vars.tags", "empty"));
  EXPECT_FALSE(unary("vars.obj", "empty"));
  EXPECT_FALSE(unary("vars.zero", "empty"));  // 0 is a value
  EXPECT_FALSE(unary("vars.no", "empty"));
}

TEST(ConditionForms, AllAnyNotAndConstants) {
  const Json yes = {{"field", "vars.n"}, {"op", "eq"}, {"value", 5}};
  const Json no = {{"field", "vars.n"}, {"op", "eq"}, {"value", 6}};
  const auto eval = [](const Json& c) { return crm::CompiledCondition(c)(kFacts); };
  EXPECT_TRUE(eval(Json{{"all", {yes, yes}}}));
  EXPECT_FALSE(eval(Json{{"all", {yes, no}}}));
  EXPECT_FALSE(eval(Json{{"all", {no, yes}}}));
  EXPECT_TRUE(eval(Json{{"any", {no, yes}}}));
  EXPECT_TRUE(eval(Json{{"any", {yes, no}}}));
  EXPECT_FALSE(eval(Json{{"any", {no, no}}}));
  EXPECT_FALSE(eval(Json{{"not", yes}}));
  EXPECT_TRUE(eval(Json{{"not", no}}));
  EXPECT_TRUE(eval(Json{{"not", {{"not", yes}}}}));
  EXPECT_TRUE(eval(true));
  EXPECT_FALSE(eval(false));
  EXPECT_TRUE(crm::CompiledCondition()(kFacts));
  EXPECT_TRUE(crm::evaluate_condition(Json{{"any", {no, yes}}}, kFacts));
  EXPECT_FALSE(crm::evaluate_condition(Json{{"all", {no, yes}}}, kFacts));
}

TEST(ConditionForms, ChangedAndOld) {
  const auto eval = [](const Json& c, const Json& facts) {
    return crm::CompiledCondition(c)(facts);
  };
  const Json unchanged = {{"old", Json::object()}, {"new", Json::object()}};
  EXPECT_TRUE(eval(Json{{"changed", "stage"}}, kFacts));
  EXPECT_FALSE(eval(Json{{"changed", "segment"}}, kFacts));
  EXPECT_FALSE(eval(Json{{"changed", "stage"}}, unchanged));
  EXPECT_TRUE(eval(Json{{"changed", "stage"}, {"from", "prospect"}}, kFacts));
  EXPECT_FALSE(eval(Json{{"changed", "stage"}, {"from", "customer"}}, kFacts));
  EXPECT_TRUE(eval(Json{{"changed", "stage"}, {"to", "customer"}}, kFacts));
  EXPECT_FALSE(eval(Json{{"changed", "stage"}, {"to", "prospect"}}, kFacts));
  EXPECT_TRUE(eval(Json{{"changed", "stage"}, {"from", "prospect"}, {"to", "customer"}}, kFacts));
  EXPECT_FALSE(eval(Json{{"changed", "stage"}, {"from", "prospect"}, {"to", "lost"}}, kFacts));

  EXPECT_TRUE(eval(Json{{"old", "stage"}, {"op", "eq"}, {"value", "prospect"}}, kFacts));
  EXPECT_FALSE(eval(Json{{"old", "stage"}, {"op", "eq"}, {"value", "customer"}}, kFacts));
  EXPECT_TRUE(eval(Json{{"old", "stage"}, {"op", "ne"}, {"value", "customer"}}, kFacts));
  // Without a change there is no old value: false, even for ne.
  EXPECT_FALSE(eval(Json{{"old", "stage"}, {"op", "ne"}, {"value", "customer"}}, unchanged));
}

// The same operators decide a workflow's branch: the compiled form and the
// engine agree.
TEST(ConditionOperators, BranchOfAWorkflowTakesTheOperatorsVerdict) {
  crm::Kernel k(options());
  const crm::CustomerId c = add_customer(k, "Ida", "ida@example.com");
  crm::Customer cu = k.store().customers().get(c);
  cu.attributes["visits"] = 5;
  k.store().customers().update(cu, crm::Actor::user("test"));
  int n = 0;
  for (const auto& [op, value, expected] :
       {std::tuple{"lt", Json(5), false}, std::tuple{"le", Json(5), true},
        std::tuple{"gt", Json(5), false}, std::tuple{"ge", Json(5), true},
        std::tuple{"eq", Json(5), true}, std::tuple{"ne", Json(5), false},
        std::tuple{"in", Json::array({5}), true}, std::tuple{"not_in", Json::array({5}), false}}) {
    const std::string name = "branch_" + std::to_string(n++);
    k.workflows().install(
        {{"name", name},
         {"steps",
          {{{"type", "branch"},
            {"condition", {{"field", "customer.attributes.visits"}, {"op", op}, {"value", value}}},
            {"then", {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", name}}}}}},
            {"else", {{{"type", "end"}, {"state", "cancelled"}}}}}}}});
    const auto id = k.workflows().start(name, c);
    EXPECT_EQ(k.workflows().instance(id)->state,
              expected ? crm::InstanceState::kCompleted : crm::InstanceState::kCancelled)
        << op;
    EXPECT_EQ(has_tag(k, c, name), expected) << op;
  }
}

}  // namespace
