// The workflow engine where processes go wrong: a process killed mid-step
// or between a commit and the next step, two writers on one instance,
// cancellation (also from inside a step), the engine's own events, the
// guards on sub-workflows, starts inside a caller's transaction, and the
// condition forms and checks that keep a definition meaning what it says.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "crm/condition.hpp"
#include "crm/error.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;
using crm::Json;

// Runs `body` in a child process that is expected to die by SIGKILL (sent by
// the body itself at the moment under test).
void run_and_kill(const std::function<void()>& body) {
  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      _exit(4);
    }
    _exit(3);  // the kill never happened
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
}

void die() { kill(getpid(), SIGKILL); }

// An action that, in a child process, kills it: the step never commits.
void add_deadly_action(crm::Kernel& k, bool kill_it) {
  crm::ActionSpec spec;
  spec.help = "adds a tag; kills the process when asked";
  spec.needs_customer = true;
  k.workflows().add_action("tag_or_die", spec, [kill_it](crm::ActionContext& ctx, const Json&) {
    crm::Customer c = ctx.customer();
    c.tags.push_back("done");
    ctx.store().customers().update(c, ctx.actor());
    if (kill_it) die();
    return Json::object();
  });
}

// A first step that commits, then the one that may kill the process.
const Json kTagOrDie = {
    {"name", "tag_or_die"},
    {"steps",
     {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "seen"}}}},
      {{"type", "action"}, {"action", "tag_or_die"}},
      {{"type", "end"}}}}};

TEST(WorkflowRecovery, InstanceKilledMidStepIsTakenUpByRunDueNotByStartUp) {
  const std::string db = temp_db("recover_running.db");
  crm::CustomerId c = 0;
  {
    crm::Kernel k(options(db));
    add_deadly_action(k, false);
    k.workflows().install(kTagOrDie);
    c = add_customer(k, "Una", "una@example.com");
  }
  run_and_kill([&] {
    crm::Kernel k(options(db));
    add_deadly_action(k, true);
    k.workflows().start("tag_or_die", c);
  });

  crm::Kernel k(options(db, kStart + std::chrono::minutes(5)));
  add_deadly_action(k, false);
  // Opening the database runs nothing: the killed step's write was rolled
  // back and the instance is still at that step, the first one's done.
  auto inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kRunning);
  EXPECT_EQ(inst.position, "$.steps[1]");
  EXPECT_TRUE(has_tag(k, c, "seen"));
  EXPECT_FALSE(has_tag(k, c, "done"));

  EXPECT_EQ(k.workflows().recover(), 1);
  inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "done"));
  EXPECT_EQ(k.workflows().recover(), 0);
}

TEST(WorkflowRecovery, RecentlyRunningInstanceIsLeftToItsProcess) {
  const std::string db = temp_db("recover_recent.db");
  crm::CustomerId c = 0;
  {
    crm::Kernel k(options(db));
    add_deadly_action(k, false);
    k.workflows().install(kTagOrDie);
    c = add_customer(k, "Vic", "vic@example.com");
  }
  run_and_kill([&] {
    crm::Kernel k(options(db));
    add_deadly_action(k, true);
    k.workflows().start("tag_or_die", c);
  });
  // Ten seconds later it may still be another process's: not taken.
  crm::Kernel k(options(db, kStart + Seconds{10}));
  add_deadly_action(k, false);
  EXPECT_EQ(k.workflows().recover(), 0);
  EXPECT_EQ(only_instance(k, c).state, crm::InstanceState::kRunning);
}

