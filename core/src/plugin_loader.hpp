// Finds, checks, orders, starts and stops plugins.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "crm/plugin.hpp"
#include "crm/plugin_host.hpp"
#include "plugin_context.hpp"

namespace crm::core {

class PluginLoader {
 public:
  explicit PluginLoader(Logger& log) : log_(log) {}
  ~PluginLoader() { stop_all(); }
  PluginLoader(const PluginLoader&) = delete;
  PluginLoader& operator=(const PluginLoader&) = delete;

  // Reads every *.so in `dirs` (in order; missing directories are skipped),
  // refuses what cannot run, and starts the rest in dependency order. Never
  // throws for a bad plugin: its record says why.
  void load(const std::vector<std::filesystem::path>& dirs, const Json& config,
            KernelServices services);

  // Stops started plugins in reverse start order and unloads them.
  void stop_all() noexcept;

  const std::vector<PluginRecord>& records() const { return records_; }

 private:
  struct Candidate;
  struct Running {
    std::size_t record;
    std::shared_ptr<Plugin> plugin;  // keeps its library loaded
    std::unique_ptr<PluginContext> context;
  };
  void order_and_start(std::vector<Candidate>& found, const Json& config, KernelServices services);

  Logger& log_;
  std::vector<PluginRecord> records_;
  std::vector<Running> running_;  // in start order
};

}  // namespace crm::core
