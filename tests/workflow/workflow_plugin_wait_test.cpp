// A step whose action belongs to a plugin that is not loaded waits for it
// (like a timer without a handler) and goes on once the plugin is back; and
// a `run-due --watch` host started right after a crash takes up the
// instance the dead process left as soon as it is stale.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <functional>

#include "crm/error.hpp"
#include "workflow_test_support.hpp"

namespace {

using namespace wf_test;
using crm::Json;

// "fake.touch" stands for a plugin's action: tags the customer "touched".
void add_touch(crm::Kernel& k, int* calls = nullptr) {
  crm::ActionSpec spec;
  spec.help = "tags the customer";
  spec.needs_customer = true;
  k.workflows().add_action("fake.touch", spec, [calls](crm::ActionContext& ctx, const Json&) {
    if (calls) ++*calls;
    crm::Customer c = ctx.customer();
    c.tags.push_back("touched");
    ctx.store().customers().update(c, ctx.actor());
    return Json{{"ok", true}};
  });
}

const Json kUsesPlugin = {
    {"name", "uses_plugin"},
    {"steps",
     {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "before"}}}},
      {{"type", "action"}, {"action", "fake.touch"}, {"save_as", "touch"}},
      {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "after"}}}}}}};

TEST(WorkflowPluginWait, ActionOfAnUnloadedPluginWaitsNamingItAndGoesOnWhenItIsBack) {
  const std::string db = temp_db("plugin_wait.db");
  crm::CustomerId c = 0;
  crm::InstanceId id = 0;
  {
    crm::Kernel k(options(db));
    add_touch(k);
    k.workflows().install(kUsesPlugin);
    c = add_customer(k, "Pia", "pia@example.com");
    k.workflows().remove_action("fake.touch");  // the plugin stopped
    id = k.workflows().start("uses_plugin", c);
    const auto inst = k.workflows().instance(id);
    EXPECT_EQ(inst->state, crm::InstanceState::kWaiting);
    EXPECT_EQ(inst->position, "$.steps[1]");
    EXPECT_EQ(crm::to_json(inst->wait),
              (Json{{"kind", "plugin"}, {"plugin", "fake"}, {"action", "fake.touch"}}));
    EXPECT_EQ(inst->error, "");
    EXPECT_EQ(inst->attempts, 0);
    const auto h = k.workflows().history(id);
    ASSERT_FALSE(h.empty());
    EXPECT_EQ(h.back().type, "action");
    EXPECT_EQ(h.back().outcome, "waiting");
    EXPECT_EQ(h.back().position, "$.steps[1]");
    EXPECT_EQ(h.back().detail["plugin"], "fake");
    EXPECT_TRUE(has_tag(k, c, "before"));
    EXPECT_FALSE(has_tag(k, c, "touched"));
    // Still not loaded: nothing to take up, and it keeps waiting.
    EXPECT_EQ(k.workflows().recover(), 0);
    EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kWaiting);
    // Another instance cannot start meanwhile: a waiting one is active.
    EXPECT_THROW(k.workflows().start("uses_plugin", c), crm::InvalidInput);
  }
  // A later process without the plugin leaves it waiting too.
  {
    crm::Kernel k(options(db, kStart + std::chrono::hours(1)));
    EXPECT_EQ(k.workflows().recover(), 0);
    EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kWaiting);
  }
  // The plugin is loaded again: the next recover (run-due) carries on.
  crm::Kernel k(options(db, kStart + std::chrono::hours(2)));
  int calls = 0;
  add_touch(k, &calls);
  EXPECT_EQ(k.workflows().instance(id)->state,
            crm::InstanceState::kWaiting);  // opening runs nothing
  EXPECT_EQ(k.workflows().recover(), 1);
  const auto inst = k.workflows().instance(id);
  EXPECT_EQ(inst->state, crm::InstanceState::kCompleted);
  EXPECT_EQ(inst->variables["touch"], (Json{{"ok", true}}));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(has_tag(k, c, "touched"));
  EXPECT_TRUE(has_tag(k, c, "after"));
  bool resumed = false;
  for (const auto& r : k.workflows().history(id)) {
    if (r.outcome == "resumed" && r.position == "$.steps[1]") {
      resumed = true;
      EXPECT_EQ(r.detail["plugin"], "fake");
      EXPECT_EQ(r.at, kStart + std::chrono::hours(2));
    }
  }
  EXPECT_TRUE(resumed);
  EXPECT_EQ(k.workflows().recover(), 0);
}

TEST(WorkflowPluginWait, MissingActionOfALoadedPluginOrOfTheKernelStillFails) {
  crm::Kernel k(options());
  const crm::CustomerId c = add_customer(k, "Quin", "quin@example.com");
  add_touch(k);
  crm::ActionSpec spec;
  k.workflows().add_action("fake.other", spec,
                           [](crm::ActionContext&, const Json&) { return Json::object(); });
  k.workflows().install(kUsesPlugin);
  k.workflows().remove_action("fake.touch");  // "fake" is loaded, without this action
  const auto id = k.workflows().start("uses_plugin", c);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kFailed);
  EXPECT_EQ(k.workflows().instance(id)->error, "unknown action 'fake.touch'");

  // A kernel action (no plugin in its name) gone missing fails as well.
  k.workflows().install(
      {{"name", "kernel_only"},
       {"steps", {{{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "x"}}}}}}});
  k.workflows().remove_action("add_tag");
  const auto id2 = k.workflows().start("kernel_only", c);
  EXPECT_EQ(k.workflows().instance(id2)->state, crm::InstanceState::kFailed);
  EXPECT_EQ(k.workflows().instance(id2)->error, "unknown action 'add_tag'");
}