TEST(WorkflowRecovery, FiredTimerAndCompletedTaskLostInACrashAreResumed) {
  const std::string db = temp_db("recover_waits.db");
  const Json wait_then_task = {
      {"name", "wait_then_task"},
      {"steps",
       {{{"type", "wait"}, {"duration", "1h"}},
        {{"type", "task"}, {"title", "Call"}, {"owner", "olga"}, {"due", "1d"}},
        {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "called"}}}}}}};
  crm::CustomerId c = 0;
  {
    crm::Kernel k(options(db));
    k.workflows().install(wait_then_task);
    c = add_customer(k, "Wes", "wes@example.com");
    k.workflows().start("wait_then_task", c);
  }
  // The timer's "fired" mark commits, then the process dies before the
  // engine moves the instance on.
  run_and_kill([&] {
    crm::Kernel k(options(db));
    crm::SubscriberOptions first;
    first.name = "a-crash";
    first.priority = -1;  // before the engine's own subscriber
    k.bus().subscribe("workflow.resume_due", first, [](const crm::Event&) { die(); });
    run_until(k, kStart + std::chrono::hours(2));
  });
  {
    crm::Kernel k(options(db, kStart + std::chrono::hours(2)));
    EXPECT_EQ(crm::to_json(only_instance(k, c).wait)["kind"], "timer");
    EXPECT_EQ(k.workflows().recover(), 1);
    const auto inst = only_instance(k, c);
    EXPECT_EQ(inst.state, crm::InstanceState::kWaiting);
    EXPECT_EQ(crm::to_json(inst.wait)["kind"], "task");
  }
  // The task is completed, then the process dies before the engine sees it.
  run_and_kill([&] {
    crm::Kernel k(options(db, kStart + std::chrono::hours(3)));
    crm::SubscriberOptions first;
    first.name = "a-crash";
    first.priority = -1;
    k.bus().subscribe(crm::events::kTaskCompleted, first, [](const crm::Event&) { die(); });
    k.store().tasks().complete(tasks_of(k, c).at(0).id, crm::Actor::user("olga"));
  });
  crm::Kernel k(options(db, kStart + std::chrono::hours(3)));
  EXPECT_EQ(tasks_of(k, c).at(0).status, crm::Task::Status::kDone);
  EXPECT_EQ(only_instance(k, c).state, crm::InstanceState::kWaiting);
  EXPECT_EQ(k.workflows().recover(), 1);
  EXPECT_EQ(only_instance(k, c).state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "called"));
}

TEST(WorkflowConcurrency, StepOfAnInstanceAdvancedElsewhereLeavesNothing) {
  crm::Kernel k(options());
  bool raced = false;
  crm::ActionSpec spec;
  spec.help = "tags, while another writer advances the instance";
  spec.needs_customer = true;
  k.workflows().add_action("raced", spec, [&](crm::ActionContext& ctx, const Json&) {
    crm::Customer c = ctx.customer();
    c.tags.push_back("raced");
    ctx.store().customers().update(c, ctx.actor());
    if (!raced) {
      // What another process's commit of this instance looks like from here.
      raced = true;
      ctx.store().db().execute("UPDATE workflow_instances SET revision = revision + 1 WHERE id = ?",
                               {ctx.instance_id()});
    }
    return Json::object();
  });
  k.workflows().install({{"name", "raced"},
                         {"steps",
                          {{{"type", "action"}, {"action", "log"}, {"params", {{"message", "go"}}}},
                           {{"type", "action"}, {"action", "raced"}}}}});
  const auto c = add_customer(k, "Xia", "xia@example.com");
  k.workflows().start("raced", c);
  // The second step gave up: its tag is gone and the instance was not moved
  // on (its revision is the one the other writer left).
  auto inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kRunning);
  EXPECT_EQ(inst.position, "$.steps[1]");
  EXPECT_FALSE(has_tag(k, c, "raced"));
  const auto h = k.workflows().history(inst.id);
  EXPECT_FALSE(std::any_of(h.begin(), h.end(),
                           [](const crm::StepRecord& r) { return r.position == "$.steps[1]"; }));
}

TEST(WorkflowConcurrency, InstanceCancelledByAnotherProcessBetweenStepsRunsNoFurther) {
  const std::string db = temp_db("cancel_between_steps.db");
  crm::Kernel k(options(db));
  crm::Kernel other(options(db));  // another process on the same database
  int second_ran = 0;
  crm::ActionSpec spec;
  spec.help = "counts, then fails";
  k.workflows().add_action("second", spec, [&](crm::ActionContext&, const Json&) -> Json {
    ++second_ran;
    throw crm::Error("channel down");
  });
  k.workflows().install(
      {{"name", "two_steps"},
       {"steps",
        {{{"type", "action"}, {"action", "emit_event"}, {"params", {{"type", "step.one"}}}},
         {{"type", "action"},
          {"action", "second"},
          {"retry", {{"max_attempts", 3}, {"delay", "1m"}}}}}}});
  // Between the two steps (at the first one's commit) the other process
  // cancels the instance.
  k.bus().subscribe("step.one", "other-process", [&](const crm::Event& e) {
    EXPECT_TRUE(other.workflows().cancel(e.payload.at("instance").get<crm::InstanceId>()));
  });
  const auto c = add_customer(k, "Moe", "moe@example.com");
  const auto id = k.workflows().start("two_steps", c);
  EXPECT_EQ(second_ran, 0);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCancelled);
  EXPECT_TRUE(k.scheduler().pending().empty());  // no retry was scheduled
}

