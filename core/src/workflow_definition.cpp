// Parsing, checking and building workflow definitions (crm/workflow_definition.hpp).
#include "crm/workflow_definition.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "crm/error.hpp"
#include "json_depth.hpp"

namespace crm {
namespace {

using Errors = std::vector<DefinitionError>;

const std::set<std::string, std::less<>> kCommonKeys = {"type", "id", "note"};

const std::set<std::string, std::less<>>& keys_of(WorkflowStep::Type t) {
  static const std::set<std::string, std::less<>> action = {"action", "params", "save_as", "retry"};
  static const std::set<std::string, std::less<>> wait = {
      "duration", "until", "offset", "event", "condition", "timeout", "on_timeout", "save_as"};
  static const std::set<std::string, std::less<>> branch = {"condition", "then", "else"};
  static const std::set<std::string, std::less<>> task = {"title", "owner", "due", "on_timeout",
                                                          "save_as"};
  static const std::set<std::string, std::less<>> workflow = {"workflow", "variables", "wait"};
  static const std::set<std::string, std::less<>> end = {"state"};
  switch (t) {
    case WorkflowStep::Type::kAction:
      return action;
    case WorkflowStep::Type::kWait:
      return wait;
    case WorkflowStep::Type::kBranch:
      return branch;
    case WorkflowStep::Type::kTask:
      return task;
    case WorkflowStep::Type::kWorkflow:
      return workflow;
    case WorkflowStep::Type::kEnd:
      break;
  }
  return end;
}

std::optional<WorkflowStep::Type> parse_type(std::string_view s) {
  if (s == "action") return WorkflowStep::Type::kAction;
  if (s == "wait") return WorkflowStep::Type::kWait;
  if (s == "branch") return WorkflowStep::Type::kBranch;
  if (s == "task") return WorkflowStep::Type::kTask;
  if (s == "workflow") return WorkflowStep::Type::kWorkflow;
  if (s == "end") return WorkflowStep::Type::kEnd;
  return std::nullopt;
}

// "a string, got number": what a value of the wrong JSON type is told.
std::string expected(const char* what, const Json& got) {
  return std::string("expected ") + what + ", got " + got.type_name();
}

// What a duration may be: zero is meaningless for a wait, a due time or a
// timeout, and an offset is the only one that may point backwards.
enum class DurationKind { kPositive, kZeroAllowed, kSigned };

// A duration within kMaxWorkflowDuration, so that adding it to any time the
// clock gives cannot overflow; an offset may have one leading '-'.
std::optional<Seconds> duration_at(const Json& j, const std::string& key, const std::string& path,
                                   Errors& errors, DurationKind kind = DurationKind::kPositive) {
  const auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  const std::string at = path + "." + key;
  if (!it->is_string()) {
    errors.push_back({at, expected("a duration text such as \"24h\" or \"3d\"", *it)});
    return std::nullopt;
  }
  const std::string& whole = it->get_ref<const std::string&>();
  std::string_view text = whole;
  const bool negative = kind == DurationKind::kSigned && text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.find('-') != std::string_view::npos) {
    errors.push_back({at, kind == DurationKind::kSigned
                              ? "'" + whole + "' may only have one leading '-'"
                              : "must not be negative ('" + whole + "')"});
    return std::nullopt;
  }
  try {
    const Seconds d = parse_duration(text);
    if (d > kMaxWorkflowDuration) {
      errors.push_back({at, "'" + whole + "' is longer than the longest duration, 100 years (" +
                                std::to_string(kMaxWorkflowDuration.count() / 86400) + "d)"});
      return std::nullopt;
    }
    if (d.count() == 0 && kind == DurationKind::kPositive) {
      errors.push_back({at, "must be longer than zero ('" + whole + "')"});
      return std::nullopt;
    }
    return negative ? -d : d;
  } catch (const InvalidInput& e) {
    errors.push_back({at, e.what()});
    return std::nullopt;
  }
}

std::string text_at(const Json& j, const std::string& key, const std::string& path, Errors& errors,
                    bool required) {
  const auto it = j.find(key);
  if (it == j.end()) {
    if (required) errors.push_back({path + "." + key, "is required"});
    return {};
  }
  if (!it->is_string()) {
    errors.push_back({path + "." + key, expected("a string", *it)});
    return {};
  }
  if (required && it->get_ref<const std::string&>().empty()) {
    errors.push_back({path + "." + key, "must be a non-empty string"});
    return {};
  }
  return it->get<std::string>();
}

bool valid_name(std::string_view n) {
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

std::vector<WorkflowStep> parse_block(const Json& j, const std::string& path, Errors& errors,
                                      bool required_non_empty);

WorkflowStep parse_step(const Json& j, const std::string& path, Errors& errors) {
  WorkflowStep s;
  if (!j.is_object()) {
    errors.push_back({path, "a step must be an object"});
    return s;
  }
  const std::string type_text = text_at(j, "type", path, errors, true);
  const auto type = parse_type(type_text);
  if (!type) {
    if (!type_text.empty()) {
      errors.push_back({path + ".type", "unknown step type '" + type_text +
                                            "' (expected action, wait, branch, task, workflow "
                                            "or end)"});
    }
    return s;
  }
  s.type = *type;
  s.id = text_at(j, "id", path, errors, false);
  const auto& allowed = keys_of(s.type);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!allowed.count(it.key()) && !kCommonKeys.count(it.key())) {
      errors.push_back({path + "." + it.key(), "unknown key for a " + type_text + " step"});
    }
  }
  s.save_as = text_at(j, "save_as", path, errors, false);
  switch (s.type) {
    case WorkflowStep::Type::kAction: {
      s.action = text_at(j, "action", path, errors, true);
      if (j.contains("params")) {
        if (j["params"].is_object()) {
          s.params = j["params"];
        } else {
          errors.push_back({path + ".params", "must be an object"});
        }
      }
      if (const auto it = j.find("retry"); it != j.end()) {
        const std::string rpath = path + ".retry";
        if (!it->is_object()) {
          errors.push_back({rpath, "must be an object {max_attempts, delay, backoff}"});
        } else {
          const Json& r = *it;
          if (r.contains("max_attempts")) {
            // Read as 64 bits first: a huge value must not wrap into range.
            const std::int64_t n = r["max_attempts"].is_number_integer()
                                       ? r["max_attempts"].get<std::int64_t>()
                                       : std::int64_t{0};
            if (n < 1 || n > 1000) {
              errors.push_back({rpath + ".max_attempts", "must be an integer from 1 to 1000"});
            } else {
              s.retry.max_attempts = static_cast<int>(n);
            }
          }
          if (auto d = duration_at(r, "delay", rpath, errors, DurationKind::kZeroAllowed)) {
            s.retry.delay = *d;
          }
          if (r.contains("backoff")) {
            if (!r["backoff"].is_number() || r["backoff"].get<double>() < 1.0) {
              errors.push_back({rpath + ".backoff", "must be a number >= 1"});
            } else {
              s.retry.backoff = r["backoff"].get<double>();
            }
          }
        }
      }
      break;
    }
    case WorkflowStep::Type::kWait: {
      s.duration = duration_at(j, "duration", path, errors);
      s.until = text_at(j, "until", path, errors, false);
      s.event = text_at(j, "event", path, errors, false);
      if (s.event.find('*') != std::string::npos) {
        errors.push_back(
            {path + ".event", "a wait is for one event type, not a pattern ('" + s.event + "')"});
      }
      const int kinds =
          int(j.contains("duration")) + int(j.contains("until")) + int(j.contains("event"));
      if (kinds != 1) {
        errors.push_back({path, "a wait needs exactly one of duration, until or event"});
      }
      if (auto off = duration_at(j, "offset", path, errors, DurationKind::kSigned)) {
        s.until_offset = *off;
      }
      if (j.contains("offset") && !j.contains("until")) {
        errors.push_back({path + ".offset", "only applies to a wait with until"});
      }
      s.timeout = duration_at(j, "timeout", path, errors);
      if (j.contains("condition")) {
        s.event_condition = j["condition"];
        validate_condition(s.event_condition, path + ".condition", errors);
      }
      if (!j.contains("event")) {
        for (const char* k : {"condition", "timeout", "on_timeout", "save_as"}) {
          if (j.contains(k))
            errors.push_back({path + "." + k, "only applies to a wait for an event"});
        }
      }
      if (j.contains("on_timeout")) {
        s.on_timeout = parse_block(j["on_timeout"], path + ".on_timeout", errors, false);
        if (!j.contains("timeout")) {
          errors.push_back({path + ".on_timeout", "needs a timeout"});
        }
      }
      break;
    }
    case WorkflowStep::Type::kBranch: {
      if (!j.contains("condition")) {
        errors.push_back({path + ".condition", "is required"});
      } else {
        s.condition = j["condition"];
        validate_condition(s.condition, path + ".condition", errors);
      }
      if (!j.contains("then") && !j.contains("else")) {
        errors.push_back({path, "a branch needs then or else"});
      }
      if (j.contains("then")) s.then_steps = parse_block(j["then"], path + ".then", errors, false);
      if (j.contains("else")) s.else_steps = parse_block(j["else"], path + ".else", errors, false);
      break;
    }
    case WorkflowStep::Type::kTask: {
      s.title = text_at(j, "title", path, errors, true);
      s.owner = text_at(j, "owner", path, errors, true);
      s.due = duration_at(j, "due", path, errors);
      if (j.contains("on_timeout")) {
        s.on_timeout = parse_block(j["on_timeout"], path + ".on_timeout", errors, false);
        if (!j.contains("due")) errors.push_back({path + ".on_timeout", "needs a due time"});
      }
      break;
    }
    case WorkflowStep::Type::kWorkflow: {
      s.workflow = text_at(j, "workflow", path, errors, true);
      if (j.contains("variables")) {
        if (j["variables"].is_object()) {
          s.params = j["variables"];
        } else {
          errors.push_back({path + ".variables", "must be an object"});
        }
      }
      if (j.contains("wait")) {
        if (j["wait"].is_boolean()) {
          s.wait_for_end = j["wait"].get<bool>();
        } else {
          errors.push_back({path + ".wait", "must be true or false"});
        }
      }
      break;
    }
    case WorkflowStep::Type::kEnd: {
      if (j.contains("state")) {
        s.end_state = text_at(j, "state", path, errors, true);
        if (s.end_state != "completed" && s.end_state != "cancelled") {
          errors.push_back({path + ".state", "must be \"completed\" or \"cancelled\""});
        }
      }
      break;
    }
  }
  return s;
}