TEST(WorkflowPluginWait, ValidationNamesThePluginToLoad) {
  crm::Kernel k(options());
  const Json d = {{"name", "needs_birthdays"},
                  {"steps", {{{"type", "action"}, {"action", "birthdays.days_until"}}}}};
  const auto errors = k.workflows().validate(d);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(crm::to_string(errors[0]),
            "$.steps[0].action: unknown action 'birthdays.days_until': it is registered by the "
            "birthdays plugin, which is not loaded");
  // With the plugin loaded, a name it does not register is just unknown.
  k.workflows().add_action("birthdays.other", crm::ActionSpec{},
                           [](crm::ActionContext&, const Json&) { return Json::object(); });
  const auto loaded = k.workflows().validate(d);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].message, "unknown action 'birthdays.days_until'");
}

TEST(WorkflowPluginWait, CancellingAnInstanceWaitingForAPluginEndsIt) {
  crm::Kernel k(options());
  const crm::CustomerId c = add_customer(k, "Rae", "rae@example.com");
  add_touch(k);
  k.workflows().install(kUsesPlugin);
  k.workflows().remove_action("fake.touch");
  const auto id = k.workflows().start("uses_plugin", c);
  ASSERT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kWaiting);
  EXPECT_TRUE(k.workflows().cancel(id));
  add_touch(k);
  EXPECT_EQ(k.workflows().recover(), 0);
  EXPECT_EQ(k.workflows().instance(id)->state, crm::InstanceState::kCancelled);
  EXPECT_FALSE(has_tag(k, c, "touched"));
}

TEST(WorkflowPluginWait, RecoverRefusesAnIdleTimeUnderASecond) {
  crm::Kernel k(options());
  EXPECT_THROW(k.workflows().recover(Seconds{0}), crm::InvalidInput);
  EXPECT_EQ(k.workflows().recover(Seconds{1}), 0);
}

// --- a watch host restarted right after a crash ---

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

crm::KernelOptions wall_clock(const std::string& db) {
  crm::KernelOptions o = options(db);
  o.simulated_start.reset();
  return o;
}

std::string run_command(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = fread(buffer.data(), 1, buffer.size(), p))
    out.append(buffer.data(), n);
  pclose(p);
  return out;
}

TEST(WorkflowWatch, HostStartedRightAfterACrashFinishesTheInstanceOnceItIsStale) {
  const std::string db = temp_db("watch_recover.db");
  const Json two_steps = {
      {"name", "two_steps"},
      {"steps",
       {{{"type", "action"}, {"action", "log"}, {"params", {{"message", "begun"}}}},
        {{"type", "action"}, {"action", "add_tag"}, {"params", {{"tag", "done"}}}}}}};
  crm::CustomerId c = 0;
  {
    crm::Kernel k(wall_clock(db));
    k.workflows().install(two_steps);
    c = add_customer(k, "Sol", "sol@example.com");
  }
  // Killed inside the second step, before its write commits: the instance
  // stays "running" at $.steps[1], written a moment ago.
  run_and_kill([&] {
    crm::Kernel k(wall_clock(db));
    crm::SubscriberOptions o;
    o.name = "a-crash";
    o.phase = crm::Phase::kBeforeCommit;
    k.bus().subscribe(crm::events::kCustomerUpdated, o,
                      [](const crm::Event&) { kill(getpid(), SIGKILL); });
    k.workflows().start("two_steps", c);
  });
  {
    crm::Kernel k(wall_clock(db));
    const auto inst = only_instance(k, c);
    ASSERT_EQ(inst.state, crm::InstanceState::kRunning);
    ASSERT_EQ(inst.position, "$.steps[1]");
  }
  // Started at once: too young to take at the start, stale a second or two
  // later. --poll 30 and no timer pending: only waking every stale interval
  // finds it before --until.
  const auto until =
      std::chrono::time_point_cast<Seconds>(std::chrono::system_clock::now()) + Seconds{8};
  const std::string out =
      run_command("CRM_PLUGIN_PATH= '" + std::string(CRM_BIN) + "' --db '" + db +
                  "' --format json run-due --watch --poll 30 --stale 1 --until " +
                  crm::format_time(until) + " 2>/dev/null");
  const Json result = Json::parse(out, nullptr, false);
  ASSERT_FALSE(result.is_discarded()) << out;
  EXPECT_EQ(result["recovered"], 1) << out;
  EXPECT_GT(result["runs"].get<int>(), 1) << out;
  crm::Kernel k(wall_clock(db));
  const auto inst = only_instance(k, c);
  EXPECT_EQ(inst.state, crm::InstanceState::kCompleted);
  EXPECT_TRUE(has_tag(k, c, "done"));
  ASSERT_TRUE(inst.ended_at);
  EXPECT_LE(*inst.ended_at, until - Seconds{3}) << "taken up only at --until";
}

}  // namespace