TEST(WorkflowCancel, CancelFromInsideAFailingStepCancels) {
  crm::Kernel k(options());
  crm::ActionSpec spec;
  spec.help = "cancels its instance, then fails";
  k.workflows().add_action("cancel_then_fail", spec,
                           [&](crm::ActionContext& ctx, const Json&) -> Json {
                             k.workflows().cancel(ctx.instance_id());
                             throw crm::Error("and then it broke");
                           });
  k.workflows().install({{"name", "doomed"},
                         {"steps",
                          {{{"type", "action"}, {"action", "log"}, {"params", {{"message", "a"}}}},
                           {{"type", "action"},
                            {"action", "cancel_then_fail"},
                            {"retry", {{"max_attempts", 3}, {"delay", "1m"}}}}}}});
  const auto c = add_customer(k, "Nia", "nia@example.com");
  const auto id = k.workflows().start("doomed", c);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCancelled);
  EXPECT_TRUE(k.scheduler().pending().empty());
}

TEST(WorkflowCancel, CancellingTheParentFromTheChildsStepCancelsBoth) {
  crm::Kernel k(options());
  crm::ActionSpec spec;
  spec.help = "cancels the parent";
  k.workflows().add_action("cancel_parent", spec, [&](crm::ActionContext& ctx, const Json&) {
    EXPECT_TRUE(k.workflows().cancel(ctx.variables().at("parent").get<crm::InstanceId>()));
    return Json::object();
  });
  k.workflows().install(
      {{"name", "kid"},
       {"steps",
        {{{"type", "action"}, {"action", "cancel_parent"}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "kid"}}}}}}});
  k.workflows().install(
      {{"name", "mum"},
       {"steps",
        {{{"type", "workflow"}, {"workflow", "kid"}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "mum"}}}}}}});
  const auto c = add_customer(k, "Ola", "ola@example.com");
  const auto parent = k.workflows().start("mum", c);
  const auto kids = instances_of(k, std::string("kid"));
  ASSERT_EQ(kids.size(), 1u);
  EXPECT_EQ(k.workflows().instance(parent)->state, crm::InstanceState::kCancelled);
  EXPECT_EQ(kids[0].state, crm::InstanceState::kCancelled);
  EXPECT_FALSE(has_tag(k, c, "kid"));
  EXPECT_FALSE(has_tag(k, c, "mum"));
}

TEST(WorkflowCancel, CancelEndsTheTaskTheTimerAndTheChild) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "child"},
       {"steps", {{{"type", "task"}, {"title", "Visit"}, {"owner", "olga"}, {"due", "1d"}}}}});
  k.workflows().install(
      {{"name", "parent"}, {"steps", {{{"type", "workflow"}, {"workflow", "child"}}}}});
  const auto c = add_customer(k, "Yan", "yan@example.com");
  const auto parent = k.workflows().start("parent", c);
  const auto child = std::get<crm::ChildWait>(k.workflows().instance(parent)->wait).child;
  ASSERT_EQ(tasks_of(k, c).size(), 1u);

  EXPECT_TRUE(k.workflows().cancel(parent));
  EXPECT_EQ(k.workflows().instance(parent)->state, crm::InstanceState::kCancelled);
  EXPECT_EQ(k.workflows().instance(child)->state, crm::InstanceState::kCancelled);
  EXPECT_EQ(tasks_of(k, c).at(0).status, crm::Task::Status::kCancelled);
  EXPECT_FALSE(k.workflows().cancel(parent));  // not active any more
}

TEST(WorkflowCancel, CancelFromInsideItsOwnStepStopsItAfterTheStep) {
  crm::Kernel k(options());
  crm::ActionSpec spec;
  spec.help = "cancels its own instance";
  k.workflows().add_action("give_up", spec, [&](crm::ActionContext& ctx, const Json&) {
    EXPECT_TRUE(k.workflows().cancel(ctx.instance_id()));
    return Json::object();
  });
  k.workflows().install(
      {{"name", "quitter"},
       {"steps",
        {{{"type", "action"}, {"action", "give_up"}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "x"}}}}}}});
  const auto c = add_customer(k, "Zoe", "zoe@example.com");
  const auto id = k.workflows().start("quitter", c);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCancelled);
  EXPECT_FALSE(has_tag(k, c, "x"));
}

