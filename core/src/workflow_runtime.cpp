#include "workflow_runtime.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "json_depth.hpp"
#include "workflow_actions.hpp"

namespace crm::core {
namespace {

// A position in a definition: the root block "steps", then the nested block
// names ("then", "else", "on_timeout"), each with the index of a step.
using Position = std::vector<std::pair<std::string, std::size_t>>;

std::string format_position(const Position& p) {
  std::string out = "$";
  for (const auto& [block, index] : p) {
    out += '.';
    out += block;
    out += '[';
    out += std::to_string(index);
    out += ']';
  }
  return p.empty() ? std::string() : out;
}

Position parse_position(std::string_view text) {
  Position p;
  if (text.empty()) return p;
  if (!text.starts_with("$")) throw StoreError("bad workflow position '" + std::string(text) + "'");
  text.remove_prefix(1);
  while (!text.empty()) {
    const auto open = text.find('[');
    const auto close = text.find(']');
    if (text.front() != '.' || open == std::string_view::npos || close == std::string_view::npos ||
        close < open) {
      throw StoreError("bad workflow position '" + std::string(text) + "'");
    }
    std::size_t index = 0;
    std::from_chars(text.data() + open + 1, text.data() + close, index);
    p.emplace_back(std::string(text.substr(1, open - 1)), index);
    text.remove_prefix(close + 1);
  }
  return p;
}

const std::vector<WorkflowStep>& block_at(const WorkflowDefinition& d, const Position& p,
                                          std::size_t depth) {
  const std::vector<WorkflowStep>* block = &d.steps;
  for (std::size_t i = 0; i < depth; ++i) {
    const WorkflowStep& s = block->at(p[i].second);
    block = s.block(p[i + 1].first);
    if (!block) throw StoreError("workflow position names an unknown block");
  }
  return *block;
}

const WorkflowStep& step_at(const WorkflowDefinition& d, const Position& p) {
  return block_at(d, p, p.size() - 1).at(p.back().second);
}

// Moves past the step at `p`; leaving a nested block finishes the step that
// holds it. An empty position means the process has ended.
void advance(const WorkflowDefinition& d, Position& p) {
  while (!p.empty()) {
    const auto& block = block_at(d, p, p.size() - 1);
    if (p.back().second + 1 < block.size()) {
      ++p.back().second;
      return;
    }
    p.pop_back();
  }
}

Json change_facts(const Json& payload, const char* which) {
  Json out = Json::object();
  if (!payload.is_object()) return out;
  const auto changes = payload.find("changes");
  if (changes == payload.end() || !changes->is_object()) return out;
  for (auto it = changes->begin(); it != changes->end(); ++it) {
    if (it->is_object() && it->contains(which)) out[it.key()] = (*it)[which];
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

const ParamSpec& find_param(const ActionSpec& spec, const std::string& name) {
  return *std::find_if(spec.params.begin(), spec.params.end(),
                       [&](const ParamSpec& p) { return p.name == name; });
}

// The plugin an action belongs to by its name ("retention.score" to
// "retention"), or "" for a kernel action. python_rule and python.* are the
// python_rules plugin's.
std::string plugin_of(std::string_view action) {
  if (action == "python_rule" || action.starts_with("python.")) return "python_rules";
  const auto dot = action.find('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  return std::string(action.substr(0, dot));
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

// What an action sees: the instance and the kernel's services.
class WorkflowRuntime::StepContext final : public ActionContext {
 public:
  StepContext(WorkflowRuntime& rt, const WorkflowInstance& inst) : rt_(rt), inst_(inst) {}
  InstanceId instance_id() const override { return inst_.id; }
  const std::string& workflow() const override { return inst_.workflow; }
  std::optional<CustomerId> customer_id() const override { return inst_.customer_id; }
  Customer customer() override {
    if (!inst_.customer_id) {
      throw InvalidInput("workflow instance " + std::to_string(inst_.id) + " has no customer");
    }
    return rt_.s_.store.customers().get(*inst_.customer_id);
  }
  const Json& variables() const override { return inst_.variables; }
  Store& store() override { return rt_.s_.store; }
  EventBus& bus() override { return rt_.s_.bus; }
  const Clock& clock() const override { return rt_.s_.clock; }
  Logger& log() override { return rt_.s_.log; }
  Actor actor() const override { return rt_.actor_of(inst_); }
  Delivery send(const OutboundMessage& m) override {
    return deliver(m, rt_.channel(m.channel), rt_.s_.store, actor());
  }

 private:
  WorkflowRuntime& rt_;
  const WorkflowInstance& inst_;
};

WorkflowRuntime::WorkflowRuntime(WorkflowServices services) : s_(services), rows_(services.db) {}

WorkflowRuntime::~WorkflowRuntime() {
  for (const auto& [name, in] : installed_) {
    if (in.subscription) s_.bus.unsubscribe(in.subscription);
  }
  for (const auto id : own_subscriptions_) s_.bus.unsubscribe(id);
  if (timer_handler_) s_.scheduler.remove_handler(timer_handler_);
}

void WorkflowRuntime::open() {
  if (open_) return;
  open_ = true;
  s_.db.migrate("workflows", WorkflowStore::migrations());
  register_builtin_actions(*this);
  default_sink_ = make_interaction_sink();

  // A timer fires inside the scheduler's transaction, but an instance must
  // run its steps in transactions of its own: the events its steps cause
  // are dispatched at each step's commit, while the engine still knows which
  // instance caused them (the self-retrigger and depth guards need that).
  // So the handler only publishes kResumeDueEvent, whose after-commit
  // delivery advances the instance. recover() covers a crash in between.
  timer_handler_ = s_.scheduler.on(kResumeTimerKind, [this](const Timer& t) {
    s_.bus.publish(
        Event{kResumeDueEvent, s_.clock.now(), t.customer_id,
              Json{{"instance", t.payload.value("instance", std::int64_t{0})}, {"timer", t.id}}});
  });
  SubscriberOptions engine;
  engine.name = "workflow-engine";
  own_subscriptions_.push_back(s_.bus.subscribe(kResumeDueEvent, engine, [this](const Event& e) {
    const InstanceId id = e.payload.value("instance", std::int64_t{0});
    if (e.payload.value("start", false)) {
      enqueue({Work::Kind::kRun, id, 0, nullptr, ""});
    } else {
      enqueue({Work::Kind::kTimer, id, e.payload.value("timer", std::int64_t{0}), nullptr, ""});
    }
    drain();
  }));
  own_subscriptions_.push_back(s_.bus.subscribe(events::kTaskCompleted, engine,
                                                [this](const Event& e) { on_task_ended(e); }));
  // A cancelled task ends its wait too (nobody has to do it any more): the
  // process goes on and `save_as` says how the task ended.
  own_subscriptions_.push_back(s_.bus.subscribe(events::kTaskCancelled, engine,
                                                [this](const Event& e) { on_task_ended(e); }));
  SubscriberOptions merge = engine;
  merge.phase = Phase::kBeforeCommit;
  own_subscriptions_.push_back(
      s_.bus.subscribe(events::kCustomerMerged, merge, [this](const Event& e) {
        rows_.move_customer(e.payload.at("merged").get<CustomerId>(),
                            e.payload.at("kept").get<CustomerId>());
      }));

  for (const auto& [name, version] : rows_.installed()) {
    const Definition d = version_of(name, version);
    if (!d) continue;
    installed_[name] = Installed{d, 0, nullptr};
  }
  for (const auto& type : rows_.waited_event_types()) watch_event_type(type);
}

void WorkflowRuntime::activate() {
  for (const auto& [name, in] : installed_) {
    if (!in.subscription) subscribe(name);
  }
}

int WorkflowRuntime::recover() { return recover(Seconds{60}); }

int WorkflowRuntime::recover(Seconds idle) {
  if (idle < Seconds{1}) throw InvalidInput("recover: the idle time must be at least 1 second");
  // An instance another process is running right now is "running" too; one
  // untouched for `idle` was left by a process that died (and so was one
  // written "later than now" by a `run-due --now` replay that died). (Should a slow
  // step still be alive, the revision check makes one of the two give up.)
  const std::size_t before = queue_.size();
  const TimePoint now = s_.clock.now();
  for (const auto id : rows_.running(now - idle, now + idle)) {
    enqueue({Work::Kind::kRun, id, 0, nullptr, ""});
  }
  for (const auto& [id, timer] : rows_.fired_timer_waits()) {
    enqueue({Work::Kind::kTimer, id, timer, nullptr, ""});
  }
  for (const auto& [id, task] : rows_.done_task_waits()) {
    enqueue({Work::Kind::kTask, id, task, nullptr, ""});
  }
  for (const auto& [id, child] : rows_.ended_child_waits()) {
    enqueue({Work::Kind::kChild, id, child, nullptr, ""});
  }
  const int taken = static_cast<int>(queue_.size() - before);
  if (taken > 0) {
    s_.log.warning("workflows", "recovering " + std::to_string(taken) +
                                    " instance(s) left half-done by an earlier process");
  }
  int resumed = 0;
  for (const auto& [id, action] : rows_.plugin_waits()) {
    if (!actions_.count(action)) continue;  // its plugin is still not loaded
    enqueue({Work::Kind::kPlugin, id, 0, nullptr, ""});
    ++resumed;
  }
  if (resumed > 0) {
    s_.log.info("workflows", "resuming " + std::to_string(resumed) +
                                 " instance(s) whose plugin is loaded again");
  }
  drain();
  return taken + resumed;
}

// --- definitions ---

bool WorkflowRuntime::plugin_loaded(const std::string& plugin) const {
  // A plugin's actions go when it stops, so one with none registered is
  // not loaded (as far as workflows can tell).
  if (plugin == "python_rules" && actions_.count("python_rule")) return true;
  const std::string prefix = (plugin == "python_rules" ? std::string("python") : plugin) + ".";
  const auto it = actions_.lower_bound(prefix);
  return it != actions_.end() && it->first.starts_with(prefix);
}

std::string WorkflowRuntime::unknown_action_message(const std::string& name) const {
  const std::string plugin = plugin_of(name);
  if (!plugin.empty() && !plugin_loaded(plugin)) {
    return "unknown action '" + name + "': it is registered by the " + plugin +
           " plugin, which is not loaded";
  }
  return "unknown action '" + name + "'";
}

std::vector<DefinitionError> WorkflowRuntime::validate(const Json& definition) const {
  std::vector<DefinitionError> errors = check_workflow_json(definition);
  if (!definition.is_object()) return errors;
  // Too deep to walk safely: check_workflow_json() said where, and nothing else.
  if (core::too_deep_at(definition, kMaxDefinitionDepth)) return errors;
  const std::string self = string_at(definition, "name");
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
          if (!name.empty()) errors.push_back({p + ".action", unknown_action_message(name)});
        } else {
          const ActionSpec& spec = it->second.spec;
          const Json params = step.contains("params") ? step["params"] : Json::object();
          ParamCheckOptions check;
          check.allow_templates = true;
          check.allow_unknown = spec.open_params;
          for (const ParamProblem& pp : check_params(spec.params, params, check)) {
            using K = ParamProblem::Kind;
            std::string names;
            for (const ParamSpec& ps : spec.params) names += (names.empty() ? "" : ", ") + ps.name;
            std::string message = pp.message;
            if (pp.kind == K::kMissing) {
              message =
                  "required by action '" + name + "' (" + find_param(spec, pp.name).help + ")";
            } else if (pp.kind == K::kUnknown) {
              message = "unknown parameter of action '" + name + "' (it takes: " + names + ")";
            }
            errors.push_back({p + ".params" + (pp.name.empty() ? "" : "." + pp.name), message});
          }
        }
      }
      if (type == "workflow" && step.contains("workflow") && step["workflow"].is_string()) {
        const std::string name = step["workflow"].get<std::string>();
        if (!name.empty() && name != self && !installed_.count(name)) {
          errors.push_back({p + ".workflow", "unknown workflow '" + name + "' (install it first)"});
        }
      }
      for (const char* nested : {"then", "else", "on_timeout"}) {
        if (step.contains(nested)) walk(step[nested], p + "." + nested);
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
  if (it->second.subscription) s_.bus.unsubscribe(it->second.subscription);
  if (it->second.trigger) it->second.trigger->live = false;
  const std::string key = it->first;
  installed_.erase(it);
  rows_.remove_installed(key);
  InstanceQuery q;
  q.workflow = key;
  for (const auto& inst : rows_.query(q)) {
    if (is_active_state(inst.state)) cancel(inst.id);
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
  if (in.subscription) s_.bus.unsubscribe(in.subscription);
  if (in.trigger) in.trigger->live = false;
  in.subscription = 0;
  in.trigger = nullptr;
  const Definition& d = in.definition;
  if (d->trigger.event.empty()) return;
  in.trigger = std::make_shared<Trigger>(
      Trigger{d, mentions_customer(d->trigger.condition), CompiledCondition(d->trigger.condition)});
  SubscriberOptions o;
  o.name = std::string("workflow:").append(name);
  o.priority = d->priority;
  o.phase = Phase::kAfterCommit;
  in.subscription = s_.bus.subscribe(d->trigger.event, o, [this, t = in.trigger](const Event& e) {
    if (t->live) on_trigger(*t, e);
  });
}

// --- actions and channels ---

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

// --- facts ---

const Json& WorkflowRuntime::event_facts(const Event& e, bool with_customer) {
  // The same dispatch and object: the same event seen by the next workflow
  // (a new event may come at a reused address, but never in one dispatch).
  const std::uint64_t dispatch = s_.bus.current_dispatch();
  if (dispatch == 0 || facts_dispatch_ != dispatch || facts_event_ != &e) {
    facts_ = Json{{"event", to_json(e)},
                  {"old", change_facts(e.payload, "old")},
                  {"new", change_facts(e.payload, "new")}};
    facts_event_ = &e;
    facts_dispatch_ = dispatch;
  }
  if (with_customer && e.customer_id) {
    const std::int64_t changes = sqlite3_total_changes64(s_.db.handle());
    if (cached_customer_id_ != e.customer_id || cached_at_changes_ != changes) {
      const auto c = s_.store.customers().find(*e.customer_id);
      cached_customer_ = c ? to_json(*c) : Json();
      cached_customer_id_ = e.customer_id;
      cached_at_changes_ = changes;
    }
    facts_["customer"] = cached_customer_;
  } else {
    facts_.erase("customer");
  }
  return facts_;
}

Json WorkflowRuntime::facts_for(const WorkflowInstance& inst, bool with_customer) {
  const Json trigger = inst.variables.value("trigger", Json());
  const Json payload = trigger.is_object() ? trigger.value("payload", Json()) : Json();
  Json facts{{"vars", inst.variables},
             {"event", trigger},
             {"old", change_facts(payload, "old")},
             {"new", change_facts(payload, "new")},
             {"instance", {{"id", inst.id}, {"workflow", inst.workflow}}},
             {"now", format_time(s_.clock.now())}};
  if (with_customer && inst.customer_id) {
    if (const auto c = s_.store.customers().find(*inst.customer_id))
      facts["customer"] = to_json(*c);
  }
  return facts;
}

// --- triggers and resumptions ---

void WorkflowRuntime::on_trigger(const Trigger& t, const Event& e) {
  // The engine's own resume events are plumbing, not business events: a
  // trigger of "*" or "workflow.*" must not start on them.
  if (e.type == kResumeDueEvent) return;
  const Definition d = t.definition;  // a copy: the trigger may be replaced meanwhile
  const std::string& name = d->name;
  static const std::vector<std::string> kNoCause;
  const std::vector<std::string>& cause = frames_.empty() ? kNoCause : frames_.back().chain;
  if (!d->retrigger_self && std::find(cause.begin(), cause.end(), name) != cause.end()) {
    s_.log.write(Logger::Level::kDebug, "workflows",
                 "workflow " + name + " not started by its own write (" + e.type + ")");
    return;
  }
  if (static_cast<int>(cause.size()) + 1 > max_depth_) {
    s_.log.warning("workflows", "cascade depth " + std::to_string(max_depth_) +
                                    " reached: workflow " + name + " not started by " + e.type +
                                    " (chain " + join(cause) + ")");
    return;
  }
  if (!d->trigger.condition.is_null() && !t.condition(event_facts(e, t.needs_customer))) {
    return;
  }
  if (!d->allow_parallel && e.customer_id && rows_.has_active(name, *e.customer_id)) return;
  Json vars = d->variables;
  vars["trigger"] = to_json(e);
  std::vector<std::string> chain = cause;
  chain.push_back(name);
  WorkflowInstance inst =
      make_instance(*d, e.customer_id, std::move(vars), std::nullopt, std::move(chain));
  if (!draining_ && !s_.db.in_transaction()) {
    // Nothing else is running: the instance runs now and its row is written
    // with its first step, in that step's transaction.
    run_now(inst, *d);
    return;
  }
  // Caused by a step (or inside a transaction): stored now, so the
  // one-per-customer guard sees it, and run once the current work is done.
  store_if_new(inst);
  enqueue({Work::Kind::kRun, inst.id, 0, nullptr, ""});
  drain();
}

void WorkflowRuntime::run_now(WorkflowInstance& inst, const WorkflowDefinition& d) {
  draining_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{draining_};
  try {
    run(inst, d);
  } catch (const InstanceMoved& e) {
    s_.log.info("workflows", e.what());
  } catch (const std::exception& e) {
    s_.log.error("workflows", "workflow " + d.name + " could not start: " + e.what());
  }
  reset.flag = false;
  drain();
}

void WorkflowRuntime::on_task_ended(const Event& e) {
  const std::string link = e.payload.value("link", "");
  if (!link.starts_with("workflow:")) return;
  InstanceId id = 0;
  const auto [p, ec] = std::from_chars(link.data() + 9, link.data() + link.size(), id);
  if (ec != std::errc{} || id <= 0) return;
  enqueue({Work::Kind::kTask, id, e.payload.value("task_id", std::int64_t{0}), nullptr, ""});
  drain();
}

void WorkflowRuntime::watch_event_type(const std::string& type) {
  if (!watched_events_.insert(type).second) return;
  SubscriberOptions o;
  o.name = "workflow-engine.waits";
  own_subscriptions_.push_back(
      s_.bus.subscribe(type, o, [this](const Event& e) { on_waited_event(e); }));
}

void WorkflowRuntime::on_waited_event(const Event& e) {
  const Json event = to_json(e);
  for (const InstanceId id : rows_.waiting_for_event(e.type, e.customer_id)) {
    const auto inst = rows_.find(id);
    if (!inst || inst->state != "waiting") continue;
    const Definition d = version_of(inst->workflow, inst->version);
    if (!d) continue;
    const WorkflowStep& s = step_at(*d, parse_position(inst->position));
    if (!s.event_condition.is_null()) {
      Json facts = facts_for(*inst, mentions_customer(s.event_condition));
      facts["event"] = event;
      facts["old"] = change_facts(e.payload, "old");
      facts["new"] = change_facts(e.payload, "new");
      if (!evaluate_condition(s.event_condition, facts)) continue;
    }
    enqueue({Work::Kind::kEvent, id, 0, event, inst->position});
  }
  drain();
}

WorkflowInstance WorkflowRuntime::make_instance(const WorkflowDefinition& d,
                                                std::optional<CustomerId> customer, Json variables,
                                                std::optional<InstanceId> parent,
                                                std::vector<std::string> chain) const {
  WorkflowInstance inst;
  inst.workflow = d.name;
  inst.version = d.version;
  inst.customer_id = customer;
  inst.state = "running";
  inst.position = "$.steps[0]";
  inst.variables = std::move(variables);
  inst.parent_id = parent;
  inst.chain = std::move(chain);
  inst.started_at = inst.updated_at = s_.clock.now();
  return inst;
}

void WorkflowRuntime::store_if_new(WorkflowInstance& inst) {
  if (inst.id != 0) return;
  Transaction tx(s_.db);
  const InstanceId id = rows_.insert(inst);
  Json detail{{"version", inst.version}, {"chain", inst.chain}};
  if (inst.parent_id) detail["parent"] = *inst.parent_id;
  rows_.add_history({id, inst.started_at, "", "instance", "started", detail});
  tx.commit();
  inst.id = id;  // only once it is stored (or, inside a caller's transaction, will be)
  inst.revision = 0;
}

InstanceId WorkflowRuntime::create(const WorkflowDefinition& d, std::optional<CustomerId> customer,
                                   Json variables, std::optional<InstanceId> parent,
                                   std::vector<std::string> chain) {
  WorkflowInstance inst =
      make_instance(d, customer, std::move(variables), parent, std::move(chain));
  store_if_new(inst);
  return inst.id;
}

InstanceId WorkflowRuntime::start(std::string_view name, std::optional<CustomerId> customer,
                                  const Json& variables) {
  const auto it = installed_.find(name);
  if (it == installed_.end()) {
    throw NotFound("workflow '" + std::string(name) + "' is not installed");
  }
  const Definition d = it->second.definition;
  if (!d->allow_parallel && customer && rows_.has_active(d->name, *customer)) {
    throw InvalidInput("workflow '" + d->name + "' already has an active instance for customer " +
                       std::to_string(*customer) + " (set allow_parallel to run several)");
  }
  if (customer) (void)s_.store.customers().get(*customer);  // NotFound for a bad id
  Json vars = d->variables;
  if (variables.is_object()) vars.update(variables);
  std::vector<std::string> chain =
      frames_.empty() ? std::vector<std::string>{} : frames_.back().chain;
  chain.push_back(d->name);
  WorkflowInstance inst =
      make_instance(*d, customer, std::move(vars), std::nullopt, std::move(chain));
  if (!draining_ && !s_.db.in_transaction()) {
    run_now(inst, *d);  // stored with its first step
    return inst.id;
  }
  store_if_new(inst);
  if (!draining_) {
    // Started inside the caller's transaction: the instance runs once that
    // commits (and never, with its row, if it rolls back), so its steps get
    // transactions of their own and its events the guards.
    s_.bus.publish(Event{kResumeDueEvent, s_.clock.now(), customer,
                         Json{{"instance", inst.id}, {"start", true}}});
    return inst.id;
  }
  enqueue({Work::Kind::kRun, inst.id, 0, nullptr, ""});  // after the step that started it
  drain();
  return inst.id;
}

bool WorkflowRuntime::cancel(InstanceId id) {
  auto inst = rows_.find(id);
  if (!inst || !is_active_state(inst->state)) return false;
  if (std::any_of(frames_.begin(), frames_.end(),
                  [&](const Frame& f) { return f.instance == id; })) {
    // One of its own steps is running (this is a call from inside it):
    // writing now would be overwritten when the step saves; run() ends the
    // instance once the step is done.
    cancel_requested_.emplace(id, 0);
    return true;
  }
  Transaction tx(s_.db);
  end_wait(*inst);
  finish(*inst, "cancelled");
  tx.commit();
  drain();
  return true;
}

void WorkflowRuntime::end_wait(const WorkflowInstance& inst) {
  const Json& wait = inst.wait;
  if (!wait.is_object()) return;
  if (wait.contains("timer")) s_.scheduler.cancel(wait["timer"].get<TimerId>());
  if (wait.value("kind", "") == "task") {
    const TaskId task = wait.value("task", TaskId{0});
    const auto t = s_.store.tasks().find(task);
    if (t && t->status == Task::Status::kOpen) s_.store.tasks().cancel(task, actor_of(inst));
  }
  if (wait.value("kind", "") == "workflow") {
    auto child = rows_.find(wait.value("child", InstanceId{0}));
    if (child && is_active_state(child->state) &&
        std::any_of(frames_.begin(), frames_.end(),
                    [&](const Frame& f) { return f.instance == child->id; })) {
      // It is running a step (this cancel comes from inside it): it ends
      // after that step, if the step, and with it this cancel, commits.
      cancel_requested_.emplace(child->id, inst.id);
    } else if (child && is_active_state(child->state)) {
      end_wait(*child);
      child->parent_id.reset();  // the parent is ending already
      finish(*child, "cancelled");
    }
  }
}

void WorkflowRuntime::enqueue(Work w) { queue_.push_back(std::move(w)); }

// Runs queued work until none is left. Re-entrant calls (an event caused by
// a step starts another workflow) only enqueue: the new instance runs once
// the current one waits or ends, so the stack stays flat.
void WorkflowRuntime::drain() {
  if (draining_) return;
  draining_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{draining_};
  while (!queue_.empty()) {
    const Work w = std::move(queue_.front());
    queue_.pop_front();
    try {
      take_up(w);
    } catch (const InstanceMoved& e) {
      s_.log.info("workflows", e.what());
    } catch (const std::exception& e) {
      s_.log.error("workflows",
                   "instance " + std::to_string(w.instance) + " could not advance: " + e.what());
    }
  }
}

void WorkflowRuntime::save(WorkflowInstance& inst, const std::string& position,
                           const std::string& type, const std::string& outcome, Json detail) {
  inst.updated_at = s_.clock.now();
  Transaction tx(s_.db);
  store_if_new(inst);
  rows_.update(inst);
  rows_.add_history({inst.id, inst.updated_at, position, type, outcome, std::move(detail)});
  tx.commit();
}

void WorkflowRuntime::take_up(const Work& w) {
  auto found = rows_.find(w.instance);
  if (!found || !is_active_state(found->state)) return;
  WorkflowInstance inst = std::move(*found);
  const Definition d = version_of(inst.workflow, inst.version);
  if (!d) {
    finish(inst, "failed", "definition version " + std::to_string(inst.version) + " is missing");
    return;
  }
  Position pos = parse_position(inst.position);
  const std::string here = inst.position;
  const Json wait = inst.wait;
  const std::string kind = wait.is_object() ? wait.value("kind", "") : "";
  const auto cancel_timer = [&] {
    if (wait.is_object() && wait.contains("timer")) {
      s_.scheduler.cancel(wait["timer"].get<TimerId>());
    }
  };
  std::string type = kind.empty() ? "instance" : kind;
  std::string outcome;
  Json detail = Json::object();
  if (w.kind == Work::Kind::kRun) {
    if (inst.state == "running") run(inst, *d);
    return;
  }
  // Cancelling the wait's timer and moving on commit together.
  Transaction tx(s_.db);
  switch (w.kind) {
    case Work::Kind::kRun:
      return;
    case Work::Kind::kTimer: {
      if (!wait.is_object() || wait.value("timer", std::int64_t{0}) != w.ref) return;  // stale
      if (kind == "retry") {
        outcome = "retry";
        detail["attempt"] = inst.attempts + 1;
        type = "action";
      } else if (kind == "timer") {
        outcome = "resumed";
        type = "wait";
        advance(*d, pos);
      } else if (kind == "task" || kind == "event") {
        const WorkflowStep& s = step_at(*d, pos);
        outcome = "timeout";
        type = kind == "task" ? "task" : "wait";
        if (kind == "task") detail["task_id"] = wait.value("task", std::int64_t{0});
        if (kind == "event") inst.variables[s.save_as.empty() ? "event" : s.save_as] = nullptr;
        if (!s.on_timeout.empty()) {
          pos.emplace_back("on_timeout", 0);
        } else {
          advance(*d, pos);
        }
      } else {
        return;
      }
      break;
    }
    case Work::Kind::kTask: {
      if (kind != "task" || wait.value("task", std::int64_t{0}) != w.ref) return;
      cancel_timer();
      const WorkflowStep& s = step_at(*d, pos);
      const auto task = s_.store.tasks().find(w.ref);
      const bool cancelled = task && task->status == Task::Status::kCancelled;
      detail = {{"task_id", w.ref}, {"status", cancelled ? "cancelled" : "done"}};
      if (task && task->completed_at) detail["completed_at"] = format_time(*task->completed_at);
      if (!s.save_as.empty()) inst.variables[s.save_as] = detail;
      outcome = cancelled ? "cancelled" : "done";
      advance(*d, pos);
      break;
    }
    case Work::Kind::kEvent: {
      // Still the wait the event was matched against (an earlier event of
      // the same dispatch may have moved the instance on).
      if (kind != "event" || inst.position != w.position ||
          wait.value("event", "") != w.data.value("type", "")) {
        return;
      }
      cancel_timer();
      const WorkflowStep& s = step_at(*d, pos);
      inst.variables[s.save_as.empty() ? std::string("event") : s.save_as] = w.data;
      type = "wait";
      outcome = "resumed";
      detail = {{"event", w.data.value("type", "")}};
      advance(*d, pos);
      break;
    }
    case Work::Kind::kPlugin: {
      // The position stays: the action step runs again, now that it exists.
      if (kind != "plugin" || !actions_.count(wait.value("action", ""))) return;
      type = "action";
      outcome = "resumed";
      detail = {{"plugin", wait.value("plugin", "")}, {"action", wait.value("action", "")}};
      break;
    }
    case Work::Kind::kChild: {
      if (kind != "workflow" || wait.value("child", std::int64_t{0}) != w.ref) return;
      const auto child = rows_.find(w.ref);
      if (!child || is_active_state(child->state)) return;
      if (child->state == "failed") {
        finish(inst, "failed",
               "sub-workflow " + child->workflow + " (instance " + std::to_string(child->id) +
                   ") failed: " + child->error);
        tx.commit();
        return;
      }
      type = "workflow";
      outcome = "done";
      detail = {{"child", child->id}, {"state", child->state}};
      advance(*d, pos);
      break;
    }
  }
  inst.state = "running";
  inst.wait = nullptr;
  inst.position = format_position(pos);
  save(inst, here, type, outcome, std::move(detail));
  tx.commit();
  run(inst, *d);
}

bool WorkflowRuntime::take_cancel_request(InstanceId id, bool step_committed) {
  const auto it = cancel_requested_.find(id);
  if (it == cancel_requested_.end()) return false;
  const bool by_parent = it->second != 0;
  cancel_requested_.erase(it);
  return !by_parent || step_committed;
}

void WorkflowRuntime::run(WorkflowInstance& inst, const WorkflowDefinition& d) {
  frames_.push_back({inst.id, inst.chain});
  struct Pop {
    std::vector<Frame>& frames;
    std::map<InstanceId, InstanceId>& requests;
    ~Pop() {
      requests.erase(frames.back().instance);  // not honoured here: void
      frames.pop_back();
    }
  } pop{frames_, cancel_requested_};
  Position pos = parse_position(inst.position);
  const auto cancelled_meanwhile = [&] {
    if (inst.id == 0 || !take_cancel_request(inst.id, true)) return false;
    if (!is_active_state(inst.state)) return false;  // it ended first
    Transaction tx(s_.db);
    end_wait(inst);
    finish(inst, "cancelled");
    tx.commit();
    return true;
  };
  // No step type loops, so a definition has finitely many steps to run; the
  // bound only protects against a corrupt position.
  for (int guard = 0; guard < 1'000'000; ++guard) {
    if (cancelled_meanwhile()) return;
    if (pos.empty()) {
      finish(inst, "completed");
      return;
    }
    const WorkflowStep& step = step_at(d, pos);
    const std::string here = format_position(pos);
    const TimePoint now = s_.clock.now();
    const std::int64_t revision = inst.revision;  // what the step starts from
    std::string error;
    bool stop = false;
    try {
      // One transaction per step: the step's writes, the instance's new
      // position and its history commit together, and so do the instance's
      // first row (an instance started here is stored with its first step)
      // and its end (reached by this step). The step's events are dispatched
      // at this commit, inside this frame.
      Transaction tx(s_.db);
      if (inst.id != 0) {
        // Checked under the write lock, before the step acts: an instance
        // another process moved or cancelled meanwhile is not run on a stale
        // copy.
        rows_.check_revision(inst.id, inst.revision);
      }
      store_if_new(inst);
      frames_.back().instance = inst.id;
      switch (step.type) {
        case WorkflowStep::Type::kAction: {
          const auto it = actions_.find(step.action);
          if (it == actions_.end()) {
            const std::string plugin = plugin_of(step.action);
            if (plugin.empty() || plugin_loaded(plugin)) {
              throw NotFound(unknown_action_message(step.action));
            }
            // Like a timer without a handler: the step waits, at its
            // position, for the plugin to be loaded again (recover() takes
            // it up then), instead of failing the process for good.
            inst.state = "waiting";
            inst.wait = {{"kind", "plugin"}, {"plugin", plugin}, {"action", step.action}};
            save(inst, here, "action", "waiting", inst.wait);
            s_.log.warning("workflows", "instance " + std::to_string(inst.id) + " (" +
                                            inst.workflow + ") waits at " + here + " for plugin " +
                                            plugin + " (action " + step.action +
                                            "), which is not loaded");
            stop = true;
            break;
          }
          const auto fn = it->second.fn;  // survives remove_action() inside the call
          if (it->second.spec.needs_customer && !inst.customer_id) {
            throw InvalidInput("action '" + step.action + "' needs a customer");
          }
          const Json params =
              expand_template(step.params, facts_for(inst, mentions_customer(step.params)));
          StepContext ctx(*this, inst);
          Json result = (*fn)(ctx, params);
          if (!step.save_as.empty()) inst.variables[step.save_as] = result;
          inst.attempts = 0;
          inst.error.clear();
          advance(d, pos);
          inst.position = format_position(pos);
          save(inst, here, "action", "done", {{"action", step.action}, {"result", result}});
          break;
        }
        case WorkflowStep::Type::kWait: {
          Json wait;
          if (!step.event.empty()) {
            watch_event_type(step.event);
            wait = {{"kind", "event"}, {"event", step.event}};
            if (step.timeout) wait["due"] = format_time(now + *step.timeout);
          } else {
            TimePoint due = now;
            if (step.duration) {
              due = now + *step.duration;
            } else {
              const Json t = expand_template(Json(step.until),
                                             facts_for(inst, mentions_customer(Json(step.until))));
              if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
                throw InvalidInput("until '" + step.until + "' gives no time");
              }
              due = parse_time(t.get<std::string>()) + step.until_offset;
            }
            if (due <= now) {  // a date already past: nothing to wait for
              advance(d, pos);
              inst.position = format_position(pos);
              save(inst, here, "wait", "done", {{"due", format_time(due)}, {"already_due", true}});
              break;
            }
            wait = {{"kind", "timer"}, {"due", format_time(due)}};
          }
          if (wait.contains("due")) {
            wait["timer"] =
                s_.scheduler.schedule(parse_time(wait["due"].get<std::string>()), kResumeTimerKind,
                                      Json{{"instance", inst.id}}, inst.customer_id);
          }
          inst.state = "waiting";
          inst.wait = wait;
          save(inst, here, "wait", "waiting", wait);
          stop = true;
          break;
        }
        case WorkflowStep::Type::kBranch: {
          const bool yes = evaluate_condition(step.condition,
                                              facts_for(inst, mentions_customer(step.condition)));
          if (!(yes ? step.then_steps : step.else_steps).empty()) {
            pos.emplace_back(yes ? "then" : "else", 0);
          } else {
            advance(d, pos);
          }
          inst.position = format_position(pos);
          save(inst, here, "branch", yes ? "then" : "else", Json::object());
          break;
        }
        case WorkflowStep::Type::kTask: {
          const Json f = facts_for(inst, mentions_customer(Json{step.title, step.owner}));
          Task t;
          t.customer_id = inst.customer_id;
          const Json title = expand_template(Json(step.title), f);
          const Json owner = expand_template(Json(step.owner), f);
          t.title = title.is_string() ? title.get<std::string>() : title.dump();
          t.owner = owner.is_string() ? owner.get<std::string>() : owner.dump();
          if (step.due) t.due_at = now + *step.due;
          t.link = "workflow:" + std::to_string(inst.id);
          const TaskId task = s_.store.tasks().add(t, actor_of(inst));
          Json wait{{"kind", "task"}, {"task", task}};
          if (t.due_at) wait["due"] = format_time(*t.due_at);
          if (t.due_at && !step.on_timeout.empty()) {
            wait["timer"] = s_.scheduler.schedule(*t.due_at, kResumeTimerKind,
                                                  Json{{"instance", inst.id}}, inst.customer_id);
          }
          inst.state = "waiting";
          inst.wait = wait;
          save(inst, here, "task", "waiting",
               {{"task_id", task}, {"title", t.title}, {"owner", t.owner}});
          stop = true;
          break;
        }
        case WorkflowStep::Type::kWorkflow: {
          const auto it = installed_.find(step.workflow);
          if (it == installed_.end()) {
            throw NotFound("sub-workflow '" + step.workflow + "' is not installed");
          }
          if (static_cast<int>(inst.chain.size()) + 1 > max_depth_) {
            throw Error("cascade depth " + std::to_string(max_depth_) + " reached: sub-workflow " +
                        step.workflow + " not started");
          }
          const Definition child_def = it->second.definition;
          if (!child_def->allow_parallel && inst.customer_id &&
              rows_.has_active(child_def->name, *inst.customer_id)) {
            throw InvalidInput("sub-workflow '" + child_def->name +
                               "' already has an active instance for customer " +
                               std::to_string(*inst.customer_id));
          }
          Json vars = child_def->variables;
          vars.update(
              expand_template(step.params, facts_for(inst, mentions_customer(step.params))));
          vars["trigger"] = inst.variables.value("trigger", Json());
          vars["parent"] = inst.id;
          std::vector<std::string> chain = inst.chain;
          chain.push_back(step.workflow);
          const InstanceId child =
              create(*child_def, inst.customer_id, std::move(vars),
                     step.wait_for_end ? std::optional(inst.id) : std::nullopt, std::move(chain));
          if (step.wait_for_end) {
            inst.state = "waiting";
            inst.wait = {{"kind", "workflow"}, {"child", child}};
            save(inst, here, "workflow", "waiting", {{"child", child}});
            stop = true;
          } else {
            advance(d, pos);
            inst.position = format_position(pos);
            save(inst, here, "workflow", "started", {{"child", child}});
          }
          enqueue({Work::Kind::kRun, child, 0, nullptr, ""});
          break;
        }
        case WorkflowStep::Type::kEnd:
          inst.position = here;
          finish(inst, step.end_state);
          stop = true;
          break;
      }
      // The last step's commit ends the instance too (unless it is being
      // cancelled, which the next round does).
      if (!stop && pos.empty() && !cancel_requested_.count(inst.id)) {
        finish(inst, "completed");
        stop = true;
      }
      tx.commit();
    } catch (const InstanceMoved&) {
      throw;  // someone else advanced it: nothing of this step stays
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      // The step's writes were rolled back; continue from what is stored.
      if (auto stored = inst.id ? rows_.find(inst.id) : std::nullopt) {
        if (stored->revision != revision) {
          s_.log.info("workflows", "instance " + std::to_string(inst.id) +
                                       " was advanced elsewhere while its step failed: " + error);
          return;
        }
        inst = std::move(*stored);
        if (take_cancel_request(inst.id, false)) {  // cancelled from inside the failed step
          Transaction tx(s_.db);
          end_wait(inst);
          finish(inst, "cancelled");
          tx.commit();
          return;
        }
      } else {
        // Its first row went with the step: the failure (or the cancel
        // asked for inside the step) stores it anew.
        const bool cancel_it = inst.id != 0 && take_cancel_request(inst.id, false);
        inst.id = 0;
        inst.revision = 0;
        inst.state = "running";
        inst.position = here;
        inst.wait = nullptr;
        inst.ended_at.reset();
        if (cancel_it) {
          finish(inst, "cancelled");
          return;
        }
      }
      fail(inst, step, error);
      return;
    }
    if (stop) {
      cancelled_meanwhile();
      return;
    }
  }
  fail(inst, step_at(d, pos), "step limit reached");
}

void WorkflowRuntime::fail(WorkflowInstance& inst, const WorkflowStep& s,
                           const std::string& error) {
  const std::string here = inst.position;
  const TimePoint now = s_.clock.now();
  inst.attempts += 1;
  inst.error = error;
  Json detail{{"error", error}, {"attempt", inst.attempts}};
  if (s.type == WorkflowStep::Type::kAction) detail["action"] = s.action;
  if (inst.attempts < s.retry.max_attempts) {
    // Capped at a year: a large backoff must not overflow the time type.
    constexpr double kMaxDelay = 365.0 * 86400;
    // A zero delay stays zero: 0 * inf (a huge backoff) would be NaN.
    const double delay =
        s.retry.delay.count() == 0
            ? 0.0
            : std::min(kMaxDelay,
                       static_cast<double>(s.retry.delay.count()) *
                           std::pow(s.retry.backoff, static_cast<double>(inst.attempts - 1)));
    const TimePoint due = now + Seconds{static_cast<std::int64_t>(delay)};
    Transaction tx(s_.db);
    store_if_new(inst);  // the retry timer names the instance
    const TimerId timer =
        s_.scheduler.schedule(due, kResumeTimerKind, Json{{"instance", inst.id}}, inst.customer_id);
    inst.state = "retrying";
    inst.wait = {{"kind", "retry"}, {"timer", timer}, {"due", format_time(due)}};
    detail["retry_at"] = format_time(due);
    save(inst, here, to_string(s.type), "failed", detail);
    tx.commit();
    s_.log.warning("workflows", "instance " + std::to_string(inst.id) + " (" + inst.workflow +
                                    ") failed at " + here + ", retry at " + format_time(due) +
                                    ": " + error);
    return;
  }
  save(inst, here, to_string(s.type), "failed", detail);
  s_.log.error("workflows", "instance " + std::to_string(inst.id) + " (" + inst.workflow +
                                ") failed at " + here + ": " + error);
  finish(inst, "failed", error);
}

void WorkflowRuntime::finish(WorkflowInstance& inst, const std::string& state,
                             const std::string& error) {
  const std::string here = inst.position;
  inst.state = state;
  inst.position.clear();
  inst.wait = nullptr;
  inst.ended_at = s_.clock.now();
  if (!error.empty()) inst.error = error;
  Json detail = Json::object();
  if (!here.empty()) detail["at"] = here;
  if (!error.empty()) detail["error"] = error;
  save(inst, "", "instance", state, detail);
  if (inst.parent_id) enqueue({Work::Kind::kChild, *inst.parent_id, inst.id, nullptr, ""});
}

}  // namespace crm::core
