// The kernel: one database, its event bus, clock, scheduler, commands and the
// plugins loaded into it. Applications (the `crm` command, a Python program,
// a custom CRM product) create one Kernel and work through it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/clock.hpp"
#include "crm/command_registry.hpp"
#include "crm/event_bus.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/plugin_host.hpp"
#include "crm/scheduler.hpp"
#include "crm/store.hpp"
#include "crm/workflow_engine.hpp"

namespace crm {

struct KernelOptions {
  // The SQLite database file; ":memory:" for a private in-memory one. The
  // file and its schema are created when missing.
  std::string database = "crm.db";

  // Where plugins are looked for, in this order: `plugin_dirs`, then the
  // directories of CRM_PLUGIN_PATH (':'-separated) when `use_plugin_path_env`,
  // then the bundled directory next to the kernel library when
  // `use_bundled_plugins`. The first plugin of a name wins.
  std::vector<std::filesystem::path> plugin_dirs;
  bool use_plugin_path_env = true;
  bool use_bundled_plugins = true;
  bool load_plugins = true;

  // Plugin configuration: {"<plugin name>": {...}}; each plugin sees its own.
  Json plugin_config = Json::object();

  // Run on simulated time starting here instead of the wall clock.
  std::optional<TimePoint> simulated_start;

  // Messages at or above this level go to the logger (stderr by default).
  Logger::Level log_level = Logger::Level::kWarning;
  std::shared_ptr<Logger> logger;  // null: stderr
};

class CRM_API Kernel {
 public:
  // Opens the database (applying pending migrations), then discovers, checks
  // and starts plugins. A bad plugin is recorded in plugins(), never thrown;
  // a database that cannot be opened throws StoreError naming the path.
  explicit Kernel(KernelOptions options);
  // Stops plugins in reverse start order, then closes the database.
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Store& store();
  EventBus& bus();
  const Clock& clock() const;
  // The simulated clock, or null when running on wall time.
  SimulatedClock* simulated_clock();
  Scheduler& scheduler();
  CommandRegistry& commands();
  Logger& log();
  // Workflow definitions, instances and actions (docs/workflows.md).
  WorkflowEngine& workflows();

  // Every plugin file found, with its status, in discovery order.
  const std::vector<PluginRecord>& plugins() const;

  // The bundled plugin directory: lib/crm/plugins beside the kernel library
  // in both the build tree and an installation.
  static std::filesystem::path bundled_plugin_dir();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crm