TEST(WorkflowTasks, CancelledTaskEndsTheWaitAndSaysSo) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "visit"},
       {"steps",
        {{{"type", "task"},
          {"title", "Visit"},
          {"owner", "olga"},
          {"due", "1d"},
          {"save_as", "visit"}},
         {{"type", "branch"},
          {"condition", {{"field", "vars.visit.status"}, {"op", "eq"}, {"value", "cancelled"}}},
          {"then",
           {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "no-visit"}}}}}}}}}});
  const auto c = add_customer(k, "Pat", "pat@example.com");
  const auto id = k.workflows().start("visit", c);
  k.store().tasks().cancel(tasks_of(k, c).at(0).id, crm::Actor::user("olga"));
  const auto inst = *k.workflows().instance(id);
  EXPECT_EQ(inst.state, crm::InstanceState::kCompleted);
  EXPECT_EQ(inst.variables["visit"]["status"], "cancelled");
  EXPECT_TRUE(has_tag(k, c, "no-visit"));
}

TEST(WorkflowCancel, ParentCancelledInAChildStepThatFailsIsNotCancelled) {
  crm::Kernel k(options());
  crm::ActionSpec spec;
  spec.help = "cancels the parent, then fails";
  k.workflows().add_action(
      "cancel_parent_then_fail", spec, [&](crm::ActionContext& ctx, const Json&) -> Json {
        k.workflows().cancel(ctx.variables().at("parent").get<crm::InstanceId>());
        throw crm::Error("broke after cancelling");
      });
  k.workflows().install({{"name", "kid2"},
                         {"steps",
                          {{{"type", "action"}, {"action", "log"}, {"params", {{"message", "a"}}}},
                           {{"type", "action"},
                            {"action", "cancel_parent_then_fail"},
                            {"retry", {{"max_attempts", 2}, {"delay", "1h"}}}}}}});
  k.workflows().install(
      {{"name", "mum2"}, {"steps", {{{"type", "workflow"}, {"workflow", "kid2"}}}}});
  const auto c = add_customer(k, "Quin", "quin@example.com");
  const auto parent = k.workflows().start("mum2", c);
  // The parent's cancellation went with the failed step: both go on.
  EXPECT_EQ(k.workflows().instance(parent)->state, crm::InstanceState::kWaiting);
  const auto kids = instances_of(k, std::string("kid2"));
  ASSERT_EQ(kids.size(), 1u);
  EXPECT_EQ(kids[0].state, crm::InstanceState::kRetrying);
}

TEST(WorkflowCancel, CancelAskedInAFailingFirstStepCancels) {
  crm::Kernel k(options());
  crm::ActionSpec spec;
  spec.help = "cancels its instance, then fails";
  k.workflows().add_action("quit_and_fail", spec,
                           [&](crm::ActionContext& ctx, const Json&) -> Json {
                             k.workflows().cancel(ctx.instance_id());
                             throw crm::Error("and then it broke");
                           });
  k.workflows().install({{"name", "first_fails"},
                         {"steps",
                          {{{"type", "action"},
                            {"action", "quit_and_fail"},
                            {"retry", {{"max_attempts", 3}, {"delay", "1m"}}}}}}});
  const auto c = add_customer(k, "Rae", "rae@example.com");
  const auto id = k.workflows().start("first_fails", c);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCancelled);
  EXPECT_TRUE(k.scheduler().pending().empty());
}

TEST(WorkflowCancel, UninstallCancelsWaitingInstances) {
  crm::Kernel k(options());
  k.workflows().install({{"name", "slow"}, {"steps", {{{"type", "wait"}, {"duration", "1d"}}}}});
  const auto c = add_customer(k, "Abe", "abe@example.com");
  const auto id = k.workflows().start("slow", c);
  EXPECT_TRUE(k.workflows().uninstall("slow"));
  EXPECT_FALSE(k.workflows().uninstall("slow"));
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCancelled);
  EXPECT_TRUE(k.scheduler().pending().empty());
  EXPECT_THROW(k.workflows().start("slow", c), crm::NotFound);
}

