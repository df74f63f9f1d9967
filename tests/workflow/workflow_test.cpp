// The workflow engine end to end: the example workflows on a simulated
// clock (with a restart in the middle of a wait), escalation of a late task,
// guards against self-triggering loops, failing actions, ordering,
// sub-workflows, validation with JSON paths and flow-chart export.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "crm/kernel.hpp"
#include "crm/workflow_definition.hpp"
#include "crm/workflow_engine.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;
using crm::Json;
using crm::Seconds;
using crm::TimePoint;
using namespace std::chrono_literals;

// --- the complaint example ---

TEST(ComplaintWorkflow, AnsweredInTimeThenCallBackAndSurvey) {
  crm::Kernel k(options());
  EXPECT_EQ(k.workflows().install(crm::read_workflow_file(example("complaint_handling.json"))), 1);
  const auto c = add_customer(k, "Ann", "ann@example.com");
  open_complaint(k, c);

  auto inst = only_instance(k, c);
  EXPECT_EQ(inst.workflow, "complaint_handling");
  EXPECT_EQ(inst.state, crm::InstanceState::kWaiting);
  EXPECT_EQ(inst.position, "$.steps[2]");
  EXPECT_EQ(crm::to_json(inst.wait)["kind"], "task");
  // The complaint opened its case, for support, linked to the interaction.
  const auto cases = k.store().cases().list({});
  ASSERT_EQ(cases.size(), 1u);
  const crm::CaseId case_id = cases[0].id;
  EXPECT_EQ(inst.variables["case"]["case_id"], case_id);
  EXPECT_EQ(cases[0].customer_id, c);
  EXPECT_EQ(cases[0].type, crm::Case::Type::kComplaint);
  EXPECT_EQ(cases[0].subject, "phone complaint of Ann");
  EXPECT_EQ(cases[0].channel, "phone");
  EXPECT_EQ(cases[0].owner, "support");
  EXPECT_EQ(cases[0].status, crm::Case::Status::kOpen);
  ASSERT_EQ(cases[0].interactions.size(), 1u);
  EXPECT_EQ(k.store().interactions().find(cases[0].interactions[0])->kind, "complaint");
  EXPECT_TRUE(has_tag(k, c, "open-complaint"));
  auto tasks = tasks_of(k, c);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].title, "Answer the phone complaint of Ann");
  EXPECT_EQ(tasks[0].owner, "support");
  EXPECT_EQ(tasks[0].due_at, kStart + 24h);
  EXPECT_EQ(tasks[0].link, (crm::EntityRef{"workflow", inst.id}));

  // Answered after 3 hours: the instance goes on at once to its 2-day wait.
  k.simulated_clock()->advance(3h);
  k.store().tasks().complete(tasks[0].id, crm::Actor::user("sam"));
  inst = *k.workflows().instance(inst.id);
  EXPECT_EQ(inst.state, crm::InstanceState::kWaiting);
  EXPECT_EQ(inst.position, "$.steps[6]");
  EXPECT_EQ(crm::to_json(inst.wait)["kind"], "timer");
  EXPECT_EQ(k.store().cases().get(case_id).status, crm::Case::Status::kResolved);
  EXPECT_EQ(crm::to_json(inst.wait)["due"], crm::format_time(kStart + 3h + 48h));
  EXPECT_FALSE(has_tag(k, c, "open-complaint"));
  EXPECT_FALSE(has_tag(k, c, "service-recovery"));  // not a vip: the branch's else (empty)

  // One second early nothing happens; at the due time the call-back task appears.
  EXPECT_EQ(run_until(k, kStart + 3h + 48h - 1s).fired, 0);
  EXPECT_EQ(k.workflows().instance(inst.id)->state, crm::InstanceState::kWaiting);
  EXPECT_EQ(run_until(k, kStart + 3h + 48h).fired, 1);
  tasks = tasks_of(k, c);
  ASSERT_EQ(tasks.size(), 2u);
  const crm::Task callback = tasks[1];
  EXPECT_EQ(callback.title, "Call back Ann and ask for satisfaction");
  EXPECT_EQ(callback.due_at, kStart + 3h + 48h + 24h);

  k.simulated_clock()->advance(2h);
  k.store().tasks().complete(callback.id, crm::Actor::user("sam"));
  inst = *k.workflows().instance(inst.id);
  EXPECT_EQ(inst.state, crm::InstanceState::kCompleted);
  EXPECT_EQ(inst.ended_at, kStart + 53h);
  EXPECT_EQ(inst.variables["survey"]["status"], "sent");
  EXPECT_EQ(k.store().cases().get(case_id).status, crm::Case::Status::kClosed);
  EXPECT_EQ(k.store().cases().get(case_id).closed_at, kStart + 53h);
  const auto sent = messages_to(k, c);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].direction, crm::Interaction::Direction::kOutbound);
  EXPECT_EQ(sent[0].payload["template_id"], "complaint-satisfaction");
  EXPECT_EQ(sent[0].notes,
            "How did we handle your complaint?: Dear Ann, please rate how we "
            "handled your complaint.");

  // The history has every step with its time.
  const auto history = k.workflows().history(inst.id);
  std::vector<std::string> outcomes;
  for (const auto& r : history) outcomes.push_back(r.position + " " + r.outcome);
  const std::vector<std::string> expected = {
      " started",           "$.steps[0] done",    "$.steps[1] done",    "$.steps[2] waiting",
      "$.steps[2] done",    "$.steps[3] done",    "$.steps[4] done",    "$.steps[5] else",
      "$.steps[6] waiting", "$.steps[6] resumed", "$.steps[7] waiting", "$.steps[7] done",
      "$.steps[8] done",    "$.steps[9] done",    " completed"};
  EXPECT_EQ(outcomes, expected);
  EXPECT_EQ(history[4].at, kStart + 3h);
  EXPECT_EQ(history[9].at, kStart + 51h);
}

