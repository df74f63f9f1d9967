// The Context a plugin gets: the kernel's services, with every registration
// the plugin makes tracked (to undo at stop) and pinned to its library (so the
// code of a handler is never unloaded while the handler exists).
#pragma once

#include <memory>
#include <vector>

#include "command_table.hpp"
#include "crm/context.hpp"

namespace crm::core {

// Rethrows the exception in flight as a kernel exception of the same kind
// and message. An exception object made by plugin code has its vtable in the
// plugin's library; if it outlived the plugin (caught by a host after the
// kernel unloaded it), reading it would crash. A copy made here does not.
[[noreturn]] void rethrow_as_kernel_exception();

// Holds the library of the code in `f`. Members are destroyed in reverse
// order, so `f` (whose destructor may run plugin code) goes before `library`.
template <class F>
struct Pinned {
  std::shared_ptr<void> library;
  F f;
  template <class... A>
  auto operator()(A&&... a) const {
    try {
      return f(std::forward<A>(a)...);
    } catch (...) {
      rethrow_as_kernel_exception();
    }
  }
};

struct KernelServices {
  Store& store;
  EventBus& bus;
  const Clock& clock;
  Scheduler& scheduler;
  CommandTable& commands;
  Logger& log;
  WorkflowEngine& workflows;
};

// The workflow engine as a plugin sees it: actions and channel sinks it
// registers are pinned to its library and removed when it stops.
class PluginWorkflows final : public WorkflowEngine {
 public:
  PluginWorkflows(WorkflowEngine& engine, std::shared_ptr<void> library)
      : engine_(engine), library_(std::move(library)) {}
  // Removes the plugin's actions, conditions and channel sinks.
  void release();

  std::vector<DefinitionError> validate(const Json& d) const override {
    return engine_.validate(d);
  }
  int install(const Json& d) override { return engine_.install(d); }
  bool uninstall(std::string_view name) override { return engine_.uninstall(name); }
  std::vector<WorkflowDefinition> definitions() const override { return engine_.definitions(); }
  WorkflowDefinition definition(std::string_view name) const override {
    return engine_.definition(name);
  }
  std::string export_chart(std::string_view name, ChartFormat f) const override {
    return engine_.export_chart(name, f);
  }
  InstanceId start(std::string_view name, std::optional<CustomerId> customer,
                   const Json& variables) override {
    return engine_.start(name, customer, variables);
  }
  bool cancel(InstanceId id) override { return engine_.cancel(id); }
  int recover() override { return engine_.recover(); }
  int recover(Seconds idle) override { return engine_.recover(idle); }
  std::optional<WorkflowInstance> instance(InstanceId id) override { return engine_.instance(id); }
  std::vector<WorkflowInstance> instances(const InstanceQuery& q) override {
    return engine_.instances(q);
  }
  std::vector<StepRecord> history(InstanceId id) override { return engine_.history(id); }
  void add_action(std::string name, ActionSpec spec, ActionFunction fn) override;
  void remove_action(std::string_view name) override;
  std::vector<std::pair<std::string, ActionSpec>> actions() const override {
    return engine_.actions();
  }
  void set_channel(std::string channel, std::shared_ptr<ChannelSink> sink) override;
  void add_condition(std::string name, ConditionSpec spec, ConditionFunction fn) override;
  void remove_condition(std::string_view name) override;
  std::vector<std::pair<std::string, ConditionSpec>> conditions() const override {
    return engine_.conditions();
  }
  std::shared_ptr<ChannelSink> channel_sink(std::string_view channel) const override {
    return engine_.channel_sink(channel);
  }
  int max_cascade_depth() const override { return engine_.max_cascade_depth(); }
  void set_max_cascade_depth(int depth) override { engine_.set_max_cascade_depth(depth); }

 private:
  WorkflowEngine& engine_;
  std::shared_ptr<void> library_;
  std::vector<std::string> actions_;
  std::vector<std::string> conditions_;
  // The sinks it registered, as the engine holds them: removed at release
  // only if still in place (another plugin may have replaced one since).
  std::vector<std::pair<std::string, std::shared_ptr<ChannelSink>>> channels_;
};

class PluginContext final : public Context, EventBus, Scheduler, CommandRegistry {
 public:
  PluginContext(std::string name, Json config, KernelServices services,
                std::shared_ptr<void> library);
  ~PluginContext() override;

  // Undoes every subscription, timer handler, command and workflow action of
  // the plugin.
  void release();

  // Context
  const std::string& plugin_name() const override { return name_; }
  const Json& config() const override { return config_; }
  Store& store() override { return k_.store; }
  EventBus& bus() override { return *this; }
  const Clock& clock() const override { return k_.clock; }
  Scheduler& scheduler() override { return *this; }
  CommandRegistry& commands() override { return *this; }
  Logger& log() override { return k_.log; }
  WorkflowEngine& workflows() override { return workflows_; }

  // EventBus
  using EventBus::subscribe;
  SubscriptionId subscribe(std::string pattern, SubscriberOptions options,
                           EventHandler handler) override;
  void unsubscribe(SubscriptionId id) override;
  void publish(Event event) override { k_.bus.publish(std::move(event)); }
  std::vector<DispatchError> errors() const override { return k_.bus.errors(); }

  // Scheduler
  TimerId schedule(TimePoint due, std::string_view kind, const Json& payload,
                   std::optional<CustomerId> customer) override {
    return k_.scheduler.schedule(due, kind, payload, customer);
  }
  bool cancel(TimerId id) override { return k_.scheduler.cancel(id); }
  TimerHandlerId on(std::string_view kind, TimerHandler handler) override;
  void remove_handler(TimerHandlerId id) override;
  TimerRun run_due(TimePoint now) override { return k_.scheduler.run_due(now); }
  std::vector<Timer> pending() override { return k_.scheduler.pending(); }
  std::optional<TimePoint> next_due() override { return k_.scheduler.next_due(); }

  // CommandRegistry
  void add(CommandSpec spec, CommandHandler handler) override;
  std::vector<CommandSpec> list() const override { return k_.commands.list(); }
  CommandOutput run(const std::vector<std::string>& path, const CommandInput& input) override {
    return k_.commands.run(path, input);
  }

 private:
  std::string name_;
  Json config_;
  KernelServices k_;
  std::shared_ptr<void> library_;
  std::vector<SubscriptionId> subscriptions_;
  std::vector<TimerHandlerId> timer_handlers_;
  std::vector<std::vector<std::string>> commands_;
  PluginWorkflows workflows_;
};

}  // namespace crm::core
