// The bounds a definition must keep, each refused with its JSON path: durations
// (negative, zero, absurdly long, overflowing), nesting deep enough to
// exhaust the stack (steps and conditions), and values of the wrong JSON type.
#include <gtest/gtest.h>

#include "crm/condition.hpp"
#include "crm/error.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;
using crm::Json;

std::vector<std::string> errors_of(crm::Kernel& k, const Json& definition) {
  std::vector<std::string> out;
  for (const auto& e : k.workflows().validate(definition)) out.push_back(crm::to_string(e));
  return out;
}

Json with_steps(Json steps) { return Json{{"name", "limits"}, {"steps", std::move(steps)}}; }

Json wait_for(const std::string& duration) {
  return with_steps(Json::array({{{"type", "wait"}, {"duration", duration}}}));
}

std::vector<std::string> one(const std::string& e) { return {e}; }

TEST(WorkflowDurations, OverflowingNegativeZeroAndAbsurdWaitsAreRefusedWithTheirPath) {
  crm::Kernel k(options());
  EXPECT_EQ(errors_of(k, wait_for("9223372036854775807s")),
            one("$.steps[0].duration: '9223372036854775807s' is longer than the longest "
                "duration, 100 years (36500d)"));
  EXPECT_EQ(errors_of(k, wait_for("300000000000w")),
            one("$.steps[0].duration: '300000000000w' is longer than the longest duration, 100 "
                "years (36500d)"));
  // Would wrap around int64 when multiplied out.
  EXPECT_EQ(errors_of(k, wait_for("99999999999999999w")),
            one("$.steps[0].duration: duration '99999999999999999w' is too large"));
  EXPECT_EQ(errors_of(k, wait_for("P99999999999999999D")),
            one("$.steps[0].duration: duration 'P99999999999999999D' is too large"));
  EXPECT_EQ(errors_of(k, wait_for("99999999999999999999s")),
            one("$.steps[0].duration: duration '99999999999999999999s' is too large"));
  EXPECT_EQ(errors_of(k, wait_for("P-3D")),
            one("$.steps[0].duration: must not be negative ('P-3D')"));
  EXPECT_EQ(errors_of(k, wait_for("-3d")),
            one("$.steps[0].duration: must not be negative ('-3d')"));
  EXPECT_EQ(errors_of(k, wait_for("0s")),
            one("$.steps[0].duration: must be longer than zero ('0s')"));
  EXPECT_EQ(errors_of(k, wait_for("PT0S")),
            one("$.steps[0].duration: must be longer than zero ('PT0S')"));
  // The bound itself is allowed; a day more is not.
  EXPECT_TRUE(errors_of(k, wait_for("36500d")).empty());
  EXPECT_EQ(errors_of(k, wait_for("36501d")),
            one("$.steps[0].duration: '36501d' is longer than the longest duration, 100 years "
                "(36500d)"));
  EXPECT_TRUE(errors_of(k, wait_for("1s")).empty());
}

TEST(WorkflowDurations, DueTimeoutDelayAndOffsetKeepTheirOwnRules) {
  crm::Kernel k(options());
  const Json task_due_zero =
      with_steps(Json::array({{{"type", "task"}, {"title", "t"}, {"owner", "o"}, {"due", "0h"}}}));
  EXPECT_EQ(errors_of(k, task_due_zero), one("$.steps[0].due: must be longer than zero ('0h')"));
  const Json timeout_negative = with_steps(
      Json::array({{{"type", "wait"}, {"event", "complaint.opened"}, {"timeout", "-1h"}}}));
  EXPECT_EQ(errors_of(k, timeout_negative),
            one("$.steps[0].timeout: must not be negative ('-1h')"));
  // A retry may come at once (the next run-due), but not before the failure.
  const Json retry = with_steps(Json::array({{{"type", "action"},
                                              {"action", "log"},
                                              {"params", {{"message", "m"}}},
                                              {"retry", {{"max_attempts", 2}, {"delay", "0s"}}}}}));
  EXPECT_TRUE(errors_of(k, retry).empty());
  Json retry_negative = retry;
  retry_negative["steps"][0]["retry"]["delay"] = "-5m";
  EXPECT_EQ(errors_of(k, retry_negative),
            one("$.steps[0].retry.delay: must not be negative ('-5m')"));
  Json retry_huge = retry;
  retry_huge["steps"][0]["retry"]["delay"] = "9223372036854775807s";
  EXPECT_EQ(errors_of(k, retry_huge),
            one("$.steps[0].retry.delay: '9223372036854775807s' is longer than the longest "
                "duration, 100 years (36500d)"));
  // An offset may point back, once, and no further than the bound.
  const auto until = [](const std::string& offset) {
    return with_steps(Json::array(
        {{{"type", "wait"}, {"until", "{{customer.attributes.renewal}}"}, {"offset", offset}}}));
  };
  EXPECT_TRUE(errors_of(k, until("-7d")).empty());
  EXPECT_TRUE(errors_of(k, until("0s")).empty());
  EXPECT_EQ(errors_of(k, until("--7d")),
            one("$.steps[0].offset: '--7d' may only have one leading '-'"));
  EXPECT_EQ(errors_of(k, until("-P-7D")),
            one("$.steps[0].offset: '-P-7D' may only have one leading '-'"));
  EXPECT_EQ(errors_of(k, until("-36501d")),
            one("$.steps[0].offset: '-36501d' is longer than the longest duration, 100 years "
                "(36500d)"));
  EXPECT_EQ(errors_of(k, with_steps(Json::array({{{"type", "wait"}, {"duration", 5}}}))),
            one("$.steps[0].duration: expected a duration text such as \"24h\" or \"3d\", got "
                "number"));
}

