// The kernel's WorkflowEngine: definitions subscribed to the bus, instances
// advanced step by step, each step committed with the instance's position.
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
#include "workflow_store.hpp"

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

class WorkflowRuntime final : public HostWorkflowEngine {
 public:
  explicit WorkflowRuntime(WorkflowServices services);
  ~WorkflowRuntime() override;
  WorkflowRuntime(const WorkflowRuntime&) = delete;
  WorkflowRuntime& operator=(const WorkflowRuntime&) = delete;

  // Applies the schema, registers the built-in actions, the default channel
  // sink and the timer handler, and loads installed definitions. Called once
  // the kernel schema exists.
  void open();
  // Subscribes the installed definitions to their triggers. Called once the
  // plugins have started, so that no workflow runs before the plugin actions
  // it calls exist.
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
  void set_channel(std::string channel, std::shared_ptr<ChannelSink> sink) override;
  std::shared_ptr<ChannelSink> channel_sink(std::string_view channel) const override;

  int max_cascade_depth() const override { return max_depth_; }
  void set_max_cascade_depth(int depth) override { max_depth_ = depth < 1 ? 1 : depth; }

  // The sink for `channel` (its own, else "*"); throws NotFound when none.
  ChannelSink& channel(const std::string& channel);

 private:
  using Definition = std::shared_ptr<const WorkflowDefinition>;
  // What a trigger subscription needs on every event, prepared at install.
  // The subscription holds it, so no lookup by name is made per event; a
  // subscription replaced or removed while a dispatch is under way finds it
  // no longer live.
  struct Trigger {
    Definition definition;
    bool needs_customer = false;
    CompiledCondition condition;
    bool live = true;
  };
  struct Installed {
    Definition definition;
    SubscriptionId subscription = 0;
    std::shared_ptr<Trigger> trigger;
  };
  struct Action {
    ActionSpec spec;
    std::shared_ptr<const ActionFunction> fn;
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
  class StepContext;

  void subscribe(const std::string& name);
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
  void store_if_new(WorkflowInstance& inst);
  // make_instance() and store_if_new(): the instance's id.
  InstanceId create(const WorkflowDefinition& d, std::optional<CustomerId> customer, Json variables,
                    std::optional<InstanceId> parent, std::vector<std::string> chain);
  // Runs a new instance at once (nothing else is running), then the queue.
  void run_now(WorkflowInstance& inst, const WorkflowDefinition& d);
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
  void finish(WorkflowInstance& inst, const std::string& state, const std::string& error = "");
  void save(WorkflowInstance& inst, const std::string& position, const std::string& type,
            const std::string& outcome, Json detail);

  Definition version_of(const std::string& name, int version);
  // Whether any action of `plugin` (named "<plugin>.<action>") is registered.
  bool plugin_loaded(const std::string& plugin) const;
  // "unknown action 'x'", saying which plugin to load when that is why.
  std::string unknown_action_message(const std::string& name) const;
  Json facts_for(const WorkflowInstance& inst, bool with_customer);
  const Json& event_facts(const Event& e, bool with_customer);
  Actor actor_of(const WorkflowInstance& inst) const;

  WorkflowServices s_;
  WorkflowStore rows_;
  std::map<std::string, Installed, std::less<>> installed_;
  std::map<std::pair<std::string, int>, Definition> versions_;  // cache of stored versions
  std::map<std::string, Action, std::less<>> actions_;
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
  // The customer as trigger conditions saw it last, valid while the
  // database's change counter has not moved: one event checked by a hundred
  // workflows reads the customer once.
  std::optional<CustomerId> cached_customer_id_;
  std::int64_t cached_at_changes_ = -1;
  Json cached_customer_;
  // The facts of the event being dispatched: every workflow subscribed to
  // it sees the same Event object, so they are built once per event.
  const Event* facts_event_ = nullptr;
  std::uint64_t facts_dispatch_ = 0;
  Json facts_;
};

}  // namespace crm::core