TEST(ComplaintWorkflow, LateTaskIsEscalated) {
  crm::Kernel k(options());
  k.workflows().install(crm::read_workflow_file(example("complaint_handling.json")));
  std::vector<crm::Event> escalations;
  k.bus().subscribe("complaint.escalated", "test",
                    [&](const crm::Event& e) { escalations.push_back(e); });
  const auto c = add_customer(k, "Ben", "ben@example.com");
  crm::Customer vip = k.store().customers().get(c);
  vip.tags.push_back("vip");
  k.store().customers().update(vip, crm::Actor::user("test"));
  open_complaint(k, c);
  const auto id = only_instance(k, c).id;
  const crm::TaskId answer = tasks_of(k, c).at(0).id;

  EXPECT_EQ(run_until(k, kStart + 23h).fired, 0);
  EXPECT_EQ(run_until(k, kStart + 25h).fired, 1);  // the deadline passed at 24h
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].customer_id, c);
  EXPECT_EQ(escalations[0].payload["reason"], "not answered within 24h");
  EXPECT_EQ(escalations[0].payload["instance"], id);

  auto inst = *k.workflows().instance(id);
  EXPECT_EQ(inst.state, crm::InstanceState::kWaiting);
  EXPECT_EQ(inst.position, "$.steps[2].on_timeout[2]");
  // The late case went to the supervisor, its history says why.
  const crm::Case late = k.store().cases().list({}).at(0);
  EXPECT_EQ(late.owner, "supervisor");
  EXPECT_EQ(late.status, crm::Case::Status::kOpen);
  const auto handover = k.store().cases().history(late.id).back();
  EXPECT_EQ(handover.kind, crm::CaseChange::Kind::kAssigned);
  EXPECT_EQ(handover.from, "support");
  EXPECT_EQ(handover.note, "not answered within 24h");
  const auto tasks = tasks_of(k, c);
  ASSERT_EQ(tasks.size(), 2u);
  const auto escalation = std::find_if(tasks.begin(), tasks.end(),
                                       [](const auto& t) { return t.owner == "supervisor"; });
  ASSERT_NE(escalation, tasks.end());
  EXPECT_EQ(escalation->title, "ESCALATED: phone complaint of Ben");
  EXPECT_EQ(escalation->due_at, kStart + 25h + 4h);
  EXPECT_EQ(k.store().tasks().find(answer)->status, crm::Task::Status::kOpen);
  EXPECT_EQ(crm::to_json(inst.wait)["task"], escalation->id);

  // The original task completed late does not move the instance: it waits
  // for the escalation now.
  k.store().tasks().complete(answer, crm::Actor::user("sam"));
  EXPECT_EQ(k.workflows().instance(id)->position, "$.steps[2].on_timeout[2]");
  k.simulated_clock()->advance(1h);
  k.store().tasks().complete(escalation->id, crm::Actor::user("sue"));
  inst = *k.workflows().instance(id);
  EXPECT_EQ(inst.position, "$.steps[6]");  // back on the main path, the 2-day wait
  EXPECT_EQ(k.store().cases().get(late.id).status, crm::Case::Status::kResolved);
  EXPECT_EQ(crm::to_json(inst.wait)["due"], crm::format_time(kStart + 26h + 48h));
  EXPECT_TRUE(has_tag(k, c, "service-recovery"));  // a vip
  EXPECT_FALSE(has_tag(k, c, "open-complaint"));
}

TEST(ComplaintWorkflow, WaitSurvivesRestartOfTheProcess) {
  const std::string db = temp_db("restart.db");
  crm::InstanceId id = 0;
  crm::CustomerId c = 0;
  {
    crm::Kernel k(options(db));
    k.workflows().install(crm::read_workflow_file(example("complaint_handling.json")));
    c = add_customer(k, "Cem", "cem@example.com");
    open_complaint(k, c);
    id = only_instance(k, c).id;
    k.store().tasks().complete(tasks_of(k, c).at(0).id, crm::Actor::user("sam"));
    EXPECT_TRUE(std::holds_alternative<crm::TimerWait>(k.workflows().instance(id)->wait));
  }  // the process ends in the middle of the 2-day wait
  {
    crm::Kernel k(options(db, kStart + 72h));
    auto inst = *k.workflows().instance(id);
    EXPECT_EQ(inst.state, crm::InstanceState::kWaiting);
    EXPECT_EQ(inst.position, "$.steps[6]");
    EXPECT_EQ(k.workflows().definition("complaint_handling").version, 1);
    const auto run = k.scheduler().run_due(k.clock().now());
    EXPECT_EQ(run.fired, 1);
    EXPECT_EQ(run.unhandled, 0);
    inst = *k.workflows().instance(id);
    EXPECT_EQ(inst.position, "$.steps[7]");
    const auto tasks = tasks_of(k, c);
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[1].due_at, kStart + 72h + 24h);
    k.store().tasks().complete(tasks[1].id, crm::Actor::user("sam"));
    EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
    EXPECT_EQ(messages_to(k, c).size(), 1u);
  }
}

