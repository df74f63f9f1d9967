// The kernel: one database, its event bus, clock, scheduler, commands and the
// plugins loaded into it. Applications (the `crm` command, a Python program,
// a custom CRM product) create one Kernel and work through it. A Kernel is
// the host's view: its scheduler and workflow engine have the host-only
// operations (run_due, install, recover...) that a plugin's Context lacks.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/business_calendar.hpp"
#include "crm/clock.hpp"
#include "crm/command_registry.hpp"
#include "crm/event_bus.hpp"
#include "crm/export.hpp"
#include "crm/host_scheduler.hpp"
#include "crm/host_workflow_engine.hpp"
#include "crm/json.hpp"
#include "crm/logger.hpp"
#include "crm/money.hpp"
#include "crm/plugin_host.hpp"
#include "crm/service_registry.hpp"
#include "crm/store.hpp"

namespace crm {

// Where the kernel remembers plugins that failed a check in a child process
// (KernelOptions::plugin_check_file): $CRM_PLUGIN_CHECK_FILE (set and empty:
// nowhere), else $XDG_STATE_HOME/crm/plugin-check.json, else
// ~/.local/state/crm/plugin-check.json.
CRM_API std::filesystem::path default_plugin_check_file();

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
  // Load exactly these plugin files, in this order, instead of searching the
  // directories above (the child process of a plugin check uses it).
  std::vector<std::filesystem::path> plugin_files;

  // A plugin that crashed or hung when checked in a child process (`crm
  // plugins check`, or `check_new_plugins`) is recorded here by path, size
  // and modification time, and refused until its file changes. Empty: no
  // file; nothing is remembered or refused.
  std::filesystem::path plugin_check_file = default_plugin_check_file();
  // Check every plugin the check file has no finding for (new or changed
  // since) in a child process before loading it into this one, and record
  // the finding, a pass included. The `crm` command turns this on.
  bool check_new_plugins = false;
  // How long one check may take before its child is killed ("hung").
  std::chrono::milliseconds plugin_check_timeout = std::chrono::seconds(10);

  // The channels, their cost per contact and consent flag; every recorded
  // interaction takes its channel's cost from here (crm/channel_catalogue.hpp).
  ChannelCatalogue channels;
  // The currency of an amount that comes without one (a CSV without a
  // currency column, `--amount 12.50`, the REAL amounts migration 2 converts).
  Currency default_currency = Currency::of("USD");

  // Plugin configuration: {"<plugin name>": {...}}; each plugin sees its own.
  Json plugin_config = Json::object();

  // The business time zone, an IANA name ("Europe/Berlin"): local dates,
  // day boundaries and working hours are in it. An unknown name makes the
  // Kernel constructor throw InvalidInput.
  std::string time_zone = "UTC";
  // The working hours and breaks of the business calendar (its holidays are
  // in the store: Store::holidays()). Overlapping periods make the Kernel
  // constructor throw InvalidInput.
  WorkingWeek working_week;

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
  // The business time zone (KernelOptions::time_zone).
  const TimeZone& time_zone() const;
  // The business calendar: KernelOptions::working_week in the business time
  // zone with the store's holidays as they are now.
  BusinessCalendar calendar();
  // The simulated clock, or null when running on wall time.
  SimulatedClock* simulated_clock();
  HostScheduler& scheduler();
  CommandRegistry& commands();
  Logger& log();
  // Workflow definitions, instances and actions (docs/workflows.md).
  HostWorkflowEngine& workflows();
  // The services plugins provide; a host may get them (pinned like a
  // plugin's) and provide its own (listed with provider "").
  ServiceRegistry& services();

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
