// The kernel's CommandRegistry.
#pragma once

#include <map>
#include <memory>

#include "crm/command_registry.hpp"

namespace crm::core {

class CommandTable final : public CommandRegistry {
 public:
  void add(CommandSpec spec, CommandHandler handler) override;
  std::vector<CommandSpec> list() const override;
  CommandOutput run(const std::vector<std::string>& path, const CommandInput& input) override;
  // Removes the command at `path` (a stopping plugin's commands).
  void remove(const std::vector<std::string>& path);

 private:
  struct Entry {
    CommandSpec spec;
    std::shared_ptr<const CommandHandler> handler;
  };
  std::map<std::vector<std::string>, Entry> commands_;
};

}  // namespace crm::core