TEST(ComplaintWorkflow, OneActiveInstancePerCustomer) {
  crm::Kernel k(options());
  k.workflows().install(crm::read_workflow_file(example("complaint_handling.json")));
  const auto c = add_customer(k, "Dan", "dan@example.com");
  open_complaint(k, c);
  open_complaint(k, c);
  EXPECT_EQ(instances_of(k, c).size(), 1u);
  EXPECT_EQ(tasks_of(k, c).size(), 1u);
  EXPECT_EQ(k.store().cases().list({}).size(), 1u);  // the second complaint opened none
  EXPECT_THROW(k.workflows().start("complaint_handling", c), crm::InvalidInput);
}

// --- the welcome example ---

TEST(WelcomeWorkflow, BuyerAndNonBuyer) {
  crm::Kernel k(options());
  k.workflows().install(crm::read_workflow_file(example("welcome_series.json")));
  const auto buyer = add_customer(k, "Eva", "eva@example.com");
  const auto quiet = add_customer(k, "Fay", "fay@example.com");
  const auto no_email = add_customer(k, "Gus", "");
  const auto opted_out = add_customer(k, "Hal", "hal@example.com", {{"email", false}});
  EXPECT_TRUE(instances_of(k, no_email).empty());  // the trigger condition needs an e-mail

  ASSERT_EQ(messages_to(k, buyer).size(), 1u);
  EXPECT_EQ(messages_to(k, buyer)[0].notes, "Welcome, Eva: Thank you for joining us.");
  EXPECT_TRUE(messages_to(k, opted_out).empty());  // consent is honoured by the sink
  const auto hal = only_instance(k, opted_out);
  EXPECT_EQ(k.workflows().history(hal.id).at(1).detail["result"]["status"], "opted_out");

  // After 3 days both wait for a first purchase (at most 7 more days).
  EXPECT_EQ(run_until(k, kStart + 72h).fired, 3);
  auto eva = only_instance(k, buyer);
  EXPECT_EQ(crm::to_json(eva.wait)["kind"], "event");
  EXPECT_EQ(crm::to_json(eva.wait)["event"], "purchase.recorded");
  EXPECT_EQ(crm::to_json(eva.wait)["due"], crm::format_time(kStart + 240h));

  // Eva buys on day 4; a purchase of another customer does not wake her.
  k.simulated_clock()->set(kStart + 96h);
  crm::Interaction other;
  other.customer_id = no_email;
  other.channel = "store";
  other.kind = "purchase";
  other.amount = crm::Money::parse("5 USD");
  k.store().interactions().record(other, crm::Actor::user("till"));
  EXPECT_EQ(crm::to_json(only_instance(k, buyer).wait)["kind"], "event");
  crm::Interaction purchase = other;
  purchase.customer_id = buyer;
  purchase.amount = crm::Money::parse("42.50 USD");
  k.store().interactions().record(purchase, crm::Actor::user("till"));
  eva = only_instance(k, buyer);
  EXPECT_EQ(eva.variables["first_purchase"]["type"], "purchase.recorded");
  EXPECT_EQ(eva.variables["first_purchase"]["payload"]["amount"], "42.50 USD");
  EXPECT_EQ(eva.variables["first_purchase"]["payload"]["amount_value"], 42.5);
  EXPECT_TRUE(has_tag(k, buyer, "first-purchase"));
  EXPECT_EQ(crm::to_json(eva.wait)["due"],
            crm::format_time(kStart + 14 * 24h));  // until sign-up + 14 days

  // Day 10: Fay did not buy: a nudge and a call task for sales.
  run_until(k, kStart + 240h);
  const auto fay_messages = messages_to(k, quiet);
  ASSERT_EQ(fay_messages.size(), 2u);
  EXPECT_EQ(fay_messages[1].payload["template_id"], "welcome-nudge");
  const auto fay_tasks = tasks_of(k, quiet);
  ASSERT_EQ(fay_tasks.size(), 1u);
  EXPECT_EQ(fay_tasks[0].title, "Call Fay: no first purchase yet");
  EXPECT_EQ(fay_tasks[0].owner, "sales");
  EXPECT_EQ(fay_tasks[0].due_at, kStart + 240h + 48h);
  EXPECT_FALSE(has_tag(k, quiet, "first-purchase"));
  EXPECT_TRUE(tasks_of(k, buyer).empty());

  // Day 14: the last e-mail, and every instance is completed.
  run_until(k, kStart + 14 * 24h);
  EXPECT_EQ(only_instance(k, buyer).state, crm::InstanceState::kCompleted);
  EXPECT_EQ(only_instance(k, quiet).state, crm::InstanceState::kCompleted);
  EXPECT_EQ(only_instance(k, opted_out).state, crm::InstanceState::kCompleted);
  ASSERT_EQ(messages_to(k, buyer).size(), 2u);
  EXPECT_EQ(messages_to(k, buyer)[1].payload["template_id"], "welcome-2w");
  EXPECT_EQ(messages_to(k, quiet).size(), 3u);
}

