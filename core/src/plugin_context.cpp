#include "plugin_context.hpp"

#include <algorithm>
#include <stdexcept>

#include "crm/error.hpp"

namespace crm::core {

PluginContext::PluginContext(std::string name, Json config, KernelServices services,
                             std::shared_ptr<void> library)
    : name_(std::move(name)),
      config_(config.is_object() ? std::move(config) : Json::object()),
      k_(services),
      library_(std::move(library)),
      workflows_(services.workflows, library_, *this, name_),
      services_(name_, services.services, library_) {}

PluginContext::~PluginContext() { release(); }

void PluginContext::release() {
  for (const auto id : subscriptions_) k_.bus.unsubscribe(id);
  subscriptions_.clear();
  for (const auto id : timer_handlers_) k_.scheduler.remove_handler(id);
  timer_handlers_.clear();
  for (const auto& path : commands_) k_.commands.remove(path);
  commands_.clear();
  workflows_.release();
  services_.release();
}

SubscriptionId PluginContext::subscribe(std::string pattern, SubscriberOptions options,
                                        EventHandler handler) {
  if (options.name.empty()) options.name = name_;
  const auto id = k_.bus.subscribe(std::move(pattern), std::move(options),
                                   Pinned<EventHandler>{library_, std::move(handler), name_});
  subscriptions_.push_back(id);
  return id;
}

void PluginContext::unsubscribe(SubscriptionId id) {
  k_.bus.unsubscribe(id);
  std::erase(subscriptions_, id);
}

TimerHandlerId PluginContext::on(std::string_view kind, TimerHandler handler) {
  const auto id = k_.scheduler.on(kind, Pinned<TimerHandler>{library_, std::move(handler), name_});
  timer_handlers_.push_back(id);
  return id;
}

void PluginContext::remove_handler(TimerHandlerId id) {
  k_.scheduler.remove_handler(id);
  std::erase(timer_handlers_, id);
}

void PluginContext::add(CommandSpec spec, CommandHandler handler) {
  auto path = spec.path;
  k_.commands.add(std::move(spec), Pinned<CommandHandler>{library_, std::move(handler), name_});
  commands_.push_back(std::move(path));
}

void PluginWorkflows::release() {
  for (const auto& name : actions_) engine_.remove_action(name);
  actions_.clear();
  for (const auto& name : conditions_) engine_.remove_condition(name);
  conditions_.clear();
  for (const auto& [channel, sink] : channels_) {
    if (engine_.channel_sink(channel) == sink) engine_.set_channel(channel, nullptr);
  }
  channels_.clear();
}

namespace {

// What a plugin's action sees: the engine's ActionContext, but with the
// plugin's own bus, so a subscription made in the action is tracked for the
// plugin (pinned to its library, removed at its stop) like one made in
// start(). Everything else reachable from an ActionContext registers nothing.
class PluginActionContext final : public ActionContext {
 public:
  PluginActionContext(ActionContext& step, EventBus& bus) : step_(step), bus_(bus) {}
  InstanceId instance_id() const override { return step_.instance_id(); }
  const std::string& workflow() const override { return step_.workflow(); }
  std::optional<CustomerId> customer_id() const override { return step_.customer_id(); }
  Customer customer() override { return step_.customer(); }
  const Json& variables() const override { return step_.variables(); }
  Store& store() override { return step_.store(); }
  EventBus& bus() override { return bus_; }
  const Clock& clock() const override { return step_.clock(); }
  Logger& log() override { return step_.log(); }
  Actor actor() const override { return step_.actor(); }
  Delivery send(const OutboundMessage& m) override { return step_.send(m); }

