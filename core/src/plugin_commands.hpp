// `crm plugins list` and `crm plugins check`: the plugins a kernel found,
// and a check of each in a child process.
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "crm/command_registry.hpp"
#include "crm/json.hpp"
#include "plugin_loader.hpp"

namespace crm::core {

// What `plugins check` needs to know of the kernel's plugin search.
struct PluginSearch {
  std::vector<std::filesystem::path> dirs;   // the directories the kernel searches
  std::vector<std::filesystem::path> files;  // KernelOptions::plugin_files
  Json config = Json::object();
  std::filesystem::path check_file;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

void register_plugin_commands(CommandRegistry& registry, const PluginLoader& loader,
                              const PluginSearch& search);

}  // namespace crm::core