// --- guards ---

Json touch_on_update(bool retrigger, bool parallel) {
  return {{"name", "touch"},
          {"retrigger_self", retrigger},
          {"allow_parallel", parallel},
          {"trigger", {{"event", "customer.updated"}}},
          {"steps",
           {{{"type", "action"},
             {"action", "set_field"},
             {"params", {{"field", "attributes.touched_by"}, {"value", "{{instance.id}}"}}}}}}};
}

void rename(crm::Kernel& k, crm::CustomerId c, const std::string& name) {
  auto cust = k.store().customers().get(c);
  cust.name = name;
  k.store().customers().update(cust, crm::Actor::user("test"));
}

TEST(WorkflowGuards, NeverRetriggersItselfOnItsOwnWrites) {
  crm::Kernel k(options());
  // Parallel instances allowed: only the self-retrigger guard can stop the
  // instance's own write from starting another one.
  k.workflows().install(touch_on_update(false, true));
  const auto c = add_customer(k, "Ida", "ida@example.com");
  rename(k, c, "Ida B.");
  auto all = instances_of(k, c);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].state, crm::InstanceState::kCompleted);
  EXPECT_EQ(k.store().customers().get(c).attributes["touched_by"], all[0].id);
  // A user's next write triggers it again, once.
  rename(k, c, "Ida C.");
  all = instances_of(k, c);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(k.store().customers().get(c).attributes["touched_by"], all[0].id);
  EXPECT_TRUE(k.bus().errors().empty());
}

TEST(WorkflowGuards, CascadeDepthLimitStopsAnAllowedSelfTrigger) {
  auto logger = std::make_shared<CapturingLogger>();
  crm::Kernel k(options(":memory:", kStart, logger));
  k.workflows().set_max_cascade_depth(4);
  k.workflows().install(touch_on_update(true, true));
  const auto c = add_customer(k, "Jon", "jon@example.com");
  rename(k, c, "Jon B.");
  const auto all = instances_of(k, c);
  ASSERT_EQ(all.size(), 4u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].state, crm::InstanceState::kCompleted);
    EXPECT_EQ(all[i].chain.size(), 4 - i);  // newest first
  }
  ASSERT_FALSE(logger->lines.empty());
  EXPECT_NE(logger->lines.back().find("cascade depth 4 reached"), std::string::npos);
}

TEST(WorkflowGuards, TwoWorkflowsDoNotPingPong) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "phone_to_segment"},
       {"trigger", {{"event", "customer.updated"}, {"condition", {{"changed", "phone"}}}}},
       {"steps",
        {{{"type", "action"},
          {"action", "set_segment"},
          {"params", {{"segment", "{{new.phone}}"}}}}}}});
  k.workflows().install(
      {{"name", "segment_to_phone"},
       {"trigger", {{"event", "customer.updated"}, {"condition", {{"changed", "segment"}}}}},
       {"steps",
        {{{"type", "action"},
          {"action", "set_field"},
          {"params", {{"field", "phone"}, {"value", "{{new.segment}}9"}}}}}}});
  const auto c = add_customer(k, "Kim", "kim@example.com");
  auto cust = k.store().customers().get(c);
  cust.phone = "555";
  k.store().customers().update(cust, crm::Actor::user("test"));
  EXPECT_EQ(instances_of(k, std::string("phone_to_segment")).size(), 1u);
  EXPECT_EQ(instances_of(k, std::string("segment_to_phone")).size(), 1u);
  cust = k.store().customers().get(c);
  EXPECT_EQ(cust.segment, "555");
  EXPECT_EQ(cust.phone, "5559");
}

TEST(WorkflowGuards, FailingActionRetriesAndNeverUndoesTheTriggeringWrite) {
  crm::Kernel k(options());
  int calls = 0;
  crm::ActionSpec spec;
  spec.help = "fails twice";
  k.workflows().add_action("flaky", spec, [&](crm::ActionContext&, const Json&) -> Json {
    if (++calls < 3) throw crm::Error("gateway down");
    return Json{{"calls", calls}};
  });
  k.workflows().install(
      {{"name", "on_complaint_interaction"},
       {"trigger",
        {{"event", "interaction.recorded"},
         {"condition", {{"field", "event.payload.kind"}, {"op", "eq"}, {"value", "complaint"}}}}},
       {"steps",
        {{{"type", "action"},
          {"action", "flaky"},
          {"save_as", "flaky"},
          {"retry", {{"max_attempts", 3}, {"delay", "10m"}, {"backoff", 2}}}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "handled"}}}}}}});
  const auto c = add_customer(k, "Lea", "lea@example.com");
  crm::Interaction i;
  i.customer_id = c;
  i.channel = "phone";
  i.kind = "complaint";
  const auto interaction = k.store().interactions().record(i, crm::Actor::user("agent"));
  EXPECT_TRUE(k.store().interactions().find(interaction).has_value());  // the write stands

  auto inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kRetrying);
  EXPECT_EQ(inst.error, "gateway down");
  EXPECT_EQ(inst.attempts, 1);
  EXPECT_EQ(crm::to_json(inst.wait)["due"], crm::format_time(kStart + 10min));
  run_until(k, kStart + 10min);
  inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kRetrying);
  EXPECT_EQ(inst.attempts, 2);
  EXPECT_EQ(crm::to_json(inst.wait)["due"], crm::format_time(kStart + 30min));  // backoff 2
  run_until(k, kStart + 30min);
  inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kCompleted);
  EXPECT_EQ(inst.variables["flaky"]["calls"], 3);
  EXPECT_TRUE(has_tag(k, c, "handled"));
  EXPECT_TRUE(k.bus().errors().empty());
}

