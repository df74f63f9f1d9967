#include "plugin_context.hpp"

#include <algorithm>
#include <stdexcept>

#include "crm/error.hpp"

namespace crm::core {

void rethrow_as_kernel_exception() {
  try {
    throw;
  } catch (const NotFound& e) {
    throw NotFound(e.what());
  } catch (const InvalidInput& e) {
    throw InvalidInput(e.what());
  } catch (const StoreError& e) {
    throw StoreError(e.what());
  } catch (const PluginError& e) {
    throw PluginError(e.what());
  } catch (const Error& e) {
    throw Error(e.what());
  } catch (const std::invalid_argument& e) {
    throw InvalidInput(e.what());
  } catch (const std::exception& e) {
    throw Error(e.what());
  } catch (...) {
    throw Error("a plugin threw something that is not a std::exception");
  }
}

PluginContext::PluginContext(std::string name, Json config, KernelServices services,
                             std::shared_ptr<void> library)
    : name_(std::move(name)),
      config_(config.is_object() ? std::move(config) : Json::object()),
      k_(services),
      library_(std::move(library)),
      workflows_(services.workflows, library_) {}

PluginContext::~PluginContext() { release(); }

void PluginContext::release() {
  for (const auto id : subscriptions_) k_.bus.unsubscribe(id);
  subscriptions_.clear();
  for (const auto id : timer_handlers_) k_.scheduler.remove_handler(id);
  timer_handlers_.clear();
  for (const auto& path : commands_) k_.commands.remove(path);
  commands_.clear();
  workflows_.release();
}

SubscriptionId PluginContext::subscribe(std::string pattern, SubscriberOptions options,
                                        EventHandler handler) {
  if (options.name.empty()) options.name = name_;
  const auto id = k_.bus.subscribe(std::move(pattern), std::move(options),
                                   Pinned<EventHandler>{library_, std::move(handler)});
  subscriptions_.push_back(id);
  return id;
}

void PluginContext::unsubscribe(SubscriptionId id) {
  k_.bus.unsubscribe(id);
  std::erase(subscriptions_, id);
}

TimerHandlerId PluginContext::on(std::string_view kind, TimerHandler handler) {
  const auto id = k_.scheduler.on(kind, Pinned<TimerHandler>{library_, std::move(handler)});
  timer_handlers_.push_back(id);
  return id;
}

void PluginContext::remove_handler(TimerHandlerId id) {
  k_.scheduler.remove_handler(id);
  std::erase(timer_handlers_, id);
}

void PluginContext::add(CommandSpec spec, CommandHandler handler) {
  auto path = spec.path;
  k_.commands.add(std::move(spec), Pinned<CommandHandler>{library_, std::move(handler)});
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

void PluginWorkflows::add_action(std::string name, ActionSpec spec, ActionFunction fn) {
  engine_.add_action(name, std::move(spec), Pinned<ActionFunction>{library_, std::move(fn)});
  actions_.push_back(std::move(name));
}

void PluginWorkflows::remove_action(std::string_view name) {
  // Only its own: a plugin must not take away the kernel's or another
  // plugin's actions.
  if (std::erase(actions_, name) > 0) engine_.remove_action(name);
}

void PluginWorkflows::add_condition(std::string name, ConditionSpec spec, ConditionFunction fn) {
  engine_.add_condition(name, std::move(spec), Pinned<ConditionFunction>{library_, std::move(fn)});
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