TEST(WorkflowEvents, EngineResumeEventsTriggerNothing) {
  crm::Kernel k(options());
  k.workflows().install({{"name", "spy"},
                         {"allow_parallel", true},
                         {"trigger", {{"event", "*"}}},
                         {"steps", {{{"type", "end"}}}}});
  k.workflows().install({{"name", "nap"}, {"steps", {{{"type", "wait"}, {"duration", "1h"}}}}});
  const auto c = add_customer(k, "Bea", "bea@example.com");  // customer.created: one spy
  const auto nap = k.workflows().start("nap", c);
  EXPECT_EQ(run_until(k, kStart + std::chrono::hours(2)).fired, 1);
  EXPECT_EQ(k.workflows().instance(nap)->state, crm::InstanceState::kCompleted);
  for (const auto& i : instances_of(k, std::string("spy"))) {
    EXPECT_NE(i.variables["trigger"]["type"], "workflow.resume_due");
  }
  EXPECT_EQ(instances_of(k, std::string("spy")).size(), 1u);
}

TEST(WorkflowEvents, EventResumesOnlyTheWaitItWasMatchedFor) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "two_waits"},
       {"steps",
        {{{"type", "wait"}, {"event", "order.paid"}, {"save_as", "paid"}},
         {{"type", "wait"}, {"event", "order.shipped"}, {"save_as", "shipped"}}}}});
  const auto c = add_customer(k, "Cai", "cai@example.com");
  const auto id = k.workflows().start("two_waits", c);
  k.bus().publish(crm::Event{"order.paid", {}, c, Json{{"n", 1}}});
  k.bus().publish(crm::Event{"order.paid", {}, c, Json{{"n", 2}}});  // nobody waits for it now
  auto inst = *k.workflows().instance(id);
  EXPECT_EQ(inst.state, crm::InstanceState::kWaiting);
  EXPECT_EQ(crm::to_json(inst.wait)["event"], "order.shipped");
  EXPECT_EQ(inst.variables["paid"]["payload"]["n"], 1);
  // Another customer's event does not move it.
  const auto other = add_customer(k, "Dan", "dan@example.com");
  k.bus().publish(crm::Event{"order.shipped", {}, other, Json::object()});
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kWaiting);
  k.bus().publish(crm::Event{"order.shipped", {}, c, Json::object()});
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
}

TEST(WorkflowEvents, TimedOutEventWaitClearsTheVariable) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "maybe"},
       {"variables", {{"event", "stale"}}},
       {"steps",
        {{{"type", "wait"}, {"event", "order.paid"}, {"timeout", "1d"}},
         {{"type", "branch"},
          {"condition", {{"field", "vars.event"}, {"op", "exists"}}},
          {"then", {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "paid"}}}}}},
          {"else",
           {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "unpaid"}}}}}}}}}});
  const auto c = add_customer(k, "Eli", "eli@example.com");
  const auto id = k.workflows().start("maybe", c);
  run_until(k, kStart + std::chrono::hours(25));
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "unpaid"));
  EXPECT_FALSE(has_tag(k, c, "paid"));
}

TEST(WorkflowChannels, AnActionsOwnMessagesHonourOptOutsAndRepeats) {
  crm::Kernel k(options());
  struct Gateway final : crm::ChannelSink {
    int sent = 0;
    crm::Delivery send(const crm::OutboundMessage&, crm::Store&, const crm::Actor&) override {
      ++sent;
      return {};
    }
  };
  const auto sms = std::make_shared<Gateway>();
  k.workflows().set_channel("sms", sms);
  crm::ActionSpec spec;
  spec.help = "a plugin's own reminder";
  spec.needs_customer = true;
  k.workflows().add_action("remind", spec, [](crm::ActionContext& a, const Json&) {
    crm::OutboundMessage m;
    m.customer_id = *a.customer_id();
    m.channel = "sms";
    m.template_id = "reminder-1";
    m.body = "Your appointment is tomorrow";
    return Json{{"status", crm::to_string(a.send(m).status)}};
  });
  k.workflows().install(
      {{"name", "reminders"},
       {"allow_parallel", true},
       {"steps", {{{"type", "action"}, {"action", "remind"}, {"save_as", "r"}}}}});
  const auto yes = add_customer(k, "Sam", "sam@example.com");
  const auto no = add_customer(k, "Tia", "tia@example.com", {{"sms", false}});
  EXPECT_EQ(k.workflows().instance(k.workflows().start("reminders", yes))->variables["r"]["status"],
            "sent");
  EXPECT_EQ(k.workflows().instance(k.workflows().start("reminders", yes))->variables["r"]["status"],
            "duplicate");
  EXPECT_EQ(k.workflows().instance(k.workflows().start("reminders", no))->variables["r"]["status"],
            "opted_out");
  EXPECT_EQ(sms->sent, 1);
  EXPECT_EQ(messages_to(k, yes).size(), 1u);  // recorded by the engine, the gateway records nothing
  EXPECT_TRUE(messages_to(k, no).empty());
}