TEST(WorkflowDurations, ParseDurationRefusesWhatWouldOverflow) {
  EXPECT_EQ(crm::parse_duration("2w"), Seconds{14 * 86400});
  EXPECT_EQ(crm::parse_duration("P1DT2H3M4S"), Seconds{86400 + 7200 + 180 + 4});
  EXPECT_EQ(crm::parse_duration("9223372036854775807s"), Seconds{9223372036854775807LL});
  EXPECT_THROW(crm::parse_duration("9223372036854775807m"), crm::InvalidInput);
  EXPECT_THROW(crm::parse_duration("PT9223372036854775807S1M"), crm::InvalidInput);
  EXPECT_THROW(crm::parse_duration("P1DT9223372036854775807S"), crm::InvalidInput);
  EXPECT_THROW(crm::parse_duration("P-3D"), crm::InvalidInput);
  EXPECT_THROW(crm::parse_duration("-3d"), crm::InvalidInput);
}

TEST(WorkflowDurations, LongestWaitEndsWhenItSays) {
  crm::Kernel k(options());
  k.workflows().install(with_steps(Json::array({{{"type", "wait"}, {"duration", "36500d"}}})));
  const auto id = k.workflows().start("limits", std::nullopt);
  const auto inst = k.workflows().instance(id);
  ASSERT_TRUE(inst);
  EXPECT_EQ(inst->state, crm::InstanceState::kWaiting);
  EXPECT_EQ(std::get<crm::TimerWait>(inst->wait).due, kStart + Seconds{36500LL * 86400});
  run_until(k, kStart + Seconds{36500LL * 86400 - 1});
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kWaiting);
}

TEST(WorkflowDurations, CreateTaskActionRefusesAnAbsurdDue) {
  crm::Kernel k(options());
  const crm::CustomerId c = add_customer(k, "Ada", "ada@example.com");
  k.workflows().install(with_steps(Json::array(
      {{{"type", "action"},
        {"action", "create_task"},
        {"params", {{"title", "t"}, {"owner", "o"}, {"due", "9223372036854775807s"}}}}})));
  const auto id = k.workflows().start("limits", c);
  const auto inst = k.workflows().instance(id);
  EXPECT_EQ(inst->state, crm::InstanceState::kFailed);
  EXPECT_EQ(inst->error, "due '9223372036854775807s' is longer than 100 years");
  EXPECT_TRUE(tasks_of(k, c).empty());
}

TEST(WorkflowRetry, ZeroDelayWithHugeBackoffRetriesAtOnce) {
  crm::Kernel k(options());
  int calls = 0;
  k.workflows().add_action("flaky", crm::ActionSpec{"fails three times", {}, false, false},
                           [&](crm::ActionContext&, const Json&) -> Json {
                             if (++calls < 4) throw crm::Error("not yet");
                             return Json::object();
                           });
  k.workflows().install(with_steps(
      Json::array({{{"type", "action"},
                    {"action", "flaky"},
                    {"retry", {{"max_attempts", 4}, {"delay", "0s"}, {"backoff", 1e308}}}}})));
  const auto id = k.workflows().start("limits", std::nullopt);
  // The third failure's delay is 0 * 1e308^2 = 0 * inf: NaN, which must not
  // become a year's delay.
  for (int run = 0; run < 4 && k.workflows().instance(id)->state == crm::InstanceState::kRetrying;
       ++run) {
    EXPECT_EQ(std::get<crm::RetryWait>(k.workflows().instance(id)->wait).due, kStart) << run;
    run_until(k, kStart);
  }
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
  EXPECT_EQ(calls, 4);
}

// --- nesting ---

// `depth` branches, each the only step of the one around it.
Json nested_branches(int depth) {
  Json inner = Json::array({{{"type", "end"}}});
  for (int i = 0; i < depth; ++i) {
    Json branch = Json::object();
    branch["type"] = "branch";
    branch["condition"] = true;
    branch["then"] = std::move(inner);
    inner = Json::array();
    inner.push_back(std::move(branch));
  }
  return with_steps(std::move(inner));
}