TEST(WorkflowGuards, FailureWithoutRetryMarksTheInstanceFailed) {
  crm::Kernel k(options());
  k.workflows().install({{"name", "bad_field"},
                         {"trigger", {{"event", "customer.created"}}},
                         {"steps",
                          {{{"type", "action"},
                            {"action", "set_field"},
                            {"params", {{"field", "shoe_size"}, {"value", 42}}}}}}});
  const auto c = add_customer(k, "Max", "max@example.com");
  EXPECT_TRUE(k.store().customers().find(c).has_value());
  const auto inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kFailed);
  EXPECT_NE(inst.error.find("unknown customer field 'shoe_size'"), std::string::npos);
  const auto history = k.workflows().history(inst.id);
  EXPECT_EQ(history.at(1).outcome, "failed");
  EXPECT_EQ(history.at(1).position, "$.steps[0]");
}

// --- the birthday, a date ---

Json set_birthday_on_create(const Json& value) {
  return {{"name", "set_birthday"},
          {"trigger", {{"event", "customer.created"}}},
          {"steps",
           {{{"type", "action"},
             {"action", "set_field"},
             {"save_as", "set"},
             {"params", {{"field", "birthday"}, {"value", value}}}}}}};
}

TEST(WorkflowBirthday, SetFieldStoresADateAndReportsItsForm) {
  crm::Kernel k(options());
  k.workflows().install(set_birthday_on_create("20000229"));  // the compact form, a leap day
  const auto c = add_customer(k, "Lia", "lia@example.com");
  const auto inst = only_instance(k, c);
  ASSERT_EQ(inst.state, crm::InstanceState::kCompleted) << inst.error;
  EXPECT_EQ(k.store().customers().get(c).birthday, crm::Date(2000, 2, 29));
  EXPECT_EQ(inst.variables["set"],
            (Json{{"field", "birthday"}, {"old", nullptr}, {"new", "2000-02-29"}}));
}

TEST(WorkflowBirthday, SetFieldEmptyClearsTheBirthday) {
  // "" (a literal null is refused at install as a missing value; a
  // template that gives null clears it too).
  crm::Kernel k(options());
  k.workflows().install(set_birthday_on_create(""));
  crm::Customer c;
  c.name = "Mo";
  c.birthday = crm::Date(1990, 5, 17);
  const auto id = k.store().customers().add(c, crm::Actor::user("test"));
  const auto inst = only_instance(k, id);
  ASSERT_EQ(inst.state, crm::InstanceState::kCompleted) << inst.error;
  EXPECT_EQ(k.store().customers().get(id).birthday, std::nullopt);
  EXPECT_EQ(inst.variables["set"]["old"], "1990-05-17");
  EXPECT_TRUE(inst.variables["set"]["new"].is_null());
}

TEST(WorkflowBirthday, SetFieldRefusesWhatIsNoDate) {
  for (const auto& [value, error] : std::vector<std::pair<Json, std::string>>{
           {"1990-13-01", "set_field: birthday: invalid date 1990-13-01"},
           {"2001-02-29", "set_field: birthday: invalid date 2001-02-29"},
           {19900517, "set_field: birthday must be a date YYYY-MM-DD or null, got 19900517"}}) {
    SCOPED_TRACE(value.dump());
    crm::Kernel k(options());
    k.workflows().install(set_birthday_on_create(value));
    const auto c = add_customer(k, "Ned", "ned@example.com");
    const auto inst = only_instance(k, c);
    EXPECT_EQ(inst.state, crm::InstanceState::kFailed);
    EXPECT_NE(inst.error.find(error), std::string::npos) << inst.error;
    EXPECT_EQ(k.store().customers().get(c).birthday, std::nullopt);
  }
}

TEST(WorkflowBirthday, ACustomerWithoutABirthdayHasNoneInTheFacts) {
  // customer.birthday is null, not "", without one: "exists" must not start
  // a birthday workflow for a customer whose birthday nobody knows.
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "knows_birthday"},
       {"trigger",
        {{"event", "customer.created"},
         {"condition", {{"field", "customer.birthday"}, {"op", "exists"}}}}},
       {"steps", {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "born"}}}}}}});
  const auto unknown = add_customer(k, "Ola", "ola@example.com");
  crm::Customer c;
  c.name = "Pia";
  c.birthday = crm::Date(1990, 1, 1);
  const auto known = k.store().customers().add(c, crm::Actor::user("test"));
  EXPECT_TRUE(instances_of(k, unknown).empty());
  EXPECT_EQ(only_instance(k, known).state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, known, "born"));
}

