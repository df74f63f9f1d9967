#include "workflow_commands.hpp"

#include <charconv>
#include <map>

#include "crm/error.hpp"
#include "crm/text_table.hpp"

namespace crm::core {
namespace {

CommandOutput list(WorkflowEngine& wf) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const WorkflowDefinition& d : wf.definitions()) {
    InstanceQuery q;
    q.workflow = d.name;
    std::map<std::string, int> states;
    for (const auto& i : wf.instances(q)) ++states[to_string(i.state)];
    std::string counts;
    for (const auto& [state, n] : states) {
      counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + state;
    }
    out.data.push_back({{"name", d.name},
                        {"version", d.version},
                        {"priority", d.priority},
                        {"trigger", d.trigger.event},
                        {"description", d.description},
                        {"instances", states}});
    rows.push_back({d.name, std::to_string(d.version), std::to_string(d.priority),
                    d.trigger.event.empty() ? "(explicit)" : d.trigger.event, counts});
  }
  out.text = rows.empty()
                 ? "no workflows installed\n"
                 : render_table({"NAME", "VERSION", "PRIORITY", "TRIGGER", "INSTANCES"}, rows, 60);
  return out;
}

CommandOutput show(WorkflowEngine& wf, const std::string& name) {
  const WorkflowDefinition d = wf.definition(name);
  CommandOutput out;
  out.data = d.source;
  out.data["version"] = d.version;
  std::string t = "workflow " + d.name + " (version " + std::to_string(d.version) + ", priority " +
                  std::to_string(d.priority) + ")\n";
  if (!d.description.empty()) t += "  " + d.description + "\n";
  t +=
      "  trigger: " + (d.trigger.event.empty() ? std::string("(explicit start)") : d.trigger.event);
  if (!d.trigger.condition.is_null()) t += " if " + d.trigger.condition.dump();
  t += "\n  guards: " +
       std::string(d.allow_parallel ? "parallel instances allowed"
                                    : "one active instance per customer") +
       (d.retrigger_self ? ", may re-trigger itself" : ", never re-triggered by its own writes") +
       "\n  steps:\n";
  for_each_step(d, [&](const WorkflowStep& s, const std::string& path) {
    std::string what = to_string(s.type);
    if (!s.action.empty()) what += " " + s.action + " " + s.params.dump();
    if (!s.title.empty()) what += " '" + s.title + "' for " + s.owner;
    if (!s.workflow.empty()) what += " " + s.workflow;
    if (s.duration) what += " " + std::to_string(s.duration->count()) + "s";
    if (!s.until.empty()) what += " until " + s.until;
    if (!s.event.empty()) what += " for event " + s.event;
    t += "    " + path + "  " + what + "\n";
  });
  out.text = t;
  return out;
}

CommandOutput validate(WorkflowEngine& wf, const std::string& file) {
  const Json j = read_workflow_file(file);
  const auto errors = wf.validate(j);
  CommandOutput out;
  out.data = {{"file", file}, {"valid", errors.empty()}, {"errors", Json::array()}};
  for (const auto& e : errors) {
    out.data["errors"].push_back({{"path", e.path}, {"message", e.message}});
    out.text += file + ": " + to_string(e) + "\n";
  }
  if (errors.empty()) {
    out.text = file + ": valid\n";
  } else {
    out.exit_code = 1;
  }
  return out;
}

// The registered actions or named conditions: name, parameters, help.
template <class Spec>
CommandOutput spec_table(const std::vector<std::pair<std::string, Spec>>& specs,
                         std::vector<std::string> header) {
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, spec] : specs) {
    Json params = Json::array();
    std::string ptext;
    for (const auto& p : spec.params) {
      params.push_back(to_json(p));
      ptext += (ptext.empty() ? "" : ", ") + p.name + (p.required ? "*" : "");
    }
    out.data.push_back({{"name", name}, {"help", spec.help}, {"params", params}});
    rows.push_back({name, ptext, spec.help});
  }
  out.text = render_table(header, rows, 60);
  return out;
}

