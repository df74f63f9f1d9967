// The kernel's WorkflowEngine: definitions whose triggers the bus reaches
// through an index, instances advanced step by step, each step committed
// with the instance's position.
//
// Its parts, one file each:
//   workflow_registry.cpp    definitions (validate, install, versions),
//                            actions, named conditions, channel sinks
//   workflow_facts.cpp       the facts conditions and templates see
//   workflow_steps.cpp       one executor per step type
//   workflow_runtime.cpp     the loop: triggers, the work queue, running an
//                            instance, resuming its waits, failing, ending
//   workflow_position.cpp    positions in a definition
//   workflow_trigger_index.cpp  which triggers an event may start
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crm/condition.hpp"
#include "crm/host_workflow_engine.hpp"
#include "crm/scheduler.hpp"
#include "event_dispatcher.hpp"
#include "sqlite_database.hpp"
#include "workflow_facts.hpp"
#include "workflow_position.hpp"
#include "workflow_store.hpp"
#include "workflow_trigger_index.hpp"

namespace crm::core {

struct WorkflowServices {
  SqliteDatabase& db;
  Store& store;
  EventDispatcher& bus;
  const Clock& clock;
  Scheduler& scheduler;
  Logger& log;
};

// The timer kind of every workflow wait, retry and task deadline.
inline constexpr const char* kResumeTimerKind = "workflow.resume";
// Published by the resume timer's handler inside the timer's transaction,
// so the instance advances after that commit (see open()).
inline constexpr const char* kResumeDueEvent = "workflow.resume_due";

class WorkflowRuntime final : public HostWorkflowEngine, NamedConditions {
 public:
  explicit WorkflowRuntime(WorkflowServices services);
  ~WorkflowRuntime() override;
  WorkflowRuntime(const WorkflowRuntime&) = delete;
  WorkflowRuntime& operator=(const WorkflowRuntime&) = delete;

  // Applies the schema, registers the built-in actions, the default channel
  // sink and the timer handler, and loads installed definitions. Called once
  // the kernel schema exists.
  void open();
  // Files the installed definitions' triggers. Called once the plugins have
  // started, so that no workflow runs before the plugin actions it calls
  // exist.
  void activate();
  int recover() override;
  int recover(Seconds idle) override;

  std::vector<DefinitionError> validate(const Json& definition) const override;
  int install(const Json& definition) override;
  bool uninstall(std::string_view name) override;
  std::vector<WorkflowDefinition> definitions() const override;
  WorkflowDefinition definition(std::string_view name) const override;
  std::string export_chart(std::string_view name, ChartFormat format) const override;

  InstanceId start(std::string_view name, std::optional<CustomerId> customer,
                   const Json& variables) override;
  bool cancel(InstanceId id) override;
  std::optional<WorkflowInstance> instance(InstanceId id) override { return rows_.find(id); }
  std::vector<WorkflowInstance> instances(const InstanceQuery& q) override {
    return rows_.query(q);
  }
  std::vector<StepRecord> history(InstanceId id) override { return rows_.history(id); }

  void add_action(std::string name, ActionSpec spec, ActionFunction fn) override;
  void remove_action(std::string_view name) override;
  std::vector<std::pair<std::string, ActionSpec>> actions() const override;
  void add_condition(std::string name, ConditionSpec spec, ConditionFunction fn) override;
  void remove_condition(std::string_view name) override;
  std::vector<std::pair<std::string, ConditionSpec>> conditions() const override;
  void set_channel(std::string channel, std::shared_ptr<ChannelSink> sink) override;
  std::shared_ptr<ChannelSink> channel_sink(std::string_view channel) const override;

  int max_cascade_depth() const override { return max_depth_; }
  void set_max_cascade_depth(int depth) override { max_depth_ = depth < 1 ? 1 : depth; }

  // The sink for `channel` (its own, else "*"); throws NotFound when none.
  ChannelSink& channel(const std::string& channel);

 private:
  using Definition = std::shared_ptr<const WorkflowDefinition>;
  // An installed trigger, as the bus reaches it (through triggers_): what
  // it needs on every event is prepared at install. A trigger replaced or
  // removed while a dispatch is under way finds itself no longer live.
  struct Trigger final : DispatchTarget {
    WorkflowRuntime* runtime = nullptr;
    Definition definition;
    bool needs_customer = false;
    CompiledCondition condition;
    bool live = true;
    void deliver(const Event& e) const override {
      if (live) runtime->on_trigger(*this, e);
    }
  };
  struct Installed {
    Definition definition;
    std::shared_ptr<Trigger> trigger;
  };
  struct Action {
    ActionSpec spec;
    std::shared_ptr<const ActionFunction> fn;
  };
  struct Condition {
    ConditionSpec spec;
    std::shared_ptr<const ConditionFunction> fn;
  };
  // Why an instance is taken up again.
  struct Work {
    // kPlugin: the plugin an action step waits for is loaded again.
    enum class Kind { kRun, kTimer, kTask, kEvent, kChild, kPlugin } kind = Kind::kRun;
    InstanceId instance = 0;
    std::int64_t ref = 0;  // timer, task or child id
    Json data;             // the event waited for
    std::string position;  // of the wait the event was matched against
  };
  // The instance whose step is executing: events its writes cause carry
  // its chain, which is how the self-retrigger and depth guards work.
  struct Frame {
    InstanceId instance;
    std::vector<std::string> chain;
  };
  // What one step's executor did: moved `pos` on (the loop goes on), or
  // stopped the instance (it waits or ended).
  enum class StepOutcome { kNext, kStop };
  // What an executor is given: the step, where it is, and the time.
  struct StepAt {
    const WorkflowStep& step;
    Position& pos;
    const std::string& here;
    TimePoint now;
  };
  class StepContext;
  class ConditionScope;

