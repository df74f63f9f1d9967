#include "command_table.hpp"

#include <charconv>
#include <cmath>

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
  // from_chars reads "inf" and "nan"; no option means either.
  if (!std::isfinite(v)) {
    throw InvalidInput("--" + name + " '" + get(name) + "' is not a finite number");
  }
  return v;
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
}  // namespace

void CommandTable::add(CommandSpec spec, CommandHandler handler) {
  if (spec.path.empty()) throw InvalidInput("command path is empty");
  if (!handler) throw InvalidInput("command '" + join(spec.path) + "' has no handler");
  if (commands_.count(spec.path)) {
    throw InvalidInput("command '" + join(spec.path) + "' is already registered");
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
  const auto handler = it->second.handler;
  return (*handler)(input);
}

void CommandTable::remove(const std::vector<std::string>& path) { commands_.erase(path); }

}  // namespace crm::core
