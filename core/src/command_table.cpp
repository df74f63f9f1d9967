#include "command_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string_view>

#include "crm/error.hpp"

namespace crm {
namespace {

template <class T>
bool parse_whole(const std::string& text, T& out) {
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size() && !text.empty();
}

}  // namespace

std::int64_t CommandInput::integer(const std::string& name, std::int64_t fallback) const {
  if (!has(name)) return fallback;
  std::int64_t v = 0;
  if (!parse_whole(get(name), v)) {
    throw InvalidInput("--" + name + " '" + get(name) + "' is not a whole number");
  }
  return v;
}

double CommandInput::number(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  double v = 0;
  if (!parse_whole(get(name), v)) {
    throw InvalidInput("--" + name + " '" + get(name) + "' is not a number");
  }
  // from_chars reads "nan" and "inf"; no option means either.
  if (!std::isfinite(v)) {
    throw InvalidInput("--" + name + " '" + get(name) + "' is not a finite number");
  }
  return v;
}

std::int64_t limit_option(const CommandInput& in, std::int64_t fallback) {
  return in.get("limit") == "all" ? -1 : in.integer("limit", fallback);
}

std::int64_t parse_id(const std::string& text, const char* what) {
  std::int64_t v = 0;
  if (!parse_whole(text, v) || v <= 0) {
    throw InvalidInput(std::string(what) + " '" + text + "' is not a positive integer id");
  }
  return v;
}

}  // namespace crm

namespace crm::core {
namespace {
std::string join(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& w : path) s += (s.empty() ? "" : " ") + w;
  return s;
}

bool has_option(const CommandSpec& spec, const std::string& name) {
  return std::any_of(spec.options.begin(), spec.options.end(),
                     [&](const ParamSpec& o) { return o.name == name; });
}

// The options given against the spec, with the check workflow action
// parameters get too (check_params), reading values as command-line text:
// every host refuses a missing required option, "--count ten" for an
// integer option and an option the command does not take, with one message
// listing each problem.
void check_declared_options(const CommandSpec& spec, const CommandInput& in) {
  Json given = Json::object();
  for (const auto& [name, value] : in.options) given[name] = value;
  ParamCheckOptions text;
  text.text_values = true;
  std::string problems;
  for (const ParamProblem& p : check_params(spec.options, given, text)) {
    problems += (problems.empty() ? "" : "; ") + ("--" + p.name + " " + p.message);
  }
  if (!problems.empty()) throw InvalidInput("'" + join(spec.path) + "': " + problems);
}

// Options every command names the same way mean the same everywhere, so the
// table checks them before the handler runs, for every host and plugin:
// --limit, --offset and --count are whole numbers, 0 or more (--limit may be
// "all", which the handler reads with limit_option()); an --out file
// that exists is kept unless --force is given.
void check_conventional_options(const CommandSpec& spec, const CommandInput& in) {
  check_declared_options(spec, in);
  for (const char* name : {"limit", "offset", "count"}) {
    if (!has_option(spec, name) || !in.has(name)) continue;
    if (in.get(name) == "all" && std::string_view(name) == "limit") continue;  // no limit
    if (in.integer(name, 0) < 0) {
      throw InvalidInput(std::string("--") + name + " must be 0 or more, got " + in.get(name));
    }
  }
  if (has_option(spec, "out") && in.has("out") && !in.flag("force")) {
    std::error_code ec;
    if (std::filesystem::exists(in.get("out"), ec)) {
      throw InvalidInput("--out " + in.get("out") +
                         " exists already; pass --force to overwrite it");
    }
  }
}

// The JSON path of the first number in `j` that is NaN or infinite, if any.
std::optional<std::string> non_finite_at(const Json& j, const std::string& path) {
  if (j.is_number_float()) {
    if (!std::isfinite(j.get<double>())) return path.empty() ? "/" : path;
    return std::nullopt;
  }
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (auto at = non_finite_at(value, path + "/" + key)) return at;
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (auto at = non_finite_at(j[i], path + "/" + std::to_string(i))) return at;
    }
  }
  return std::nullopt;
}
}  // namespace

void CommandTable::add(CommandSpec spec, CommandHandler handler) {
  if (spec.path.empty()) throw InvalidInput("command path is empty");
  if (!handler) throw InvalidInput("command '" + join(spec.path) + "' has no handler");
  if (commands_.count(spec.path)) {
    throw InvalidInput("command '" + join(spec.path) + "' is already registered");
  }
  if (has_option(spec, "out") && !has_option(spec, "force")) {
    spec.options.push_back(flag("force", "overwrite the --out file if it exists"));
  }
  auto path = spec.path;
  commands_.emplace(
      std::move(path),
      Entry{std::move(spec), std::make_shared<const CommandHandler>(std::move(handler))});
}

std::vector<CommandSpec> CommandTable::list() const {
  std::vector<CommandSpec> out;
  for (const auto& [path, e] : commands_) out.push_back(e.spec);
  return out;
}

CommandOutput CommandTable::run(const std::vector<std::string>& path, const CommandInput& input) {
  auto it = commands_.find(path);
  if (it == commands_.end()) throw NotFound("no command '" + join(path) + "'");
  check_conventional_options(it->second.spec, input);
  const auto handler = it->second.handler;
  CommandOutput out = (*handler)(input);
  // JSON has no NaN or infinity (it would print as null), and a text
  // rendering of one says "nan": a result that is not a number is an error.
  if (const auto at = non_finite_at(out.data, "")) {
    throw Error("'" + join(path) + "' computed a value that is not a finite number (at " + *at +
                "); the inputs are out of the range it can compute");
  }
  return out;
}

void CommandTable::remove(const std::vector<std::string>& path) { commands_.erase(path); }

}  // namespace crm::core