  // --- registry (workflow_registry.cpp) ---
  void subscribe(const std::string& name);
  Definition version_of(const std::string& name, int version);
  // Whether any action or condition of `plugin` is registered.
  bool plugin_loaded(const std::string& plugin) const;
  // "unknown action 'x'" (or condition), saying which plugin to load when
  // that is why.
  std::string unknown_message(const char* what, const std::string& name) const;
  void check_named_conditions(const Json& condition, const std::string& path,
                              std::vector<DefinitionError>& errors) const;
  // NamedConditions: the registered condition's verdict; NotFound for an
  // unknown name.
  bool test(const std::string& name, const Json& args, const Json& facts) const override;

  // --- steps (workflow_steps.cpp) ---
  StepOutcome run_step(WorkflowInstance& inst, const WorkflowDefinition& d, const StepAt& at);
  StepOutcome run_action(WorkflowInstance& inst, const WorkflowDefinition& d, const StepAt& at);
  StepOutcome run_wait(WorkflowInstance& inst, const WorkflowDefinition& d, const StepAt& at);
  StepOutcome run_branch(WorkflowInstance& inst, const WorkflowDefinition& d, const StepAt& at);
  StepOutcome run_task(WorkflowInstance& inst, const StepAt& at);
  StepOutcome run_sub_workflow(WorkflowInstance& inst, const WorkflowDefinition& d,
                               const StepAt& at);
  StepOutcome run_end(WorkflowInstance& inst, const StepAt& at);
  // Moves past the current step and saves it with its history entry.
  void step_done(WorkflowInstance& inst, const WorkflowDefinition& d, const StepAt& at,
                 const std::string& type, const std::string& outcome, Json detail);
  // The instance waits for `w`; its history entry says so.
  void wait_for(WorkflowInstance& inst, Wait w, const StepAt& at, const std::string& type,
                Json detail);

  // --- the loop (workflow_runtime.cpp) ---
  void on_trigger(const Trigger& t, const Event& e);
  // task.completed and task.cancelled: the wait on that task ends.
  void on_task_ended(const Event& e);
  void on_waited_event(const Event& e);
  void watch_event_type(const std::string& type);

  // A new instance in memory, at its first step; store_if_new() writes it.
  WorkflowInstance make_instance(const WorkflowDefinition& d, std::optional<CustomerId> customer,
                                 Json variables, std::optional<InstanceId> parent,
                                 std::vector<std::string> chain) const;
  // Inserts an instance not stored yet (id 0), with its "started" history.
  // Throws Conflict when the one-per-customer guard refuses it.
  void store_if_new(WorkflowInstance& inst);
  // make_instance() and store_if_new(): the instance's id.
  InstanceId create(const WorkflowDefinition& d, std::optional<CustomerId> customer, Json variables,
                    std::optional<InstanceId> parent, std::vector<std::string> chain);
  // Runs a new instance at once (nothing else is running), then the queue.
  // A Conflict (another process started one for the customer) is thrown
  // when `conflict_throws`, else logged: a trigger's loser starts nothing.
  void run_now(WorkflowInstance& inst, const WorkflowDefinition& d, bool conflict_throws);
  void enqueue(Work w);
  void drain();
  void take_up(const Work& w);
  void run(WorkflowInstance& inst, const WorkflowDefinition& d);
  // Cancels what `inst` waits for: its timer, its open task, its child.
  void end_wait(const WorkflowInstance& inst);
  // Takes the cancel request for `id`: whether it stands. One asked for by
  // a parent's cancellation stands only if the step that made it committed.
  bool take_cancel_request(InstanceId id, bool step_committed);
  void fail(WorkflowInstance& inst, const WorkflowStep& s, const std::string& error);
  void finish(WorkflowInstance& inst, InstanceState state, const std::string& error = "");
  void save(WorkflowInstance& inst, const std::string& position, const std::string& type,
            const std::string& outcome, Json detail);
  Actor actor_of(const WorkflowInstance& inst) const;

  WorkflowServices s_;
  WorkflowStore rows_;
  WorkflowFacts facts_;
  TriggerIndex triggers_;
  std::map<std::string, Installed, std::less<>> installed_;
  std::map<std::pair<std::string, int>, Definition> versions_;  // cache of stored versions
  std::map<std::string, Action, std::less<>> actions_;
  std::map<std::string, Condition, std::less<>> conditions_;
  std::map<std::string, std::shared_ptr<ChannelSink>, std::less<>> channels_;
  // Used when no sink is registered for a channel nor for "*" (a plugin that
  // replaced the default and stopped leaves the kernel's one in force).
  std::shared_ptr<ChannelSink> default_sink_;
  std::set<std::string, std::less<>> watched_events_;
  std::vector<SubscriptionId> own_subscriptions_;
  TimerHandlerId timer_handler_ = 0;
  std::deque<Work> queue_;
  bool draining_ = false;
  std::vector<Frame> frames_;
  // Instances to cancel once the step they are running ends, with the
  // parent whose cancellation asked for it (0: cancelled directly).
  std::map<InstanceId, InstanceId> cancel_requested_;
  int max_depth_ = 8;
  bool open_ = false;
};

}  // namespace crm::core
