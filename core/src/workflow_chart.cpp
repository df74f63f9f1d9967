// Flow charts of workflow definitions: Mermaid and Graphviz DOT, so a
// process can be drawn, reviewed and re-engineered (the course's "draw the
// customer-management process as a flow chart").
#include <algorithm>
#include <map>

#include "crm/error.hpp"
#include "crm/workflow_definition.hpp"
#include "crm/workflow_engine.hpp"

namespace crm {
namespace {

std::string value_text(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string condition_text(const Json& c) {
  if (c.is_null()) return "always";
  if (c.is_boolean()) return c.get<bool>() ? "always" : "never";
  const auto join = [](const Json& list, const char* sep) {
    std::string s;
    for (const Json& x : list) {
      if (!s.empty()) s += sep;
      s += '(';
      s += condition_text(x);
      s += ')';
    }
    return s;
  };
  if (c.contains("all")) return join(c["all"], " and ");
  if (c.contains("any")) return join(c["any"], " or ");
  if (c.contains("not")) return "not (" + condition_text(c["not"]) + ")";
  if (c.contains("changed")) {
    std::string s = value_text(c["changed"]) + " changed";
    if (c.contains("from")) s += " from " + value_text(c["from"]);
    if (c.contains("to")) s += " to " + value_text(c["to"]);
    return s;
  }
  const std::string field =
      c.contains("old") ? "old " + value_text(c["old"]) : value_text(c.value("field", Json("?")));
  const std::string op = c.value("op", "eq");
  static const std::map<std::string, std::string> kSymbols = {
      {"eq", "="}, {"ne", "!="}, {"lt", "<"}, {"le", "<="}, {"gt", ">"}, {"ge", ">="}};
  const auto sym = kSymbols.find(op);
  std::string s = field + " " + (sym != kSymbols.end() ? sym->second : op);
  if (c.contains("value")) s += " " + value_text(c["value"]);
  return s;
}

std::string duration_text(Seconds d) {
  const auto s = d.count() < 0 ? -d.count() : d.count();
  std::string t;
  if (s != 0 && s % 86400 == 0) {
    t = std::to_string(s / 86400) + "d";
  } else if (s != 0 && s % 3600 == 0) {
    t = std::to_string(s / 3600) + "h";
  } else if (s != 0 && s % 60 == 0) {
    t = std::to_string(s / 60) + "m";
  } else {
    t = std::to_string(s) + "s";
  }
  return d.count() < 0 ? "-" + t : t;
}

enum class Shape { kBox, kDiamond, kRound, kSubroutine, kCircle, kTask };

struct Node {
  std::string id;
  std::string label;
  Shape shape;
};
struct Edge {
  std::string from, to, label;
};
struct Exit {
  std::string node, label;
};

// Lays out a definition as nodes and edges; both formats render this.
class ChartBuilder {
 public:
  explicit ChartBuilder(const WorkflowDefinition& d) {
    std::string trigger = d.trigger.event.empty() ? "started explicitly" : "on " + d.trigger.event;
    if (!d.trigger.condition.is_null()) trigger += "\nif " + condition_text(d.trigger.condition);
    const std::string start = add(trigger, Shape::kRound);
    const auto exits = block(d.steps, {{start, ""}});
    if (!exits.empty()) connect(exits, add("done", Shape::kCircle));
  }
  std::vector<Node> nodes;
  std::vector<Edge> edges;

 private:
  std::string add(std::string label, Shape shape) {
    nodes.push_back({"n" + std::to_string(nodes.size()), std::move(label), shape});
    return nodes.back().id;
  }
  void connect(const std::vector<Exit>& from, const std::string& to) {
    for (const auto& e : from) edges.push_back({e.node, to, e.label});
  }
  std::vector<Exit> nested(const std::vector<WorkflowStep>& steps, Exit from) {
    if (steps.empty()) return {std::move(from)};
    return block(steps, {std::move(from)});
  }
  std::vector<Exit> block(const std::vector<WorkflowStep>& steps, std::vector<Exit> in) {
    for (const WorkflowStep& s : steps) in = step(s, in);
    return in;
  }
  std::vector<Exit> step(const WorkflowStep& s, const std::vector<Exit>& in) {
    const std::string prefix = s.id.empty() ? "" : s.id + ": ";
    std::string n;
    std::vector<Exit> out;
    switch (s.type) {
      case WorkflowStep::Type::kAction:
        n = add(prefix + s.action, Shape::kBox);
        out = {{n, ""}};
        break;
      case WorkflowStep::Type::kWait: {
        std::string label = "wait ";
        if (s.duration) {
          label += duration_text(*s.duration);
        } else if (!s.until.empty()) {
          label += "until " + s.until;
          if (s.until_offset.count() != 0) label += " " + duration_text(s.until_offset);
        } else {
          label += "for " + s.event;
          if (!s.event_condition.is_null()) label += "\nif " + condition_text(s.event_condition);
        }
        n = add(prefix + label, Shape::kRound);
        if (!s.event.empty() && s.timeout) {
          out = {{n, "event"}};
          const auto late = nested(s.on_timeout, {n, "after " + duration_text(*s.timeout)});
          out.insert(out.end(), late.begin(), late.end());
        } else {
          out = {{n, ""}};
        }
        break;
      }
      case WorkflowStep::Type::kBranch: {
        n = add(prefix + condition_text(s.condition) + "?", Shape::kDiamond);
        out = nested(s.then_steps, {n, "yes"});
        const auto no = nested(s.else_steps, {n, "no"});
        out.insert(out.end(), no.begin(), no.end());
        break;
      }
      case WorkflowStep::Type::kTask: {
        std::string label = prefix + "task: " + s.title + "\nowner " + s.owner;
        if (s.due) label += ", due " + duration_text(*s.due);
        n = add(label, Shape::kTask);
        out = {{n, "done"}};
        if (s.due && !s.on_timeout.empty()) {
          const auto late = nested(s.on_timeout, {n, "late"});
          out.insert(out.end(), late.begin(), late.end());
        }
        break;
      }
      case WorkflowStep::Type::kWorkflow:
        n = add(prefix + "workflow " + s.workflow + (s.wait_for_end ? "" : " (no wait)"),
                Shape::kSubroutine);
        out = {{n, ""}};
        break;
      case WorkflowStep::Type::kEnd:
        n = add(prefix + "end (" + s.end_state + ")", Shape::kCircle);
        break;
    }
    connect(in, n);
    return out;
  }
};

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
  for (std::size_t pos = 0; (pos = s.find(what, pos)) != std::string::npos; pos += with.size()) {
    s.replace(pos, what.size(), with);
  }
  return s;
}

}  // namespace

std::string to_mermaid(const WorkflowDefinition& d) {
  const ChartBuilder chart(d);
  std::string out = "flowchart TD\n";
  for (const Node& n : chart.nodes) {
    std::string label = replace_all(n.label, "\"", "#quot;");
    label = replace_all(label, "\n", "<br/>");
    const std::string q = "\"" + label + "\"";
    out += "  " + n.id;
    switch (n.shape) {
      case Shape::kBox:
        out += "[" + q + "]";
        break;
      case Shape::kDiamond:
        out += "{" + q + "}";
        break;
      case Shape::kRound:
        out += "([" + q + "])";
        break;
      case Shape::kSubroutine:
        out += "[[" + q + "]]";
        break;
      case Shape::kCircle:
        out += "((" + q + "))";
        break;
      case Shape::kTask:
        out += "[/" + q + "/]";
        break;
    }
    out += "\n";
  }
  for (const Edge& e : chart.edges) {
    out += "  " + e.from + " -->";
    if (!e.label.empty()) out += "|" + replace_all(e.label, "\"", "#quot;") + "|";
    out += " " + e.to + "\n";
  }
  return out;
}

std::string to_dot(const WorkflowDefinition& d) {
  const ChartBuilder chart(d);
  const auto quote = [](const std::string& s) {
    std::string q = replace_all(s, "\\", "\\\\");
    q = replace_all(q, "\"", "\\\"");
    q = replace_all(q, "\n", "\\n");
    return "\"" + q + "\"";
  };
  std::string out = "digraph " + quote(d.name) + " {\n";
  out += "  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n";
  for (const Node& n : chart.nodes) {
    std::string shape;
    switch (n.shape) {
      case Shape::kBox:
        shape = "box";
        break;
      case Shape::kDiamond:
        shape = "diamond";
        break;
      case Shape::kRound:
        shape = "box, style=rounded";
        break;
      case Shape::kSubroutine:
        shape = "box, peripheries=2";
        break;
      case Shape::kCircle:
        shape = "circle";
        break;
      case Shape::kTask:
        shape = "parallelogram";
        break;
    }
    out += "  " + n.id + " [label=" + quote(n.label) + ", shape=" + shape + "];\n";
  }
  for (const Edge& e : chart.edges) {
    out += "  " + e.from + " -> " + e.to;
    if (!e.label.empty()) out += " [label=" + quote(e.label) + "]";
    out += ";\n";
  }
  out += "}\n";
  return out;
}

ChartFormat parse_chart_format(std::string_view text) {
  if (text == "mermaid") return ChartFormat::kMermaid;
  if (text == "dot") return ChartFormat::kDot;
  throw InvalidInput("unknown chart format '" + std::string(text) + "' (expected mermaid or dot)");
}

}  // namespace crm
