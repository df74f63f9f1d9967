// The runtime loop: what starts instances (triggers, start()), the queue of
// work, running an instance step by step, taking up its waits, failing,
// retrying and ending it.
#include "workflow_runtime.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "crm/error.hpp"
#include "crm/event.hpp"
#include "workflow_actions.hpp"

namespace crm::core {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

WorkflowRuntime::WorkflowRuntime(WorkflowServices services)
    : s_(services),
      rows_(services.db),
      facts_(services.db, services.store, services.bus, services.clock) {}

WorkflowRuntime::~WorkflowRuntime() {
  s_.bus.attach(nullptr);
  for (const auto& [name, in] : installed_) {
    if (in.trigger) in.trigger->live = false;
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
  s_.bus.attach(&triggers_);

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
    installed_[name] = Installed{d, nullptr};
  }
  for (const auto& type : rows_.waited_event_types()) watch_event_type(type);
}

void WorkflowRuntime::activate() {
  for (const auto& [name, in] : installed_) {
    if (!in.trigger) subscribe(name);
  }
}

int WorkflowRuntime::recover() { return recover(Seconds{60}); }

int WorkflowRuntime::recover(Seconds idle) {
  if (idle < Seconds{1}) throw InvalidInput("recover: the idle time must be at least 1 second");
  // An instance another process is running right now is "running" too; one
  // untouched for `idle` was left by a process that died (and so was one
  // written "later than now" by a `run-due --now` replay that died). (Should
  // a slow step still be alive, the revision check makes one of the two give up.)
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
  if (!d->trigger.condition.is_null() && !t.condition(facts_.of_event(e, t.needs_customer), this)) {
    return;
  }
  // A quick look that spares the usual case a refused write; the unique
  // guard of the database decides (a lost race starts nothing, below).
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
    run_now(inst, *d, false);
    return;
  }
  // Caused by a step (or inside a transaction): stored now, so the
  // one-per-customer guard sees it, and run once the current work is done.
  try {
    store_if_new(inst);
  } catch (const Conflict& c) {
    s_.log.write(Logger::Level::kDebug, "workflows", c.what());
    return;
  }
  enqueue({Work::Kind::kRun, inst.id, 0, nullptr, ""});
  drain();
}

void WorkflowRuntime::run_now(WorkflowInstance& inst, const WorkflowDefinition& d,
                              bool conflict_throws) {
  draining_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{draining_};
  try {
    run(inst, d);
  } catch (const Conflict& e) {
    // Another process started one for this customer first: nothing of
    // this one was stored.
    if (conflict_throws) throw;
    s_.log.write(Logger::Level::kDebug, "workflows", e.what());
  } catch (const InstanceMoved& e) {
    s_.log.info("workflows", e.what());
  } catch (const std::exception& e) {
    s_.log.error("workflows", "workflow " + d.name + " could not start: " + e.what());
  }
  reset.flag = false;
  drain();
}

void WorkflowRuntime::on_task_ended(const Event& e) {
  // The payload's link is {"type": "workflow", "id": N} for the tasks of an
  // instance; anything else is not the engine's.
  const auto link = e.payload.find("link");
  if (link == e.payload.end() || !link->is_object()) return;
  if (link->value("type", "") != entity_type::kWorkflow) return;
  const auto idv = link->find("id");
  if (idv == link->end() || !idv->is_number_integer()) return;
  const InstanceId id = idv->get<InstanceId>();
  if (id <= 0) return;
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
    if (!inst || inst->state != InstanceState::kWaiting) continue;
    const Definition d = version_of(inst->workflow, inst->version);
    if (!d) continue;
    const WorkflowStep& s = step_at(*d, parse_position(inst->position));
    if (!s.event_condition.is_null()) {
      Json facts = facts_.of_instance(*inst, mentions_customer(s.event_condition));
      facts["event"] = event;
      facts["old"] = WorkflowFacts::changes(e.payload, "old");
      facts["new"] = WorkflowFacts::changes(e.payload, "new");
      if (!evaluate_condition(s.event_condition, facts, this)) continue;
    }
    enqueue({Work::Kind::kEvent, id, 0, event, inst->position});
  }
  drain();
}

// --- instances ---