TEST(WorkflowGuards, ValidationHookBeforeCommitBlocksTheWrite) {
  crm::Kernel k(options());
  k.workflows().install({{"name", "any_interaction"},
                         {"trigger", {{"event", "interaction.recorded"}}},
                         {"steps", {{{"type", "end"}}}}});
  crm::SubscriberOptions hook;
  hook.name = "no-spam";
  hook.phase = crm::Phase::kBeforeCommit;
  k.bus().subscribe("interaction.recorded", hook, [](const crm::Event& e) {
    if (e.payload.value("kind", "") == "spam") throw crm::InvalidInput("spam refused");
  });
  const auto c = add_customer(k, "Ned", "ned@example.com");
  crm::Interaction i;
  i.customer_id = c;
  i.channel = "web";
  i.kind = "spam";
  EXPECT_THROW(k.store().interactions().record(i, crm::Actor::user("bot")), crm::InvalidInput);
  EXPECT_TRUE(instances_of(k, c).empty());
  i.kind = "question";
  k.store().interactions().record(i, crm::Actor::user("web"));
  EXPECT_EQ(only_instance(k, c).state, crm::InstanceState::kCompleted);
}

TEST(WorkflowOrdering, PriorityThenNameAcrossWorkflowsAndPlugins) {
  crm::Kernel k(options());
  std::vector<std::string> order;
  crm::ActionSpec spec;
  spec.params = {crm::param("who", crm::ParamType::kString, "name", true)};
  k.workflows().add_action("note", spec, [&](crm::ActionContext&, const Json& p) {
    order.push_back(p["who"].get<std::string>());
    return Json();
  });
  for (const auto& [name, priority] :
       std::vector<std::pair<std::string, int>>{{"b_second", 0}, {"a_first", 0}, {"z_early", -5}}) {
    k.workflows().install({{"name", name},
                           {"priority", priority},
                           {"trigger", {{"event", "test.ping"}}},
                           {"steps",
                            {{{"type", "action"},
                              {"action", "note"},
                              {"params", {{"who", "{{instance.workflow}}"}}}}}}});
  }
  crm::SubscriberOptions plugin;
  plugin.name = "plugin:x";
  k.bus().subscribe("test.ping", plugin, [&](const crm::Event&) { order.push_back("plugin:x"); });
  k.bus().publish(crm::Event{"test.ping", {}, std::nullopt, Json::object()});
  const std::vector<std::string> expected = {"z_early", "plugin:x", "a_first", "b_second"};
  EXPECT_EQ(order, expected);
}

// --- sub-workflows, channels ---

TEST(SubWorkflow, ParentWaitsForChild) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "child_wait"},
       {"steps",
        {{{"type", "wait"}, {"duration", "1d"}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "{{vars.tag}}"}}}}}}});
  k.workflows().install(
      {{"name", "parent"},
       {"trigger", {{"event", "test.go"}}},
       {"steps",
        {{{"type", "workflow"}, {"workflow", "child_wait"}, {"variables", {{"tag", "child-done"}}}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "parent-done"}}}}}}});
  const auto c = add_customer(k, "Ola", "ola@example.com");
  k.bus().publish(crm::Event{"test.go", {}, c, Json::object()});
  const auto parent = instances_of(k, std::string("parent")).at(0);
  const auto child = instances_of(k, std::string("child_wait")).at(0);
  EXPECT_EQ(parent.state, crm::InstanceState::kWaiting);
  EXPECT_EQ(crm::to_json(parent.wait)["child"], child.id);
  EXPECT_EQ(child.parent_id, parent.id);
  EXPECT_EQ(child.state, crm::InstanceState::kWaiting);
  EXPECT_EQ(child.chain, (std::vector<std::string>{"parent", "child_wait"}));
  run_until(k, kStart + 24h);
  EXPECT_EQ(k.workflows().instance(child.id)->state, crm::InstanceState::kCompleted);
  EXPECT_EQ(k.workflows().instance(parent.id)->state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "child-done"));
  EXPECT_TRUE(has_tag(k, c, "parent-done"));
}

TEST(Channels, DuplicateTemplateIsSuppressedAndCustomSinkIsUsed) {
  crm::Kernel k(options());
  k.workflows().install({{"name", "twice"},
                         {"steps",
                          {{{"type", "action"},
                            {"action", "send_message"},
                            {"params", {{"channel", "email"}, {"template_id", "t1"}}},
                            {"save_as", "first"}},
                           {{"type", "action"},
                            {"action", "send_message"},
                            {"params", {{"channel", "email"}, {"template_id", "t1"}}},
                            {"save_as", "second"}},
                           {{"type", "action"},
                            {"action", "send_message"},
                            {"params", {{"channel", "sms"}, {"body", "hi"}}},
                            {"save_as", "sms"}}}}});
  struct Gateway final : crm::ChannelSink {
    std::vector<std::string> sent;
    crm::Delivery send(const crm::OutboundMessage& m, crm::Store&, const crm::Actor&) override {
      sent.push_back(m.body);
      return {};
    }
  };
  const auto sms = std::make_shared<Gateway>();
  k.workflows().set_channel("sms", sms);
  const auto c = add_customer(k, "Pia", "pia@example.com");
  const auto id = k.workflows().start("twice", c);
  const auto inst = *k.workflows().instance(id);
  EXPECT_EQ(inst.state, crm::InstanceState::kCompleted);
  EXPECT_EQ(inst.variables["first"]["status"], "sent");
  EXPECT_EQ(inst.variables["second"]["status"], "duplicate");
  EXPECT_EQ(inst.variables["sms"]["status"], "sent");
  // The sms went to the gateway, which records nothing: the engine put it in
  // the customer's history itself, beside the first e-mail.
  EXPECT_EQ(messages_to(k, c).size(), 2u);
  EXPECT_EQ(sms->sent, (std::vector<std::string>{"hi"}));

  // A customer who opted out of sms: the gateway is never called.
  const auto quiet = add_customer(k, "Quinn", "quinn@example.com", {{"sms", false}});
  const auto id2 = k.workflows().start("twice", quiet);
  EXPECT_EQ(k.workflows().instance(id2)->variables["sms"]["status"], "opted_out");
  EXPECT_EQ(sms->sent, (std::vector<std::string>{"hi"}));
  EXPECT_EQ(messages_to(k, quiet).size(), 1u);  // the e-mail only
}