TEST(SubWorkflow, OnePerCustomerGuardAppliesToChildren) {
  crm::Kernel k(options());
  k.workflows().install({{"name", "survey"}, {"steps", {{{"type", "wait"}, {"duration", "7d"}}}}});
  k.workflows().install(
      {{"name", "after_visit"}, {"steps", {{{"type", "workflow"}, {"workflow", "survey"}}}}});
  const auto c = add_customer(k, "Fay", "fay@example.com");
  k.workflows().start("survey", c);
  const auto parent = k.workflows().start("after_visit", c);
  const auto inst = *k.workflows().instance(parent);
  EXPECT_EQ(inst.state, crm::InstanceState::kFailed);
  EXPECT_NE(inst.error.find("already has an active instance"), std::string::npos) << inst.error;
  EXPECT_EQ(instances_of(k, std::string("survey")).size(), 1u);
}

TEST(SubWorkflow, FailingChildFailsTheParentAndNoWaitDoesNot) {
  crm::Kernel k(options());
  crm::ActionSpec spec;
  spec.help = "always fails";
  k.workflows().add_action("boom", spec, [](crm::ActionContext&, const Json&) -> Json {
    throw crm::InvalidInput("boom");
  });
  k.workflows().install(
      {{"name", "bad_child"}, {"steps", {{{"type", "action"}, {"action", "boom"}}}}});
  k.workflows().install(
      {{"name", "waits"}, {"steps", {{{"type", "workflow"}, {"workflow", "bad_child"}}}}});
  k.workflows().install(
      {{"name", "fire_and_forget"},
       {"steps",
        {{{"type", "workflow"}, {"workflow", "bad_child"}, {"wait", false}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "on"}}}}}}});
  const auto c1 = add_customer(k, "Gus", "gus@example.com");
  const auto waits = k.workflows().start("waits", c1);
  EXPECT_EQ(k.workflows().instance(waits)->state, crm::InstanceState::kFailed);
  EXPECT_NE(k.workflows().instance(waits)->error.find("boom"), std::string::npos);
  const auto c2 = add_customer(k, "Hal", "hal@example.com");
  const auto forgets = k.workflows().start("fire_and_forget", c2);
  EXPECT_EQ(k.workflows().instance(forgets)->state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c2, "on"));
}

TEST(WorkflowStart, InsideACallersTransactionItRunsAfterTheCommitOrNever) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "tagger"},
       {"allow_parallel", true},
       {"steps", {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "t"}}}}}}});
  const auto c = add_customer(k, "Ivy", "ivy@example.com");
  crm::InstanceId kept = 0;
  {
    crm::Transaction tx(k.store().db());
    kept = k.workflows().start("tagger", c);
    EXPECT_EQ(k.workflows().instance(kept)->state, crm::InstanceState::kRunning);  // not run yet
    EXPECT_FALSE(has_tag(k, c, "t"));
    tx.commit();
  }
  EXPECT_EQ(k.workflows().instance(kept)->state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "t"));
  crm::InstanceId dropped = 0;
  {
    crm::Transaction tx(k.store().db());
    dropped = k.workflows().start("tagger", c);
  }  // rolled back
  EXPECT_FALSE(k.workflows().instance(dropped));
}

// --- conditions ---

