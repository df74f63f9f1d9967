// Finds, checks, orders, starts and stops plugins.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "crm/plugin.hpp"
#include "crm/plugin_host.hpp"
#include "plugin_check.hpp"
#include "plugin_context.hpp"
#include "plugin_discovery.hpp"

namespace crm::core {

struct PluginLoadOptions {
  std::filesystem::path check_file;  // empty: no check file
  bool check_new = false;            // check unknown plugins in a child first
  std::chrono::milliseconds check_timeout = std::chrono::seconds(10);
};

class PluginLoader {
 public:
  explicit PluginLoader(Logger& log) : log_(log) {}
  ~PluginLoader() { stop_all(); }
  PluginLoader(const PluginLoader&) = delete;
  PluginLoader& operator=(const PluginLoader&) = delete;

  // Reads the manifest of each of `files` from the file (no code of a plugin
  // runs before its manifest is accepted), refuses what cannot run (a bad
  // manifest, a missing requirement, a finding of the check file, a library
  // dlopen refuses) and starts the rest in dependency order. Never throws
  // for a bad plugin: its record says why.
  void load(const std::vector<std::filesystem::path>& files, const Json& config,
            KernelServices services, const PluginLoadOptions& options);

  // Stops started plugins in reverse start order and unloads them. An
  // exception from stop() is logged.
  void stop_all() noexcept;

  const std::vector<PluginRecord>& records() const { return records_; }

 private:
  struct Running {
    std::size_t record;
    std::shared_ptr<Plugin> plugin;  // keeps its library loaded
    std::unique_ptr<PluginContext> context;
  };
  // Refuses the candidates the check file (or, with check_new, a check in a
  // child process) says crash or hang.
  void apply_checks(FoundPlugins& found, const Json& config, const PluginLoadOptions& options);
  void start(std::size_t record, const std::vector<std::size_t>& requirements, const Json& config,
             KernelServices services);

  Logger& log_;
  std::vector<PluginRecord> records_;
  std::vector<Running> running_;  // in start order
};

// What a refusal for a check finding says: the finding and how to clear it.
std::string check_refusal(const CheckFinding& finding, const std::filesystem::path& check_file);

}  // namespace crm::core
