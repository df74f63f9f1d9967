// The engine's registry: definitions (validated, versioned, their triggers
// filed in the index), the actions and named conditions steps call, and the
// channel sinks send_message uses.
#include <algorithm>
#include <functional>

#include "crm/error.hpp"
#include "json_depth.hpp"
#include "known_providers.hpp"
#include "workflow_runtime.hpp"

namespace crm::core {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Checks `given` (the step's params, a condition's args; located at `path`)
// against the declared parameters of `what` ("action 'x'") with the SDK's
// check_params, the one the command registry uses too; templates
// ("{{vars.x}}") stand for a value of any type.
void check_declared(const std::vector<ParamSpec>& declared, bool open, const Json& given,
                    const std::string& path, const std::string& what,
                    std::vector<DefinitionError>& errors) {
  ParamCheckOptions check;
  check.allow_templates = true;
  check.allow_unknown = open;
  std::vector<std::string> names;
  for (const ParamSpec& ps : declared) names.push_back(ps.name);
  for (const ParamProblem& pp : check_params(declared, given, check)) {
    using K = ParamProblem::Kind;
    std::string message = pp.message;
    if (pp.kind == K::kMissing) {
      const auto spec = std::find_if(declared.begin(), declared.end(),
                                     [&](const ParamSpec& p) { return p.name == pp.name; });
      message = "required by " + what + " (" + (spec == declared.end() ? "" : spec->help) + ")";
    } else if (pp.kind == K::kUnknown) {
      message = "unknown parameter of " + what + " (it takes: " + join(names) + ")";
    }
    errors.push_back({path + (pp.name.empty() ? "" : "." + pp.name), message});
  }
}

// A step's value as a string when it is one, else "" (validate() reports
// the wrong type at its path; the walk must not throw on it).
std::string string_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Document order of two JSON paths: "$.steps[2]" before "$.steps[10]".
bool path_before(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t x = 0, y = 0;
      while (i < a.size() && digit(a[i])) x = x * 10 + static_cast<std::size_t>(a[i++] - '0');
      while (j < b.size() && digit(b[j])) y = y * 10 + static_cast<std::size_t>(b[j++] - '0');
      if (x != y) return x < y;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

// What a named condition sees.
class WorkflowRuntime::ConditionScope final : public ConditionContext {
 public:
  ConditionScope(const WorkflowRuntime& rt, const Json& facts) : rt_(rt), facts_(facts) {}
  const Json& facts() const override { return facts_; }
  std::optional<CustomerId> customer_id() const override {
    for (const char* root : {"instance", "event"}) {
      const Json* id = lookup_fact(facts_, std::string(root) + ".customer_id");
      if (id && id->is_number_integer()) return id->get<CustomerId>();
    }
    return std::nullopt;
  }
  Store& store() override { return rt_.s_.store; }
  const Clock& clock() const override { return rt_.s_.clock; }

 private:
  const WorkflowRuntime& rt_;
  const Json& facts_;
};

// --- definitions ---

bool WorkflowRuntime::plugin_loaded(const std::string& plugin) const {
  // A plugin's registrations go when it stops, so one with none is not
  // loaded (as far as workflows can tell).
  return provides_any(actions_, plugin) || provides_any(conditions_, plugin);
}

std::string WorkflowRuntime::unknown_message(const char* what, const std::string& name) const {
  const std::string plugin = provider_of(name);
  if (!plugin.empty() && !plugin_loaded(plugin)) {
    return std::string("unknown ") + what + " '" + name + "': it is registered by the " + plugin +
           " plugin, which is not loaded";
  }
  return std::string("unknown ") + what + " '" + name + "'";
}

void WorkflowRuntime::check_named_conditions(const Json& condition, const std::string& path,
                                             std::vector<DefinitionError>& errors) const {
  for_each_named_condition(
      condition, path, [&](const std::string& name, const Json& args, const std::string& at) {
        const auto it = conditions_.find(name);
        if (it == conditions_.end()) {
          if (!name.empty())
            errors.push_back({at + ".condition", unknown_message("condition", name)});
          return;
        }
        check_declared(it->second.spec.params, it->second.spec.open_params, args, at + ".args",
                       "condition '" + name + "'", errors);
      });
}

std::vector<DefinitionError> WorkflowRuntime::validate(const Json& definition) const {
  std::vector<DefinitionError> errors = check_workflow_json(definition);
  if (!definition.is_object()) return errors;
  // Too deep to walk safely: check_workflow_json() said where, and nothing else.
  if (core::too_deep_at(definition, kMaxDefinitionDepth)) return errors;
  const std::string self = string_at(definition, "name");
  if (const auto t = definition.find("trigger"); t != definition.end() && t->is_object()) {
    if (t->contains("condition")) {
      check_named_conditions((*t)["condition"], "$.trigger.condition", errors);
    }
  }
  // Walks the JSON rather than a parsed definition, so that actions are
  // checked even when the structure has errors elsewhere.
  std::function<void(const Json&, const std::string&)> walk = [&](const Json& block,
                                                                  const std::string& path) {
    if (!block.is_array()) return;
    for (std::size_t i = 0; i < block.size(); ++i) {
      const Json& step = block[i];
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (!step.is_object()) continue;
      const std::string type = string_at(step, "type");
      if (type == "action" && step.contains("action") && step["action"].is_string()) {
        const std::string name = step["action"].get<std::string>();
        const auto it = actions_.find(name);
        if (it == actions_.end()) {
          if (!name.empty()) errors.push_back({p + ".action", unknown_message("action", name)});
        } else {
          const Json params = step.contains("params") ? step["params"] : Json::object();
          check_declared(it->second.spec.params, it->second.spec.open_params, params, p + ".params",
                         "action '" + name + "'", errors);
        }
      }
      if (type == "workflow" && step.contains("workflow") && step["workflow"].is_string()) {
        const std::string name = step["workflow"].get<std::string>();
        if (!name.empty() && name != self && !installed_.count(name)) {
          errors.push_back({p + ".workflow", "unknown workflow '" + name + "' (install it first)"});
        }
      }
      if ((type == "branch" || type == "wait") && step.contains("condition")) {
        check_named_conditions(step["condition"], p + ".condition", errors);
      }
      for (const std::string_view nested : kNestedBlocks) {
        const std::string key(nested);
        if (step.contains(key)) walk(step[key], p + "." + key);
      }
    }
  };
  if (definition.contains("steps")) walk(definition["steps"], "$.steps");
  std::stable_sort(errors.begin(), errors.end(),
                   [](const DefinitionError& a, const DefinitionError& b) {
                     return path_before(a.path, b.path);
                   });
  return errors;
}

int WorkflowRuntime::install(const Json& json) {
  const auto errors = validate(json);
  if (!errors.empty()) {
    std::string message = "invalid workflow definition";
    if (json.is_object() && json.contains("name") && json["name"].is_string()) {
      message += " '" + json["name"].get<std::string>() + "'";
    }
    message += ":";
    for (const auto& e : errors) {
      message += '\n';
      message += to_string(e);
    }
    throw InvalidInput(message);
  }
  WorkflowDefinition d = parse_workflow(json);
  // "version" is what `workflows show` prints, not part of the process:
  // installing that output again is installing the same definition.
  Json stored_json = json;
  stored_json.erase("version");
  Transaction tx(s_.db);
  const int latest = rows_.latest_version(d.name);
  int version = latest;
  if (latest == 0 || rows_.load_definition(d.name, latest) != stored_json) {
    version = latest + 1;
    rows_.save_definition(d.name, version, stored_json, s_.clock.now());
  }
  rows_.set_installed(d.name, version);
  tx.commit();
  const Definition stored = version_of(d.name, version);
  installed_[d.name].definition = stored;
  subscribe(d.name);
  return version;
}

bool WorkflowRuntime::uninstall(std::string_view name) {
  const auto it = installed_.find(name);
  if (it == installed_.end()) return false;
  if (it->second.trigger) {
    it->second.trigger->live = false;
    triggers_.remove(it->second.trigger.get());
  }
  const std::string key = it->first;
  installed_.erase(it);
  rows_.remove_installed(key);
  InstanceQuery q;
  q.workflow = key;
  for (const auto& inst : rows_.query(q)) {
    if (is_active(inst.state)) cancel(inst.id);
  }
  return true;
}

std::vector<WorkflowDefinition> WorkflowRuntime::definitions() const {
  std::vector<WorkflowDefinition> out;
  for (const auto& [name, in] : installed_) out.push_back(*in.definition);
  return out;
}

WorkflowDefinition WorkflowRuntime::definition(std::string_view name) const {
  const auto it = installed_.find(name);
  if (it == installed_.end()) {
    throw NotFound("workflow '" + std::string(name) + "' is not installed");
  }
  return *it->second.definition;
}

std::string WorkflowRuntime::export_chart(std::string_view name, ChartFormat format) const {
  const WorkflowDefinition d = definition(name);
  return format == ChartFormat::kMermaid ? to_mermaid(d) : to_dot(d);
}

WorkflowRuntime::Definition WorkflowRuntime::version_of(const std::string& name, int version) {
  const auto key = std::make_pair(name, version);
  if (const auto it = versions_.find(key); it != versions_.end()) return it->second;
  const auto json = rows_.load_definition(name, version);
  if (!json) return nullptr;
  auto d = std::make_shared<WorkflowDefinition>(parse_workflow(*json));
  d->version = version;
  versions_[key] = d;
  return d;
}

void WorkflowRuntime::subscribe(const std::string& name) {
  Installed& in = installed_.at(name);
  if (in.trigger) {
    in.trigger->live = false;
    triggers_.remove(in.trigger.get());
  }
  in.trigger = nullptr;
  const Definition& d = in.definition;
  if (d->trigger.event.empty()) return;
  auto t = std::make_shared<Trigger>();
  // The order of a bus subscriber named "workflow:<name>" with the
  // definition's priority, among the workflows and the plugins' handlers.
  t->priority = d->priority;
  t->name = std::string("workflow:").append(name);
  t->id = s_.bus.next_id();
  t->runtime = this;
  t->definition = d;
  t->needs_customer = mentions_customer(d->trigger.condition);
  t->condition = CompiledCondition(d->trigger.condition);
  in.trigger = t;
  triggers_.add(d->trigger.event, d->trigger.condition, std::move(t));
}

// --- actions, conditions and channels ---

void WorkflowRuntime::add_action(std::string name, ActionSpec spec, ActionFunction fn) {
  if (name.empty() || !fn) throw InvalidInput("add_action: empty name or function");
  if (actions_.count(name)) {
    throw InvalidInput("workflow action '" + name + "' is already registered");
  }
  actions_.emplace(std::move(name),
                   Action{std::move(spec), std::make_shared<const ActionFunction>(std::move(fn))});
}

void WorkflowRuntime::remove_action(std::string_view name) {
  if (const auto it = actions_.find(name); it != actions_.end()) actions_.erase(it);
}

std::vector<std::pair<std::string, ActionSpec>> WorkflowRuntime::actions() const {
  std::vector<std::pair<std::string, ActionSpec>> out;
  for (const auto& [name, a] : actions_) out.emplace_back(name, a.spec);
  return out;
}

void WorkflowRuntime::add_condition(std::string name, ConditionSpec spec, ConditionFunction fn) {
  if (name.empty() || !fn) throw InvalidInput("add_condition: empty name or function");
  if (conditions_.count(name)) {
    throw InvalidInput("workflow condition '" + name + "' is already registered");
  }
  conditions_.emplace(
      std::move(name),
      Condition{std::move(spec), std::make_shared<const ConditionFunction>(std::move(fn))});
}

void WorkflowRuntime::remove_condition(std::string_view name) {
  if (const auto it = conditions_.find(name); it != conditions_.end()) conditions_.erase(it);
}

std::vector<std::pair<std::string, ConditionSpec>> WorkflowRuntime::conditions() const {
  std::vector<std::pair<std::string, ConditionSpec>> out;
  for (const auto& [name, c] : conditions_) out.emplace_back(name, c.spec);
  return out;
}

bool WorkflowRuntime::test(const std::string& name, const Json& args, const Json& facts) const {
  const auto it = conditions_.find(name);
  if (it == conditions_.end()) throw NotFound(unknown_message("condition", name));
  const auto fn = it->second.fn;  // survives remove_condition() inside the call
  ConditionScope scope(*this, facts);
  return (*fn)(scope, args);
}

void WorkflowRuntime::set_channel(std::string channel, std::shared_ptr<ChannelSink> sink) {
  if (!sink) {
    channels_.erase(channel);
    return;
  }
  channels_[std::move(channel)] = std::move(sink);
}

std::shared_ptr<ChannelSink> WorkflowRuntime::channel_sink(std::string_view channel) const {
  const auto it = channels_.find(channel);
  return it == channels_.end() ? nullptr : it->second;
}

ChannelSink& WorkflowRuntime::channel(const std::string& channel) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) it = channels_.find("*");
  return it == channels_.end() ? *default_sink_ : *it->second;
}

Actor WorkflowRuntime::actor_of(const WorkflowInstance& inst) const {
  return Actor{Actor::Kind::kWorkflow, inst.workflow + "#" + std::to_string(inst.id)};
}

}  // namespace crm::core
