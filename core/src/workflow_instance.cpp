// The JSON and text forms of instances, states and waits (crm/workflow_instance.hpp).
#include "crm/workflow_instance.hpp"

#include <array>
#include <type_traits>
#include <utility>

#include "crm/error.hpp"
#include "json_fields.hpp"

namespace crm {
namespace {

constexpr std::array<std::pair<InstanceState, std::string_view>, 6> kStates = {{
    {InstanceState::kRunning, "running"},
    {InstanceState::kWaiting, "waiting"},
    {InstanceState::kRetrying, "retrying"},
    {InstanceState::kCompleted, "completed"},
    {InstanceState::kFailed, "failed"},
    {InstanceState::kCancelled, "cancelled"},
}};

template <class T>
constexpr std::string_view kind_of() {
  if constexpr (std::is_same_v<T, TimerWait>) return "timer";
  if constexpr (std::is_same_v<T, RetryWait>) return "retry";
  if constexpr (std::is_same_v<T, TaskWait>) return "task";
  if constexpr (std::is_same_v<T, EventWait>) return "event";
  if constexpr (std::is_same_v<T, ChildWait>) return "workflow";
  if constexpr (std::is_same_v<T, PluginWait>) return "plugin";
  return "";
}

std::int64_t integer_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    throw InvalidInput(std::string("wait.") + key + ": expected an integer");
  }
  return it->get<std::int64_t>();
}

std::string text_at(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    throw InvalidInput(std::string("wait.") + key + ": expected a string");
  }
  return it->get<std::string>();
}

TimePoint time_at(const Json& j, const char* key) { return parse_time(text_at(j, key)); }

std::optional<TimePoint> optional_time(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return time_at(j, key);
}

std::optional<std::int64_t> optional_integer(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return integer_at(j, key);
}

}  // namespace

std::string to_string(InstanceState s) {
  for (const auto& [state, text] : kStates) {
    if (state == s) return std::string(text);
  }
  return "unknown";
}

InstanceState parse_instance_state(std::string_view text) {
  for (const auto& [state, name] : kStates) {
    if (name == text) return state;
  }
  throw InvalidInput("unknown instance state '" + std::string(text) +
                     "' (expected running, waiting, retrying, completed, failed or cancelled)");
}

std::string_view wait_kind(const Wait& w) {
  return std::visit([](const auto& x) { return kind_of<std::decay_t<decltype(x)>>(); }, w);
}

std::optional<TimerId> wait_timer(const Wait& w) {
  return std::visit(
      [](const auto& x) -> std::optional<TimerId> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, TimerWait> || std::is_same_v<T, RetryWait>) {
          return x.timer;
        } else if constexpr (std::is_same_v<T, TaskWait> || std::is_same_v<T, EventWait>) {
          return x.timer;
        } else {
          return std::nullopt;
        }
      },
      w);
}

Json to_json(const Wait& w) {
  return std::visit(
      [](const auto& x) -> Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else {
          Json j{{"kind", kind_of<T>()}};
          if constexpr (std::is_same_v<T, TimerWait> || std::is_same_v<T, RetryWait>) {
            j["timer"] = x.timer;
            j["due"] = format_time(x.due);
          } else if constexpr (std::is_same_v<T, TaskWait>) {
            j["task"] = x.task;
            if (x.due) j["due"] = format_time(*x.due);
            if (x.timer) j["timer"] = *x.timer;
          } else if constexpr (std::is_same_v<T, EventWait>) {
            j["event"] = x.event;
            if (x.due) j["due"] = format_time(*x.due);
            if (x.timer) j["timer"] = *x.timer;
          } else if constexpr (std::is_same_v<T, ChildWait>) {
            j["child"] = x.child;
          } else if constexpr (std::is_same_v<T, PluginWait>) {
            j["plugin"] = x.plugin;
            j["action"] = x.action;
          }
          return j;
        }
      },
      w);
}

Wait wait_from_json(const Json& j) {
  if (j.is_null()) return std::monostate{};
  if (!j.is_object()) throw InvalidInput("wait: expected an object or null");
  const std::string kind = text_at(j, "kind");
  if (kind == "timer") return TimerWait{integer_at(j, "timer"), time_at(j, "due")};
  if (kind == "retry") return RetryWait{integer_at(j, "timer"), time_at(j, "due")};
  if (kind == "task") {
    return TaskWait{integer_at(j, "task"), optional_time(j, "due"), optional_integer(j, "timer")};
  }
  if (kind == "event") {
    return EventWait{text_at(j, "event"), optional_time(j, "due"), optional_integer(j, "timer")};
  }
  if (kind == "workflow") return ChildWait{integer_at(j, "child")};
  if (kind == "plugin") return PluginWait{text_at(j, "plugin"), text_at(j, "action")};
  throw InvalidInput("wait.kind: unknown kind '" + kind + "'");
}

Json to_json(const WorkflowInstance& i) {
  Json j{{"id", i.id},
         {"workflow", i.workflow},
         {"version", i.version},
         {"customer_id", nullptr},
         {"state", to_string(i.state)},
         {"position", i.position},
         {"variables", i.variables},
         {"wait", to_json(i.wait)},
         {"error", i.error},
         {"attempts", i.attempts},
         {"parent_id", nullptr},
         {"chain", i.chain},
         {"started_at", format_time(i.started_at)},
         {"updated_at", format_time(i.updated_at)},
         {"ended_at", nullptr}};
  if (i.customer_id) j["customer_id"] = *i.customer_id;
  if (i.parent_id) j["parent_id"] = *i.parent_id;
  if (i.ended_at) j["ended_at"] = format_time(*i.ended_at);
  return j;
}

Json to_json(const StepRecord& r) {
  return Json{{"instance_id", r.instance_id}, {"at", format_time(r.at)},
              {"position", r.position},       {"type", r.type},
              {"outcome", r.outcome},         {"detail", r.detail}};
}

void from_json(const Json& j, WorkflowInstance& i) {
  const core::Fields f(j, "workflow instance");
  WorkflowInstance out;
  out.id = f.integer("id");
  out.workflow = f.text("workflow");
  out.version = static_cast<int>(f.integer("version"));
  out.customer_id = f.optional_integer("customer_id");
  try {
    out.state = parse_instance_state(f.text("state"));
    out.wait = wait_from_json(f.any("wait"));
  } catch (const InvalidInput& e) {
    throw InvalidInput(std::string("workflow instance: ") + e.what());
  }
  out.position = f.text("position");
  out.variables = f.object("variables");
  out.error = f.text("error");
  out.attempts = static_cast<int>(f.integer("attempts"));
  out.parent_id = f.optional_integer("parent_id");
  out.chain = f.texts("chain");
  out.started_at = f.time("started_at");
  out.updated_at = f.time("updated_at");
  out.ended_at = f.optional_time("ended_at");
  i = std::move(out);
}

void from_json(const Json& j, StepRecord& r) {
  const core::Fields f(j, "step record");
  StepRecord out;
  out.instance_id = f.integer("instance_id");
  out.at = f.time("at");
  out.position = f.text("position");
  out.type = f.text("type");
  out.outcome = f.text("outcome");
  out.detail = f.any("detail");
  r = std::move(out);
}

}  // namespace crm