WorkflowInstance WorkflowRuntime::make_instance(const WorkflowDefinition& d,
                                                std::optional<CustomerId> customer, Json variables,
                                                std::optional<InstanceId> parent,
                                                std::vector<std::string> chain) const {
  WorkflowInstance inst;
  inst.workflow = d.name;
  inst.version = d.version;
  inst.customer_id = customer;
  inst.state = InstanceState::kRunning;
  inst.position = "$.steps[0]";
  inst.variables = std::move(variables);
  inst.parent_id = parent;
  inst.chain = std::move(chain);
  inst.started_at = inst.updated_at = s_.clock.now();
  return inst;
}

void WorkflowRuntime::store_if_new(WorkflowInstance& inst) {
  if (inst.id != 0) return;
  const Definition d = version_of(inst.workflow, inst.version);
  Transaction tx(s_.db);
  const InstanceId id = rows_.insert(inst, d && !d->allow_parallel);
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
    run_now(inst, *d, true);  // stored with its first step
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
  if (!inst || !is_active(inst->state)) return false;
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
  finish(*inst, InstanceState::kCancelled);
  tx.commit();
  drain();
  return true;
}

void WorkflowRuntime::end_wait(const WorkflowInstance& inst) {
  if (const auto timer = wait_timer(inst.wait)) s_.scheduler.cancel(*timer);
  if (const auto* w = std::get_if<TaskWait>(&inst.wait)) {
    const auto t = s_.store.tasks().find(w->task);
    if (t && t->status == Task::Status::kOpen) s_.store.tasks().cancel(w->task, actor_of(inst));
  }
  if (const auto* w = std::get_if<ChildWait>(&inst.wait)) {
    auto child = rows_.find(w->child);
    if (child && is_active(child->state) &&
        std::any_of(frames_.begin(), frames_.end(),
                    [&](const Frame& f) { return f.instance == child->id; })) {
      // It is running a step (this cancel comes from inside it): it ends
      // after that step, if the step, and with it this cancel, commits.
      cancel_requested_.emplace(child->id, inst.id);
    } else if (child && is_active(child->state)) {
      end_wait(*child);
      child->parent_id.reset();  // the parent is ending already
      finish(*child, InstanceState::kCancelled);
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

// --- taking up a wait ---

void WorkflowRuntime::take_up(const Work& w) {
  auto found = rows_.find(w.instance);
  if (!found || !is_active(found->state)) return;
  WorkflowInstance inst = std::move(*found);
  const Definition d = version_of(inst.workflow, inst.version);
  if (!d) {
    finish(inst, InstanceState::kFailed,
           "definition version " + std::to_string(inst.version) + " is missing");
    return;
  }
  if (w.kind == Work::Kind::kRun) {
    if (inst.state == InstanceState::kRunning) run(inst, *d);
    return;
  }
  Position pos = parse_position(inst.position);
  const std::string here = inst.position;
  const Wait wait = inst.wait;
  const std::string kind(wait_kind(wait));
  const auto cancel_timer = [&] {
    if (const auto timer = wait_timer(wait)) s_.scheduler.cancel(*timer);
  };
  std::string type = kind.empty() ? "instance" : kind;
  std::string outcome;
  Json detail = Json::object();
  // Cancelling the wait's timer and moving on commit together.
  Transaction tx(s_.db);
  switch (w.kind) {
    case Work::Kind::kRun:
      return;
    case Work::Kind::kTimer: {
      if (wait_timer(wait) != std::optional<TimerId>(w.ref)) return;  // stale
      if (std::holds_alternative<RetryWait>(wait)) {
        outcome = "retry";
        detail["attempt"] = inst.attempts + 1;
        type = "action";
      } else if (std::holds_alternative<TimerWait>(wait)) {
        outcome = "resumed";
        type = "wait";
        advance(*d, pos);
      } else if (const auto* task = std::get_if<TaskWait>(&wait)) {
        const WorkflowStep& s = step_at(*d, pos);
        outcome = "timeout";
        type = "task";
        detail["task_id"] = task->task;
        if (!s.on_timeout.empty()) {
          pos.emplace_back("on_timeout", 0);
        } else {
          advance(*d, pos);
        }
      } else if (std::holds_alternative<EventWait>(wait)) {
        const WorkflowStep& s = step_at(*d, pos);
        outcome = "timeout";
        type = "wait";
        inst.variables[s.save_as.empty() ? "event" : s.save_as] = nullptr;
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
      const auto* task_wait = std::get_if<TaskWait>(&wait);
      if (!task_wait || task_wait->task != w.ref) return;
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
      const auto* event_wait = std::get_if<EventWait>(&wait);
      if (!event_wait || inst.position != w.position ||
          event_wait->event != w.data.value("type", "")) {
        return;
      }
      cancel_timer();
      const WorkflowStep& s = step_at(*d, pos);
      inst.variables[s.save_as.empty() ? std::string("event") : s.save_as] = w.data;
      type = "wait";
      outcome = "resumed";
      detail = {{"event", event_wait->event}};
      advance(*d, pos);
      break;
    }
    case Work::Kind::kPlugin: {
      // The position stays: the action step runs again, now that it exists.
      const auto* plugin = std::get_if<PluginWait>(&wait);
      if (!plugin || !actions_.count(plugin->action)) return;
      type = "action";
      outcome = "resumed";
      detail = {{"plugin", plugin->plugin}, {"action", plugin->action}};
      break;
    }
    case Work::Kind::kChild: {
      const auto* child_wait = std::get_if<ChildWait>(&wait);
      if (!child_wait || child_wait->child != w.ref) return;
      const auto child = rows_.find(w.ref);
      if (!child || is_active(child->state)) return;
      if (child->state == InstanceState::kFailed) {
        finish(inst, InstanceState::kFailed,
               "sub-workflow " + child->workflow + " (instance " + std::to_string(child->id) +
                   ") failed: " + child->error);
        tx.commit();
        return;
      }
      type = "workflow";
      outcome = "done";
      detail = {{"child", child->id}, {"state", to_string(child->state)}};
      advance(*d, pos);
      break;
    }
  }
  inst.state = InstanceState::kRunning;
  inst.wait = std::monostate{};
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

// --- running ---

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
    if (!is_active(inst.state)) return false;  // it ended first
    Transaction tx(s_.db);
    end_wait(inst);
    finish(inst, InstanceState::kCancelled);
    tx.commit();
    return true;
  };
  // No step type loops, so a definition has finitely many steps to run; the
  // bound only protects against a corrupt position.
  for (int guard = 0; guard < 1'000'000; ++guard) {
    if (cancelled_meanwhile()) return;
    if (pos.empty()) {
      finish(inst, InstanceState::kCompleted);
      return;
    }
    const WorkflowStep& step = step_at(d, pos);
    const std::string here = format_position(pos);
    const std::int64_t revision = inst.revision;  // what the step starts from
    std::string error;
    StepOutcome outcome = StepOutcome::kNext;
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
      outcome = run_step(inst, d, StepAt{step, pos, here, s_.clock.now()});
      // The last step's commit ends the instance too (unless it is being
      // cancelled, which the next round does).
      if (outcome == StepOutcome::kNext && pos.empty() && !cancel_requested_.count(inst.id)) {
        finish(inst, InstanceState::kCompleted);
        outcome = StepOutcome::kStop;
      }
      tx.commit();
    } catch (const InstanceMoved&) {
      throw;  // someone else advanced it: nothing of this step stays
    } catch (const Conflict& e) {
      // Its own first row refused by the one-per-customer guard (another
      // process started the workflow for this customer meanwhile): there is
      // no instance to fail. A conflict of what the step did fails the step.
      if (inst.id == 0) throw;
      error = e.what();
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
          finish(inst, InstanceState::kCancelled);
          tx.commit();
          return;
        }
      } else {
        // Its first row went with the step: the failure (or the cancel
        // asked for inside the step) stores it anew.
        const bool cancel_it = inst.id != 0 && take_cancel_request(inst.id, false);
        inst.id = 0;
        inst.revision = 0;
        inst.state = InstanceState::kRunning;
        inst.position = here;
        inst.wait = std::monostate{};
        inst.ended_at.reset();
        if (cancel_it) {
          finish(inst, InstanceState::kCancelled);
          return;
        }
      }
      fail(inst, step, error);
      return;
    }
    if (outcome == StepOutcome::kStop) {
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
    inst.state = InstanceState::kRetrying;
    inst.wait = RetryWait{timer, due};
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
  finish(inst, InstanceState::kFailed, error);
}

void WorkflowRuntime::finish(WorkflowInstance& inst, InstanceState state,
                             const std::string& error) {
  const std::string here = inst.position;
  inst.state = state;
  inst.position.clear();
  inst.wait = std::monostate{};
  inst.ended_at = s_.clock.now();
  if (!error.empty()) inst.error = error;
  Json detail = Json::object();
  if (!here.empty()) detail["at"] = here;
  if (!error.empty()) detail["error"] = error;
  save(inst, "", "instance", to_string(state), detail);
  if (inst.parent_id) enqueue({Work::Kind::kChild, *inst.parent_id, inst.id, nullptr, ""});
}

}  // namespace crm::core
