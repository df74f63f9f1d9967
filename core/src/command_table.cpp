#include "command_table.hpp"

#include "crm/error.hpp"

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