// `depth` nots around `true`.
Json nested_nots(int depth) {
  Json c = true;
  for (int i = 0; i < depth; ++i) {
    Json n = Json::object();
    n["not"] = std::move(c);
    c = std::move(n);
  }
  return c;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(WorkflowNesting, SevenThousandNestedBranchesAreRefusedAtTheDepthLimit) {
  crm::Kernel k(options());
  const Json deep = nested_branches(7000);
  // The document's 101st level: the 50th step object inside $.steps.
  const std::string at = "$.steps[0]" + repeat(".then[0]", 49);
  EXPECT_EQ(errors_of(k, deep), one(at + ": nested deeper than 100 levels of arrays and objects"));
  EXPECT_EQ(crm::check_workflow_json(deep).size(), 1u);
  EXPECT_THROW(k.workflows().install(deep), crm::InvalidInput);
  EXPECT_THROW(crm::parse_workflow(deep), crm::InvalidInput);
  // 48 nested branches (98 levels, the end step at 99) are fine and run.
  EXPECT_TRUE(errors_of(k, nested_branches(48)).empty());
  EXPECT_EQ(errors_of(k, nested_branches(49)).size(), 1u);
  k.workflows().install(nested_branches(48));
  const auto id = k.workflows().start("limits", std::nullopt);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
}

TEST(WorkflowNesting, ThirtyThousandNestedNotsAreRefusedNotRecursedInto) {
  crm::Kernel k(options());
  Json d = with_steps(Json::array({{{"type", "end"}}}));
  d["trigger"] = {{"event", "complaint.opened"}};
  d["trigger"]["condition"] = nested_nots(30000);
  EXPECT_EQ(errors_of(k, d), one("$.trigger.condition" + repeat(".not", 98) +
                                 ": nested deeper than 100 levels of arrays and objects"));
  // Compiling it directly (as a plugin might) stops at the condition limit.
  try {
    crm::CompiledCondition c(nested_nots(30000));
    FAIL() << "a condition nested 30000 deep compiled";
  } catch (const crm::InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "$" + repeat(".not", 64) + ": conditions nested deeper than 64 levels");
  }
  EXPECT_THROW(crm::evaluate_condition(nested_nots(30000), Json::object()), crm::InvalidInput);
}

TEST(WorkflowNesting, ConditionDepthLimitIsExact) {
  crm::Kernel k(options());
  // 63 nots and the leaf: 64 levels, allowed; one more is refused.
  EXPECT_FALSE(crm::CompiledCondition(nested_nots(63))(Json::object()));
  EXPECT_THROW(crm::CompiledCondition(nested_nots(64)), crm::InvalidInput);
  std::vector<crm::DefinitionError> errors;
  crm::validate_condition(nested_nots(63), "$.c", errors);
  EXPECT_TRUE(errors.empty());
  crm::validate_condition(nested_nots(64), "$.c", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(crm::to_string(errors[0]),
            "$.c" + repeat(".not", 64) + ": conditions nested deeper than 64 levels");
  // all and any count as levels too, with their index in the path.
  Json c = true;
  for (int i = 0; i < 64; ++i) c = Json{{"any", Json::array({false, c})}};
  errors.clear();
  crm::validate_condition(c, "$", errors);
  // Both operands of the innermost any are one level too deep.
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "$" + repeat(".any[1]", 63) + ".any[0]");
  EXPECT_EQ(errors[1].path, "$" + repeat(".any[1]", 64));
  EXPECT_THROW(crm::CompiledCondition{c}, crm::InvalidInput);

  Json d = with_steps(Json::array(
      {{{"type", "branch"}, {"condition", nested_nots(64)}, {"then", {{{"type", "end"}}}}}}));
  EXPECT_EQ(errors_of(k, d), one("$.steps[0].condition" + repeat(".not", 64) +
                                 ": conditions nested deeper than 64 levels"));
}

// --- types ---

TEST(WorkflowValidation, WrongJsonTypesAreReportedAtTheirPathNotThrown) {
  crm::Kernel k(options());
  const Json d = with_steps(
      Json::array({{{"type", "action"}, {"action", "log"}, {"params", {{"message", "x"}}}},
                   {{"type", "wait"}, {"duration", "1h"}},
                   {{"type", "task"}, {"title", 5}, {"owner", "o"}}}));
  EXPECT_EQ(errors_of(k, d), one("$.steps[2].title: expected a string, got number"));

  EXPECT_EQ(errors_of(k, with_steps(Json::array({{{"type", 5}}}))),
            one("$.steps[0].type: expected a string, got number"));
  EXPECT_EQ(errors_of(k, Json{{"name", 7}, {"steps", {{{"type", "end"}}}}}),
            one("$.name: expected a string, got number"));
  EXPECT_EQ(errors_of(k, with_steps(Json::array(
                             {{{"type", "action"}, {"action", true}, {"id", Json::array()}}}))),
            (std::vector<std::string>{"$.steps[0].action: expected a string, got boolean",
                                      "$.steps[0].id: expected a string, got array"}));
  Json op = with_steps(Json::array({{{"type", "end"}}}));
  op["trigger"] = {{"event", "complaint.opened"},
                   {"condition", {{"field", "event.type"}, {"op", 3}, {"value", 1}}}};
  EXPECT_EQ(errors_of(k, op), one("$.trigger.condition.op: expected a string, got number"));
  Json event = with_steps(Json::array({{{"type", "end"}}}));
  event["trigger"] = {{"event", nullptr}};
  EXPECT_EQ(errors_of(k, event), one("$.trigger.event: expected a string, got null"));
}

}  // namespace