std::vector<WorkflowStep> parse_block(const Json& j, const std::string& path, Errors& errors,
                                      bool required_non_empty) {
  std::vector<WorkflowStep> out;
  if (!j.is_array()) {
    errors.push_back({path, "must be an array of steps"});
    return out;
  }
  if (required_non_empty && j.empty()) errors.push_back({path, "must have at least one step"});
  for (std::size_t i = 0; i < j.size(); ++i) {
    out.push_back(parse_step(j[i], path + "[" + std::to_string(i) + "]", errors));
  }
  return out;
}

WorkflowDefinition parse(const Json& j, Errors& errors) {
  WorkflowDefinition d;
  // Before anything (even the copy below) recurses into the document.
  if (const auto deep = core::too_deep_at(j, kMaxDefinitionDepth)) {
    errors.push_back({*deep, "nested deeper than " + std::to_string(kMaxDefinitionDepth) +
                                 " levels of arrays and objects"});
    return d;
  }
  d.source = j;
  if (!j.is_object()) {
    errors.push_back({"$", "a workflow definition must be a JSON object"});
    return d;
  }
  static const std::set<std::string, std::less<>> kTop = {
      "name",           "description",    "priority",  "trigger", "steps",
      "allow_parallel", "retrigger_self", "variables", "version", "$schema"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!kTop.count(it.key())) errors.push_back({"$." + it.key(), "unknown key"});
  }
  d.name = text_at(j, "name", "$", errors, true);
  if (!d.name.empty() && !valid_name(d.name)) {
    errors.push_back({"$.name", "'" + d.name + "' may only hold a-z, 0-9, '_', '.' and '-'"});
  }
  d.description = text_at(j, "description", "$", errors, false);
  if (j.contains("priority")) {
    const Json& p = j["priority"];
    if (p.is_number_integer() && p.get<std::int64_t>() >= -1'000'000 &&
        p.get<std::int64_t>() <= 1'000'000) {
      d.priority = static_cast<int>(p.get<std::int64_t>());
    } else {
      errors.push_back({"$.priority", "must be an integer from -1000000 to 1000000"});
    }
  }
  for (auto [key, field] : {std::pair{"allow_parallel", &d.allow_parallel},
                            std::pair{"retrigger_self", &d.retrigger_self}}) {
    if (!j.contains(key)) continue;
    if (j[key].is_boolean()) {
      *field = j[key].get<bool>();
    } else {
      errors.push_back({std::string("$.") + key, "must be true or false"});
    }
  }
  if (j.contains("variables")) {
    if (j["variables"].is_object()) {
      d.variables = j["variables"];
    } else {
      errors.push_back({"$.variables", "must be an object"});
    }
  }
  if (const auto it = j.find("trigger"); it != j.end()) {
    if (!it->is_object()) {
      errors.push_back({"$.trigger", "must be an object {event, condition}"});
    } else {
      for (auto k = it->begin(); k != it->end(); ++k) {
        if (k.key() != "event" && k.key() != "condition") {
          errors.push_back({"$.trigger." + k.key(), "unknown key"});
        }
      }
      d.trigger.event = text_at(*it, "event", "$.trigger", errors, true);
      if (it->contains("condition")) {
        d.trigger.condition = (*it)["condition"];
        validate_condition(d.trigger.condition, "$.trigger.condition", errors);
      }
    }
  }
  if (!j.contains("steps")) {
    errors.push_back({"$.steps", "is required"});
  } else {
    d.steps = parse_block(j["steps"], "$.steps", errors, true);
  }
  return d;
}

