// The Context a plugin gets: the kernel's services, with every registration
// the plugin makes tracked (to undo at stop) and pinned to its library (so the
// code of a handler is never unloaded while the handler exists).
#pragma once

#include <memory>
#include <vector>

#include "command_table.hpp"
#include "crm/context.hpp"
#include "crm/host_scheduler.hpp"
#include "crm/host_workflow_engine.hpp"
#include "plugin_exception.hpp"
#include "service_table.hpp"

namespace crm::core {

// Rethrows the exception in flight as a kernel exception of the same kind
// (plugin_exception.hpp); `plugin` names the plugin in the message of one
// that is not a kernel kind.
[[noreturn]] void rethrow_as_kernel_exception(std::string_view plugin);

// Holds the library of the code in `f`. Members are destroyed in reverse
// order, so `f` (whose destructor may run plugin code) goes before `library`.
template <class F>
struct Pinned {
  std::shared_ptr<void> library;
  F f;
  std::string plugin;  // named in the error of an exception that is not a kernel kind
  template <class... A>
  auto operator()(A&&... a) const {
    try {
      return f(std::forward<A>(a)...);
    } catch (...) {
      rethrow_as_kernel_exception(plugin);
    }
  }
};

struct KernelServices {
  Store& store;
  EventBus& bus;
  const Clock& clock;
  const TimeZone& time_zone;
  const WorkingWeek& working_week;
  HostScheduler& scheduler;
  CommandTable& commands;
  Logger& log;
  HostWorkflowEngine& workflows;
  ServiceTable& services;
};

// The workflow engine as a plugin sees it: actions and channel sinks it
// registers are pinned to its library and removed when it stops. Its
// actions see `bus` (the plugin's own view) from ActionContext::bus(), so
// what they subscribe is the plugin's too.
class PluginWorkflows final : public WorkflowEngine {
 public:
  PluginWorkflows(HostWorkflowEngine& engine, std::shared_ptr<void> library, EventBus& bus,
                  std::string plugin)
      : engine_(engine), library_(std::move(library)), bus_(bus), plugin_(std::move(plugin)) {}
  // Removes the plugin's actions, conditions and channel sinks.
  void release();

  std::vector<DefinitionError> validate(const Json& d) const override {
    return engine_.validate(d);
  }
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
  int max_cascade_depth() const override { return engine_.max_cascade_depth(); }

 private:
  HostWorkflowEngine& engine_;
  std::shared_ptr<void> library_;
  EventBus& bus_;
  std::string plugin_;
  std::vector<std::string> actions_;
  std::vector<std::string> conditions_;
  // The sinks it registered, as the engine holds them: removed at release
  // only if still in place (another plugin may have replaced one since).
  std::vector<std::pair<std::string, std::shared_ptr<ChannelSink>>> channels_;
};

// The services as a plugin sees them: it provides only what its manifest
// lists in `provides` (pinned to its library, withdrawn at release) and gets
// only what it requires.
class PluginServices final : public ServiceRegistry {
 public:
  PluginServices(std::string plugin, ServiceTable& table, std::shared_ptr<void> library)
      : plugin_(std::move(plugin)), table_(table), library_(std::move(library)) {}
  // Withdraws the plugin's services.
  void release() { table_.withdraw(plugin_); }

  bool has(std::string_view name) const override { return table_.has(name); }
  std::vector<ServiceInfo> list() const override { return table_.list(); }
  void provide_erased(std::string name, std::string type, std::shared_ptr<void> service) override;
  std::shared_ptr<void> get_erased(std::string_view name, std::string_view type) override;

 private:
  // Whether its manifest's `requires` names the service, its provider
  // (plugin name, "" when not provided) or a plugin listing it in `provides`.
  bool requires_service(std::string_view name, const std::string& provider) const;

  std::string plugin_;
  ServiceTable& table_;
  std::shared_ptr<void> library_;
};

class PluginContext final : public Context, EventBus, Scheduler, CommandRegistry {
 public:
  PluginContext(std::string name, Json config, KernelServices services,
                std::shared_ptr<void> library);
  ~PluginContext() override;

  // Undoes every subscription, timer handler, command, workflow action,
  // channel sink and service of the plugin.
  void release();

  // Context
  const std::string& plugin_name() const override { return name_; }
  const Json& config() const override { return config_; }
  Store& store() override { return k_.store; }
  EventBus& bus() override { return *this; }
  const Clock& clock() const override { return k_.clock; }
  const TimeZone& time_zone() const override { return k_.time_zone; }
  BusinessCalendar calendar() override {
    return BusinessCalendar(k_.time_zone, k_.working_week, k_.store.holidays().list());
  }
  Scheduler& scheduler() override { return *this; }
  CommandRegistry& commands() override { return *this; }
  Logger& log() override { return k_.log; }
  WorkflowEngine& workflows() override { return workflows_; }
  ServiceRegistry& services() override { return services_; }

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
  std::vector<Timer> pending() override { return k_.scheduler.pending(); }

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
  PluginServices services_;
};

}  // namespace crm::core