std::vector<std::string> instance_row(const WorkflowInstance& i) {
  std::string wait;
  const Json w = to_json(i.wait);
  if (w.is_object()) {
    wait = w.value("kind", "");
    if (w.contains("due")) wait += " until " + w["due"].get<std::string>();
    if (w.contains("task")) wait += " task " + w["task"].dump();
    if (w.contains("event")) wait += " " + w["event"].get<std::string>();
    if (w.contains("child")) wait += " instance " + w["child"].dump();
    if (w.contains("plugin")) wait += " " + w.value("plugin", "") + " (not loaded)";
  }
  return {std::to_string(i.id),
          i.workflow,
          i.customer_id ? std::to_string(*i.customer_id) : "",
          to_string(i.state),
          i.position,
          wait,
          i.error,
          format_time(i.started_at)};
}

CommandOutput instances(WorkflowEngine& wf, const CommandInput& in) {
  InstanceQuery q;
  if (in.has("customer")) q.customer_id = parse_id(in.get("customer"), "customer");
  if (in.has("workflow")) q.workflow = in.get("workflow");
  if (in.has("state")) q.state = parse_instance_state(in.get("state"));
  q.limit = limit_option(in, 100);
  CommandOutput out;
  out.data = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : wf.instances(q)) {
    out.data.push_back(to_json(i));
    rows.push_back(instance_row(i));
  }
  out.text = rows.empty() ? "no instances\n"
                          : render_table({"ID", "WORKFLOW", "CUSTOMER", "STATE", "POSITION",
                                          "WAITS FOR", "ERROR", "STARTED"},
                                         rows, 50);
  return out;
}

CommandOutput history(WorkflowEngine& wf, const std::string& id_text) {
  const InstanceId id = parse_id(id_text, "instance");
  const auto inst = wf.instance(id);
  if (!inst) throw NotFound("workflow instance " + std::to_string(id) + " not found");
  CommandOutput out;
  out.data = {{"instance", to_json(*inst)}, {"history", Json::array()}};
  std::vector<std::vector<std::string>> rows;
  for (const StepRecord& r : wf.history(id)) {
    out.data["history"].push_back(to_json(r));
    rows.push_back({format_time(r.at), r.position, r.type, r.outcome, r.detail.dump()});
  }
  out.text = render_table({"ID", "WORKFLOW", "CUSTOMER", "STATE", "POSITION", "WAITS FOR", "ERROR",
                           "STARTED"},
                          {instance_row(*inst)}, 50) +
             "\n" + render_table({"TIME", "STEP", "TYPE", "OUTCOME", "DETAIL"}, rows, 70);
  return out;
}

}  // namespace