void visit_block(const std::vector<WorkflowStep>& block, const std::string& path,
                 const std::function<void(const WorkflowStep&, const std::string&)>& visit) {
  for (std::size_t i = 0; i < block.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    visit(block[i], p);
    for (const std::string_view nested : kNestedBlocks) {
      visit_block(*block[i].block(nested), p + "." + std::string(nested), visit);
    }
  }
}

std::string duration_text(Seconds d) {
  const auto s = d.count();
  if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

Json block_json(const WorkflowBuilder* b) {
  if (!b) return Json::array();
  return b->json().value("steps", Json::array());
}

}  // namespace

const std::vector<WorkflowStep>* WorkflowStep::block(std::string_view name) const {
  static_assert(kNestedBlocks.size() == 3, "a nested block without its member here");
  if (name == kNestedBlocks[0]) return &then_steps;
  if (name == kNestedBlocks[1]) return &else_steps;
  if (name == kNestedBlocks[2]) return &on_timeout;
  return nullptr;
}

std::string to_string(WorkflowStep::Type t) {
  switch (t) {
    case WorkflowStep::Type::kAction:
      return "action";
    case WorkflowStep::Type::kWait:
      return "wait";
    case WorkflowStep::Type::kBranch:
      return "branch";
    case WorkflowStep::Type::kTask:
      return "task";
    case WorkflowStep::Type::kWorkflow:
      return "workflow";
    case WorkflowStep::Type::kEnd:
      break;
  }
  return "end";
}