TEST(WorkflowConditions, ChangedFromToAndOldValue) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "converted"},
       {"allow_parallel", true},
       {"trigger",
        {{"event", "customer.updated"},
         {"condition", {{"changed", "stage"}, {"from", "prospect"}, {"to", "customer"}}}}},
       {"steps",
        {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "converted"}}}}}}});
  k.workflows().install(
      {{"name", "left_gold"},
       {"allow_parallel", true},
       {"trigger",
        {{"event", "customer.updated"},
         {"condition", {{"old", "segment"}, {"op", "eq"}, {"value", "gold"}}}}},
       {"steps",
        {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "was-gold"}}}}}}});
  const auto c = add_customer(k, "Jo", "jo@example.com");
  auto set = [&](const char* stage, const char* segment) {
    auto cust = k.store().customers().get(c);
    cust.stage = stage;
    cust.segment = segment;
    k.store().customers().update(cust, crm::Actor::user("test"));
  };
  set("prospect", "gold");
  EXPECT_TRUE(instances_of(k, std::string("converted")).empty());
  EXPECT_TRUE(instances_of(k, std::string("left_gold")).empty());  // gold is new, not old
  set("customer", "silver");
  EXPECT_EQ(instances_of(k, std::string("converted")).size(), 1u);
  EXPECT_EQ(instances_of(k, std::string("left_gold")).size(), 1u);
  set("loyal", "bronze");  // customer -> loyal is no conversion; silver was not gold
  EXPECT_EQ(instances_of(k, std::string("converted")).size(), 1u);
  EXPECT_EQ(instances_of(k, std::string("left_gold")).size(), 1u);
}

TEST(WorkflowConditions, ValidationRefusesAmbiguousForms) {
  std::vector<crm::DefinitionError> errors;
  crm::validate_condition(Json{{"changed", "stage"}, {"form", "prospect"}}, "$.c", errors);
  crm::validate_condition(Json{{"all", {{{"field", "vars.a"}, {"op", "exists"}}}}, {"any", {true}}},
                          "$.d", errors);
  crm::validate_condition(Json{{"field", "now"}, {"op", "exists"}}, "$.e", errors);
  crm::validate_condition(Json{{"field", "customer.name."}, {"op", "exists"}}, "$.g", errors);
  crm::validate_condition(Json{{"field", "instance.id"}, {"op", "gt"}, {"value", 0}}, "$.f",
                          errors);
  std::vector<std::string> text;
  for (const auto& e : errors) text.push_back(crm::to_string(e));
  ASSERT_EQ(text.size(), 3u) << ::testing::PrintToString(text);
  EXPECT_NE(text[0].find("$.c.form"), std::string::npos) << text[0];
  EXPECT_NE(text[1].find("$.d"), std::string::npos) << text[1];
  EXPECT_NE(text[1].find("one condition per object"), std::string::npos) << text[1];
  EXPECT_NE(text[2].find("$.g.field: 'customer.name.' has an empty part"), std::string::npos)
      << text[2];
}

TEST(WorkflowValidation, EventWaitPatternsAndHugeNumbersAreRefused) {
  crm::Kernel k(options());
  const Json d = {{"name", "p"},
                  {"priority", 5'000'000'000LL},
                  {"steps",
                   {{{"type", "wait"}, {"event", "purchase.*"}},
                    {{"type", "action"},
                     {"action", "add_tag"},
                     {"params", {{"tag", "x"}}},
                     {"retry", {{"max_attempts", 4'294'967'297LL}}}}}}};
  std::vector<std::string> paths;
  for (const auto& e : k.workflows().validate(d)) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"$.priority", "$.steps[0].event",
                                             "$.steps[1].retry.max_attempts"}));
}

TEST(WorkflowWaits, UntilADatePastContinuesAtOnce) {
  crm::Kernel k(options());
  k.workflows().install(
      {{"name", "renewal"},
       {"steps",
        {{{"type", "wait"}, {"until", "{{customer.attributes.renewal}}"}},
         {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "r"}}}}}}});
  crm::Customer cust;
  cust.name = "Kai";
  cust.attributes = {{"renewal", "2020-01-01"}};
  const auto c = k.store().customers().add(cust, crm::Actor::user("test"));
  const auto id = k.workflows().start("renewal", c);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "r"));
  const auto h = k.workflows().history(id);
  EXPECT_TRUE(std::any_of(h.begin(), h.end(), [](const crm::StepRecord& r) {
    return r.type == "wait" && r.detail.value("already_due", false);
  }));
}

TEST(WorkflowInstall, ReinstallingShownDefinitionKeepsTheVersion) {
  crm::Kernel k(options());
  const Json d = {{"name", "same"}, {"steps", {{{"type", "end"}}}}};
  EXPECT_EQ(k.workflows().install(d), 1);
  Json shown = d;
  shown["version"] = 1;  // what `crm workflows show --format json` prints
  EXPECT_EQ(k.workflows().install(shown), 1);
  Json changed = d;
  changed["description"] = "now described";
  EXPECT_EQ(k.workflows().install(changed), 2);
}

}  // namespace