void register_workflow_commands(CommandRegistry& r, HostWorkflowEngine& wf) {
  r.add(command({"workflows", "list"}, "list installed workflows with their instance counts"),
        [&wf](const CommandInput&) { return list(wf); });
  r.add(command({"workflows", "show"}, "show a workflow definition", {}, {"NAME"}),
        [&wf](const CommandInput& in) { return show(wf, in.positionals.at(0)); });
  r.add(command({"workflows", "validate"},
                "check a workflow definition file; every error is printed with its JSON path", {},
                {"FILE"}),
        [&wf](const CommandInput& in) { return validate(wf, in.positionals.at(0)); });
  r.add(command({"workflows", "install"},
                "validate and install (or update) a workflow definition file", {}, {"FILE"}),
        [&wf](const CommandInput& in) {
          const auto& file = in.positionals.at(0);
          const Json j = read_workflow_file(file);
          const auto errors = wf.validate(j);
          CommandOutput out;
          if (!errors.empty()) {
            out.data = {{"file", file}, {"installed", false}, {"errors", Json::array()}};
            for (const auto& e : errors) {
              out.data["errors"].push_back({{"path", e.path}, {"message", e.message}});
              out.text += file + ": " + to_string(e) + "\n";
            }
            out.exit_code = 1;
            return out;
          }
          const int version = wf.install(j);
          const std::string name = j.value("name", "");
          out.data = {{"file", file}, {"installed", true}, {"name", name}, {"version", version}};
          out.text = "installed workflow " + name + " version " + std::to_string(version) + "\n";
          return out;
        });
  r.add(command({"workflows", "uninstall"},
                "remove a workflow (its waiting instances are cancelled)", {}, {"NAME"}),
        [&wf](const CommandInput& in) {
          const auto& name = in.positionals.at(0);
          if (!wf.uninstall(name)) throw NotFound("workflow '" + name + "' is not installed");
          CommandOutput out;
          out.data = {{"uninstalled", name}};
          out.text = "uninstalled workflow " + name + "\n";
          return out;
        });
  r.add(command({"workflows", "instances"}, "list workflow instances, newest first",
                {option("customer", "only this customer"), option("workflow", "only this workflow"),
                 option("state", "running, waiting, retrying, completed, failed or cancelled"),
                 option("limit", "at most (or all)", "100")}),
        [&wf](const CommandInput& in) { return instances(wf, in); });
  r.add(command({"workflows", "history"}, "show an instance and every step it ran, with times", {},
                {"ID"}),
        [&wf](const CommandInput& in) { return history(wf, in.positionals.at(0)); });
  r.add(command({"workflows", "start"}, "start a workflow explicitly",
                {option("customer", "the customer id")}, {"NAME"}),
        [&wf](const CommandInput& in) {
          std::optional<CustomerId> customer;
          if (in.has("customer")) customer = parse_id(in.get("customer"), "customer");
          const InstanceId id = wf.start(in.positionals.at(0), customer, Json::object());
          const auto inst = wf.instance(id);
          CommandOutput out;
          out.data = to_json(*inst);
          out.text =
              "started instance " + std::to_string(id) + " (" + to_string(inst->state) + ")\n";
          // An instance that failed before its first wait is a start that did
          // not do what was asked: say why, and exit non-zero.
          if (inst->state == InstanceState::kFailed) {
            out.text = "instance " + std::to_string(id) + " of workflow " + inst->workflow +
                       " failed" + (inst->position.empty() ? "" : " at " + inst->position) + ": " +
                       inst->error + "\n";
            out.exit_code = 1;
          }
          return out;
        });
  r.add(command({"workflows", "cancel"}, "cancel an active instance", {}, {"ID"}),
        [&wf](const CommandInput& in) {
          const InstanceId id = parse_id(in.positionals.at(0), "instance");
          const auto inst = wf.instance(id);
          if (!inst) throw NotFound("workflow instance " + std::to_string(id) + " not found");
          CommandOutput out;
          const bool done = wf.cancel(id);
          out.data = {{"id", id}, {"cancelled", done}};
          out.text = done ? "cancelled instance " + std::to_string(id) + "\n"
                          : "instance " + std::to_string(id) + " is " + to_string(inst->state) +
                                ", not active\n";
          if (!done) out.exit_code = 1;
          return out;
        });
  r.add(command({"workflows", "export"}, "export a workflow as a flow chart",
                {option("as", "mermaid or dot", "mermaid")}, {"NAME"}),
        [&wf](const CommandInput& in) {
          CommandOutput out;
          out.text =
              wf.export_chart(in.positionals.at(0), parse_chart_format(in.get("as", "mermaid")));
          out.data = {{"name", in.positionals.at(0)},
                      {"format", in.get("as", "mermaid")},
                      {"chart", out.text}};
          return out;
        });
  r.add(command({"workflows", "actions"}, "list the actions workflow steps can call"),
        [&wf](const CommandInput&) {
          return spec_table(wf.actions(), {"ACTION", "PARAMS (* required)", "WHAT IT DOES"});
        });
  r.add(command({"workflows", "conditions"},
                "list the named conditions triggers, branches and waits can test"),
        [&wf](const CommandInput&) {
          CommandOutput out =
              spec_table(wf.conditions(), {"CONDITION", "ARGS (* required)", "WHAT IT TESTS"});
          if (out.data.empty()) out.text = "no named conditions registered\n";
          return out;
        });
}

}  // namespace crm::core
