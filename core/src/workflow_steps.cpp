// One executor per step type. Each runs inside the step's transaction (see
// WorkflowRuntime::run): it acts, moves the instance on or makes it wait,
// and saves it with its history entry; an exception rolls all of it back.
#include "crm/error.hpp"
#include "known_providers.hpp"
#include "workflow_actions.hpp"
#include "workflow_runtime.hpp"

namespace crm::core {

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

void WorkflowRuntime::step_done(WorkflowInstance& inst, const WorkflowDefinition& d,
                                const StepAt& at, const std::string& type,
                                const std::string& outcome, Json detail) {
  advance(d, at.pos);
  inst.position = format_position(at.pos);
  save(inst, at.here, type, outcome, std::move(detail));
}

void WorkflowRuntime::wait_for(WorkflowInstance& inst, Wait w, const StepAt& at,
                               const std::string& type, Json detail) {
  inst.state = InstanceState::kWaiting;
  inst.wait = std::move(w);
  save(inst, at.here, type, "waiting", std::move(detail));
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_step(WorkflowInstance& inst,
                                                       const WorkflowDefinition& d,
                                                       const StepAt& at) {
  switch (at.step.type) {
    case WorkflowStep::Type::kAction:
      return run_action(inst, d, at);
    case WorkflowStep::Type::kWait:
      return run_wait(inst, d, at);
    case WorkflowStep::Type::kBranch:
      return run_branch(inst, d, at);
    case WorkflowStep::Type::kTask:
      return run_task(inst, at);
    case WorkflowStep::Type::kWorkflow:
      return run_sub_workflow(inst, d, at);
    case WorkflowStep::Type::kEnd:
      return run_end(inst, at);
  }
  throw StoreError("unknown step type at " + at.here);
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_action(WorkflowInstance& inst,
                                                         const WorkflowDefinition& d,
                                                         const StepAt& at) {
  const WorkflowStep& step = at.step;
  const auto it = actions_.find(step.action);
  if (it == actions_.end()) {
    const std::string plugin = provider_of(step.action);
    if (plugin.empty() || plugin_loaded(plugin)) {
      throw NotFound(unknown_message("action", step.action));
    }
    // Like a timer without a handler: the step waits, at its position, for
    // the plugin to be loaded again (recover() takes it up then), instead
    // of failing the process for good.
    PluginWait w{plugin, step.action};
    const Json detail = to_json(Wait(w));
    wait_for(inst, std::move(w), at, "action", detail);
    s_.log.warning("workflows", "instance " + std::to_string(inst.id) + " (" + inst.workflow +
                                    ") waits at " + at.here + " for plugin " + plugin +
                                    " (action " + step.action + "), which is not loaded");
    return StepOutcome::kStop;
  }
  const auto fn = it->second.fn;  // survives remove_action() inside the call
  if (it->second.spec.needs_customer && !inst.customer_id) {
    throw InvalidInput("action '" + step.action + "' needs a customer");
  }
  const Json params =
      expand_template(step.params, facts_.of_instance(inst, mentions_customer(step.params)));
  StepContext ctx(*this, inst);
  Json result = (*fn)(ctx, params);
  if (!step.save_as.empty()) inst.variables[step.save_as] = result;
  inst.attempts = 0;
  inst.error.clear();
  step_done(inst, d, at, "action", "done", {{"action", step.action}, {"result", result}});
  return StepOutcome::kNext;
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_wait(WorkflowInstance& inst,
                                                       const WorkflowDefinition& d,
                                                       const StepAt& at) {
  const WorkflowStep& step = at.step;
  const auto resume_at = [&](TimePoint due) {
    return s_.scheduler.schedule(due, kResumeTimerKind, Json{{"instance", inst.id}},
                                 inst.customer_id);
  };
  if (!step.event.empty()) {
    watch_event_type(step.event);
    EventWait w{step.event, std::nullopt, std::nullopt};
    if (step.timeout) {
      w.due = at.now + *step.timeout;
      w.timer = resume_at(*w.due);
    }
    const Json detail = to_json(Wait(w));
    wait_for(inst, std::move(w), at, "wait", detail);
    return StepOutcome::kStop;
  }
  TimePoint due = at.now;
  if (step.duration) {
    due = at.now + *step.duration;
  } else {
    const Json t = expand_template(Json(step.until),
                                   facts_.of_instance(inst, mentions_customer(Json(step.until))));
    if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
      throw InvalidInput("until '" + step.until + "' gives no time");
    }
    due = parse_time(t.get<std::string>()) + step.until_offset;
  }
  if (due <= at.now) {  // a date already past: nothing to wait for
    step_done(inst, d, at, "wait", "done", {{"due", format_time(due)}, {"already_due", true}});
    return StepOutcome::kNext;
  }
  const TimerWait w{resume_at(due), due};
  wait_for(inst, w, at, "wait", to_json(Wait(w)));
  return StepOutcome::kStop;
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_branch(WorkflowInstance& inst,
                                                         const WorkflowDefinition& d,
                                                         const StepAt& at) {
  const WorkflowStep& step = at.step;
  const bool yes = evaluate_condition(
      step.condition, facts_.of_instance(inst, mentions_customer(step.condition)), this);
  if (!(yes ? step.then_steps : step.else_steps).empty()) {
    at.pos.emplace_back(yes ? "then" : "else", 0);
  } else {
    advance(d, at.pos);
  }
  inst.position = format_position(at.pos);
  save(inst, at.here, "branch", yes ? "then" : "else", Json::object());
  return StepOutcome::kNext;
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_task(WorkflowInstance& inst, const StepAt& at) {
  const WorkflowStep& step = at.step;
  const Json f = facts_.of_instance(inst, mentions_customer(Json{step.title, step.owner}));
  Task t;
  t.customer_id = inst.customer_id;
  const Json title = expand_template(Json(step.title), f);
  const Json owner = expand_template(Json(step.owner), f);
  t.title = title.is_string() ? title.get<std::string>() : title.dump();
  t.owner = owner.is_string() ? owner.get<std::string>() : owner.dump();
  if (step.due) t.due_at = at.now + *step.due;
  t.link = EntityRef{entity_type::kWorkflow, inst.id};
  const TaskId task = s_.store.tasks().add(t, actor_of(inst));
  TaskWait w{task, t.due_at, std::nullopt};
  if (t.due_at && !step.on_timeout.empty()) {
    w.timer = s_.scheduler.schedule(*t.due_at, kResumeTimerKind, Json{{"instance", inst.id}},
                                    inst.customer_id);
  }
  wait_for(inst, std::move(w), at, "task",
           {{"task_id", task}, {"title", t.title}, {"owner", t.owner}});
  return StepOutcome::kStop;
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_sub_workflow(WorkflowInstance& inst,
                                                               const WorkflowDefinition& d,
                                                               const StepAt& at) {
  const WorkflowStep& step = at.step;
  const auto it = installed_.find(step.workflow);
  if (it == installed_.end()) {
    throw NotFound("sub-workflow '" + step.workflow + "' is not installed");
  }
  if (static_cast<int>(inst.chain.size()) + 1 > max_depth_) {
    throw Error("cascade depth " + std::to_string(max_depth_) + " reached: sub-workflow " +
                step.workflow + " not started");
  }
  const Definition child_def = it->second.definition;
  // A quick look, for the usual case; the unique guard of the database
  // decides (store_if_new throws Conflict when it refuses).
  if (!child_def->allow_parallel && inst.customer_id &&
      rows_.has_active(child_def->name, *inst.customer_id)) {
    throw InvalidInput("sub-workflow '" + child_def->name +
                       "' already has an active instance for customer " +
                       std::to_string(*inst.customer_id));
  }
  Json vars = child_def->variables;
  vars.update(
      expand_template(step.params, facts_.of_instance(inst, mentions_customer(step.params))));
  vars["trigger"] = inst.variables.value("trigger", Json());
  vars["parent"] = inst.id;
  std::vector<std::string> chain = inst.chain;
  chain.push_back(step.workflow);
  const InstanceId child =
      create(*child_def, inst.customer_id, std::move(vars),
             step.wait_for_end ? std::optional(inst.id) : std::nullopt, std::move(chain));
  StepOutcome outcome = StepOutcome::kNext;
  if (step.wait_for_end) {
    wait_for(inst, ChildWait{child}, at, "workflow", {{"child", child}});
    outcome = StepOutcome::kStop;
  } else {
    step_done(inst, d, at, "workflow", "started", {{"child", child}});
  }
  enqueue({Work::Kind::kRun, child, 0, nullptr, ""});
  return outcome;
}

WorkflowRuntime::StepOutcome WorkflowRuntime::run_end(WorkflowInstance& inst, const StepAt& at) {
  inst.position = at.here;
  finish(inst, parse_instance_state(at.step.end_state));
  return StepOutcome::kStop;
}

}  // namespace crm::core