// --- validation and export ---

const Json kInvalid = Json::parse(R"({
  "name": "Bad Name",
  "trigger": {"event": "customer.created"},
  "steps": [
    {"type": "action", "action": "add_tag", "params": {"tag": "x", "colour": "red"}},
    {"type": "wait", "duration": "soon"},
    {"type": "branch", "condition": {"field": "customer.segment", "op": "equals", "value": "A"},
     "then": [{"type": "action", "action": "foo"}]},
    {"type": "task", "owner": "support"},
    {"type": "action", "action": "python_rule", "params": {"rule": "vip"}}
  ]
})");

TEST(WorkflowValidation, EveryErrorWithItsPath) {
  crm::Kernel k(options());
  std::vector<std::string> errors;
  for (const auto& e : k.workflows().validate(kInvalid)) errors.push_back(crm::to_string(e));
  const std::vector<std::string> expected = {
      "$.name: 'Bad Name' may only hold a-z, 0-9, '_', '.' and '-'",
      "$.steps[0].params.colour: unknown parameter of action 'add_tag' (it takes: tag)",
      "$.steps[1].duration: invalid duration 'soon' (expected e.g. 90s, 15m, 24h, 3d, 2w or "
      "P3DT4H)",
      "$.steps[2].condition.op: unknown operator 'equals'",
      "$.steps[2].then[0].action: unknown action 'foo'",
      "$.steps[3].title: is required",
      "$.steps[4].action: unknown action 'python_rule': it is registered by the python_rules "
      "plugin, which is not loaded"};
  EXPECT_EQ(errors, expected);
  try {
    k.workflows().install(kInvalid);
    FAIL() << "an invalid definition was installed";
  } catch (const crm::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("$.steps[2].then[0].action: unknown action 'foo'"),
              std::string::npos);
  }
  EXPECT_TRUE(k.workflows().definitions().empty());

  // Once a plugin registers the action, the reference is valid.
  k.workflows().add_action("python_rule", crm::ActionSpec{"run a rule", {}, false, true},
                           [](crm::ActionContext&, const Json&) { return Json(); });
  for (const auto& e : k.workflows().validate(kInvalid)) {
    EXPECT_NE(e.path, "$.steps[4].action");
  }
}

TEST(WorkflowValidation, CliValidateInstallExport) {
  crm::Kernel k(options());
  std::filesystem::create_directories(CRM_TEST_TMP);
  const std::string bad = std::string(CRM_TEST_TMP) + "/bad.json";
  std::ofstream(bad) << kInvalid.dump(2);
  crm::CommandInput in;
  in.positionals = {bad};
  auto out = k.commands().run({"workflows", "validate"}, in);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.text.find(bad + ": $.steps[2].then[0].action: unknown action 'foo'"),
            std::string::npos);
  EXPECT_EQ(out.data["errors"].size(), 7u);
  out = k.commands().run({"workflows", "install"}, in);
  EXPECT_EQ(out.exit_code, 1);

  in.positionals = {example("complaint_handling.json")};
  EXPECT_EQ(k.commands().run({"workflows", "validate"}, in).exit_code, 0);
  out = k.commands().run({"workflows", "install"}, in);
  EXPECT_EQ(out.data["version"], 1);
  // The same file again is the same version; a changed one is the next.
  EXPECT_EQ(k.commands().run({"workflows", "install"}, in).data["version"], 1);
  Json changed = crm::read_workflow_file(example("complaint_handling.json"));
  changed["priority"] = 11;
  EXPECT_EQ(k.workflows().install(changed), 2);

  out = k.commands().run({"workflows", "list"}, {});
  ASSERT_EQ(out.data.size(), 1u);
  EXPECT_EQ(out.data[0]["name"], "complaint_handling");
  EXPECT_EQ(out.data[0]["version"], 2);

  crm::CommandInput ex;
  ex.positionals = {"complaint_handling"};
  ex.options["as"] = "mermaid";
  const std::string mermaid = k.commands().run({"workflows", "export"}, ex).text;
  EXPECT_EQ(mermaid, k.workflows().export_chart("complaint_handling", crm::ChartFormat::kMermaid));
  EXPECT_TRUE(mermaid.starts_with("flowchart TD\n"));
  EXPECT_NE(
      mermaid.find("n0([\"on interaction.recorded<br/>if (event.payload.kind = complaint) and "
                   "(not (customer.stage = lost))\"])"),
      std::string::npos);
  EXPECT_NE(mermaid.find("n1[\"open case: open_case\"]"), std::string::npos);
  EXPECT_NE(mermaid.find("n2[\"mark: add_tag\"]"), std::string::npos);
  EXPECT_NE(mermaid.find("n2 --> n3"), std::string::npos);
  EXPECT_NE(mermaid.find("n3 -->|late| n4"), std::string::npos);
  EXPECT_NE(mermaid.find("{\"vip?: customer.tags contains vip?\"}"), std::string::npos);
  EXPECT_NE(mermaid.find("-->|yes|"), std::string::npos);
  EXPECT_NE(mermaid.find("-->|no|"), std::string::npos);

  ex.options["as"] = "dot";
  const std::string dot = k.commands().run({"workflows", "export"}, ex).text;
  EXPECT_TRUE(dot.starts_with("digraph \"complaint_handling\" {"));
  EXPECT_NE(dot.find("shape=diamond"), std::string::npos);
  EXPECT_NE(dot.find("n3 -> n4 [label=\"late\"];"), std::string::npos);
  ex.options["as"] = "png";
  EXPECT_THROW(k.commands().run({"workflows", "export"}, ex), crm::InvalidInput);

  // instances --customer filters by customer.
  const auto c = add_customer(k, "Quinn", "q@example.com");
  open_complaint(k, c);
  crm::CommandInput q;
  q.options["customer"] = std::to_string(c);
  out = k.commands().run({"workflows", "instances"}, q);
  ASSERT_EQ(out.data.size(), 1u);
  EXPECT_EQ(out.data[0]["state"], "waiting");
  EXPECT_EQ(out.data[0]["version"], 2);
}