 private:
  ActionContext& step_;
  EventBus& bus_;
};

}  // namespace

void PluginWorkflows::add_action(std::string name, ActionSpec spec, ActionFunction fn) {
  ActionFunction in_plugin = [&bus = bus_, fn = std::move(fn)](ActionContext& step,
                                                               const Json& params) {
    PluginActionContext ctx(step, bus);
    return fn(ctx, params);
  };
  engine_.add_action(name, std::move(spec),
                     Pinned<ActionFunction>{library_, std::move(in_plugin), plugin_});
  actions_.push_back(std::move(name));
}

void PluginWorkflows::remove_action(std::string_view name) {
  // Only its own: a plugin must not take away the kernel's or another
  // plugin's actions.
  if (std::erase(actions_, name) > 0) engine_.remove_action(name);
}

void PluginWorkflows::add_condition(std::string name, ConditionSpec spec, ConditionFunction fn) {
  engine_.add_condition(name, std::move(spec),
                        Pinned<ConditionFunction>{library_, std::move(fn), plugin_});
  conditions_.push_back(std::move(name));
}

void PluginWorkflows::remove_condition(std::string_view name) {
  if (std::erase(conditions_, name) > 0) engine_.remove_condition(name);  // only its own
}

void PluginWorkflows::set_channel(std::string channel, std::shared_ptr<ChannelSink> sink) {
  if (sink) {
    // The sink's code lives in the plugin's library: keep the library loaded
    // as long as the engine holds the sink.
    struct PinnedSink {
      std::shared_ptr<void> library;      // destroyed last
      std::shared_ptr<ChannelSink> sink;  // destroyed first
    };
    const auto pinned = std::make_shared<PinnedSink>(PinnedSink{library_, std::move(sink)});
    sink = std::shared_ptr<ChannelSink>(pinned, pinned->sink.get());
    channels_.emplace_back(channel, sink);
  }
  engine_.set_channel(std::move(channel), std::move(sink));
}

}  // namespace crm::core

namespace crm::core {

namespace {

bool lists(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

void PluginServices::provide_erased(std::string name, std::string type,
                                    std::shared_ptr<void> service) {
  const PluginRecord* self = table_.plugin(plugin_);
  if (!self || !lists(self->provides, name)) {
    throw InvalidInput("plugin '" + plugin_ + "' provides service '" + name +
                       "', which its manifest's provides does not list");
  }
  if (!service) throw InvalidInput("service '" + name + "': the object provided is null");
  // The object's code is the plugin's: the library stays loaded as long as
  // anyone holds the service (declared first, destroyed last).
  struct Held {
    std::shared_ptr<void> library;
    std::shared_ptr<void> object;
  };
  const auto held = std::make_shared<Held>(Held{library_, service});
  table_.add(plugin_, std::move(name), std::move(type), std::shared_ptr<void>(held, service.get()));
}

bool PluginServices::requires_service(std::string_view name, const std::string& provider) const {
  const PluginRecord* self = table_.plugin(plugin_);
  if (!self) return false;
  if (lists(self->dependencies, name)) return true;
  if (!provider.empty() && lists(self->dependencies, provider)) return true;
  // Requiring a plugin that lists the name in `provides` counts too: then a
  // missing service is that plugin's failure, which the NotFound names.
  return std::any_of(self->dependencies.begin(), self->dependencies.end(),
                     [&](const std::string& dep) {
                       const PluginRecord* r = table_.plugin(dep);
                       return r && lists(r->provides, name);
                     });
}

std::shared_ptr<void> PluginServices::get_erased(std::string_view name, std::string_view type) {
  const auto provider = table_.provider_of(name);
  // The host's services were there before any plugin started.
  if (provider && provider->empty()) return table_.get_erased(name, type);
  // Only what it requires, so the provider has started before it: without
  // the requirement, whether the service is there would depend on the order
  // plugins happen to be found in.
  const std::string provider_plugin = provider.value_or("");
  if (!requires_service(name, provider_plugin)) {
    throw InvalidInput("plugin '" + plugin_ + "' gets service '" + std::string(name) +
                       "' but its manifest's requires lists neither the service nor " +
                       (provider_plugin.empty() ? "its provider" : "'" + provider_plugin + "'") +
                       ", so the provider is not sure to start first");
  }
  return table_.get_erased(name, type);
}

}  // namespace crm::core