std::vector<DefinitionError> check_workflow_json(const Json& definition) {
  Errors errors;
  (void)parse(definition, errors);
  return errors;
}

WorkflowDefinition parse_workflow(const Json& definition) {
  Errors errors;
  WorkflowDefinition d = parse(definition, errors);
  if (!errors.empty()) {
    std::string message = "invalid workflow definition";
    if (!d.name.empty()) message += " '" + d.name + "'";
    message += ":";
    for (const auto& e : errors) {
      message += '\n';
      message += to_string(e);
    }
    throw InvalidInput(message);
  }
  return d;
}

Json read_workflow_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw NotFound("cannot open workflow file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str());
  } catch (const Json::parse_error& e) {
    throw InvalidInput(path + ": not valid JSON: " + e.what());
  }
}

void for_each_step(const WorkflowDefinition& d,
                   const std::function<void(const WorkflowStep&, const std::string&)>& visit) {
  visit_block(d.steps, "$.steps", visit);
}

// --- builder ---

WorkflowBuilder::WorkflowBuilder(std::string name)
    : json_{{"name", std::move(name)}, {"steps", Json::array()}} {}

WorkflowBuilder& WorkflowBuilder::on(std::string event, Json condition) {
  json_["trigger"] = {{"event", std::move(event)}};
  if (!condition.is_null()) json_["trigger"]["condition"] = std::move(condition);
  return *this;
}
WorkflowBuilder& WorkflowBuilder::priority(int p) {
  json_["priority"] = p;
  return *this;
}
WorkflowBuilder& WorkflowBuilder::allow_parallel(bool yes) {
  json_["allow_parallel"] = yes;
  return *this;
}
WorkflowBuilder& WorkflowBuilder::retrigger_self(bool yes) {
  json_["retrigger_self"] = yes;
  return *this;
}
WorkflowBuilder& WorkflowBuilder::step(Json s) {
  json_["steps"].push_back(std::move(s));
  return *this;
}
WorkflowBuilder& WorkflowBuilder::action(std::string name, Json params, std::string save_as) {
  Json s{{"type", "action"}, {"action", std::move(name)}, {"params", std::move(params)}};
  if (!save_as.empty()) s["save_as"] = std::move(save_as);
  return step(std::move(s));
}
WorkflowBuilder& WorkflowBuilder::wait_for(Seconds duration) {
  return step({{"type", "wait"}, {"duration", duration_text(duration)}});
}
WorkflowBuilder& WorkflowBuilder::wait_until(std::string time_template, Seconds offset) {
  Json s{{"type", "wait"}, {"until", std::move(time_template)}};
  if (offset.count() != 0) {
    std::string text = offset.count() < 0 ? std::string(1, '-') : std::string();
    text += duration_text(offset.count() < 0 ? -offset : offset);
    s["offset"] = text;
  }
  return step(std::move(s));
}
WorkflowBuilder& WorkflowBuilder::wait_event(std::string event, Json condition,
                                             std::optional<Seconds> timeout,
                                             const WorkflowBuilder* on_timeout) {
  Json s{{"type", "wait"}, {"event", std::move(event)}};
  if (!condition.is_null()) s["condition"] = std::move(condition);
  if (timeout) s["timeout"] = duration_text(*timeout);
  if (on_timeout) s["on_timeout"] = block_json(on_timeout);
  return step(std::move(s));
}
WorkflowBuilder& WorkflowBuilder::branch(Json condition, const WorkflowBuilder& then_steps,
                                         const WorkflowBuilder* else_steps) {
  Json s{
      {"type", "branch"}, {"condition", std::move(condition)}, {"then", block_json(&then_steps)}};
  if (else_steps) s["else"] = block_json(else_steps);
  return step(std::move(s));
}
WorkflowBuilder& WorkflowBuilder::task(std::string title, std::string owner, Seconds due,
                                       const WorkflowBuilder* on_timeout) {
  Json s{{"type", "task"},
         {"title", std::move(title)},
         {"owner", std::move(owner)},
         {"due", duration_text(due)}};
  if (on_timeout) s["on_timeout"] = block_json(on_timeout);
  return step(std::move(s));
}
WorkflowBuilder& WorkflowBuilder::sub_workflow(std::string name, Json variables,
                                               bool wait_for_end) {
  return step({{"type", "workflow"},
               {"workflow", std::move(name)},
               {"variables", std::move(variables)},
               {"wait", wait_for_end}});
}
WorkflowBuilder& WorkflowBuilder::end(std::string state) {
  return step({{"type", "end"}, {"state", std::move(state)}});
}
WorkflowDefinition WorkflowBuilder::build() const { return parse_workflow(json_); }

}  // namespace crm