TEST(WorkflowBuilder, BuildsTheSameModelAsJson) {
  crm::WorkflowBuilder late("x");
  late.action("add_tag", {{"tag", "late"}});
  const auto d =
      crm::WorkflowBuilder("built")
          .on("customer.created", {{"field", "customer.segment"}, {"op", "eq"}, {"value", "A"}})
          .action("add_tag", {{"tag", "vip"}})
          .wait_for(std::chrono::hours(48))
          .wait_until("{{customer.birthday}}", -std::chrono::hours(24 * 7))
          .task("Call", "olga", std::chrono::hours(24), &late)
          .build();
  ASSERT_EQ(d.steps.size(), 4u);
  EXPECT_EQ(d.steps[1].duration, Seconds{48 * 3600});
  EXPECT_EQ(d.steps[2].until_offset, Seconds{-7 * 86400});
  EXPECT_EQ(d.steps[3].on_timeout.at(0).params["tag"], "late");
  crm::Kernel k(options());
  EXPECT_EQ(k.workflows().install(
                crm::WorkflowBuilder("built2").action("log", {{"message", "hi"}}).json()),
            1);
}

TEST(WorkflowBuilder, EveryStepKindGivesTheModelOfTheHandWrittenJson) {
  crm::WorkflowBuilder nudge("nudge");
  nudge.action("add_tag", {{"tag", "nudged"}});
  crm::WorkflowBuilder buyer("buyer");
  buyer.action("add_tag", {{"tag", "buyer"}});
  crm::WorkflowBuilder other("other");
  other.sub_workflow("follow_up", {{"reason", "no purchase"}}, false);
  const crm::WorkflowDefinition built =
      crm::WorkflowBuilder("first_week")
          .on("customer.created")
          .priority(3)
          .wait_event("purchase.recorded",
                      {{"field", "event.payload.amount"}, {"op", "gt"}, {"value", 0}},
                      std::chrono::hours(24 * 7), &nudge)
          .branch({{"field", "vars.event"}, {"op", "exists"}}, buyer, &other)
          .end("cancelled")
          .build();
  const crm::WorkflowDefinition written = crm::parse_workflow(Json::parse(R"({
    "name": "first_week", "priority": 3, "trigger": {"event": "customer.created"},
    "steps": [
      {"type": "wait", "event": "purchase.recorded", "timeout": "7d",
       "condition": {"field": "event.payload.amount", "op": "gt", "value": 0},
       "on_timeout": [{"type": "action", "action": "add_tag", "params": {"tag": "nudged"}}]},
      {"type": "branch", "condition": {"field": "vars.event", "op": "exists"},
       "then": [{"type": "action", "action": "add_tag", "params": {"tag": "buyer"}}],
       "else": [{"type": "workflow", "workflow": "follow_up",
                 "variables": {"reason": "no purchase"}, "wait": false}]},
      {"type": "end", "state": "cancelled"}
    ]})"));
  // The charts render every step, condition, block and edge of the model.
  EXPECT_EQ(crm::to_mermaid(built), crm::to_mermaid(written));
  EXPECT_EQ(crm::to_dot(built), crm::to_dot(written));
  EXPECT_EQ(built.priority, 3);
  ASSERT_EQ(built.steps.size(), 3u);
  EXPECT_EQ(built.steps[0].timeout, Seconds{7 * 86400});
  EXPECT_EQ(built.steps[1].else_steps.at(0).workflow, "follow_up");
  EXPECT_FALSE(built.steps[1].else_steps.at(0).wait_for_end);
  EXPECT_EQ(built.steps[2].end_state, "cancelled");
}

}  // namespace
