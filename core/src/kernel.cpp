#include "crm/kernel.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>

#include "asset_store.hpp"
#include "audit_store.hpp"
#include "calendar_commands.hpp"
#include "case_commands.hpp"
#include "case_store.hpp"
#include "catalogue_commands.hpp"
#include "command_table.hpp"
#include "crm/error.hpp"
#include "customer_privacy_store.hpp"
#include "customer_store.hpp"
#include "customer_table_set.hpp"
#include "event_dispatcher.hpp"
#include "holiday_store.hpp"
#include "interaction_store.hpp"
#include "kernel_commands.hpp"
#include "kernel_schema.hpp"
#include "plugin_check.hpp"
#include "plugin_commands.hpp"
#include "plugin_discovery.hpp"
#include "plugin_loader.hpp"
#include "product_store.hpp"
#include "service_table.hpp"
#include "stderr_logger.hpp"
#include "task_store.hpp"
#include "timer_store.hpp"
#include "workflow_commands.hpp"
#include "workflow_runtime.hpp"

namespace crm {
namespace {

class SqliteStore final : public Store {
 public:
  SqliteStore(core::SqliteDatabase& db, CustomerRepository& c, InteractionRepository& i,
              TaskRepository& t, AuditLog& a, CaseRepository& k, CustomerTableRegistry& ct,
              CustomerPrivacy& p, HolidayRepository& h, ProductRepository& pr, AssetRepository& as,
              const ChannelCatalogue& ch, Currency default_currency)
      : db_(db),
        customers_(c),
        interactions_(i),
        tasks_(t),
        audit_(a),
        cases_(k),
        customer_tables_(ct),
        privacy_(p),
        holidays_(h),
        products_(pr),
        assets_(as),
        channels_(ch),
        default_currency_(default_currency) {}
  Database& db() override { return db_; }
  CustomerRepository& customers() override { return customers_; }
  InteractionRepository& interactions() override { return interactions_; }
  TaskRepository& tasks() override { return tasks_; }
  AuditLog& audit() override { return audit_; }
  CaseRepository& cases() override { return cases_; }
  CustomerTableRegistry& customer_tables() override { return customer_tables_; }
  CustomerPrivacy& privacy() override { return privacy_; }
  HolidayRepository& holidays() override { return holidays_; }
  ProductRepository& products() override { return products_; }
  AssetRepository& assets() override { return assets_; }
  const ChannelCatalogue& channels() override { return channels_; }
  Currency default_currency() const override { return default_currency_; }

 private:
  core::SqliteDatabase& db_;
  CustomerRepository& customers_;
  InteractionRepository& interactions_;
  TaskRepository& tasks_;
  AuditLog& audit_;
  CaseRepository& cases_;
  CustomerTableRegistry& customer_tables_;
  CustomerPrivacy& privacy_;
  HolidayRepository& holidays_;
  ProductRepository& products_;
  AssetRepository& assets_;
  const ChannelCatalogue& channels_;
  Currency default_currency_;
};

std::unique_ptr<Clock> make_clock(const KernelOptions& o) {
  if (o.simulated_start) return std::make_unique<SimulatedClock>(*o.simulated_start);
  return std::make_unique<WallClock>();
}

std::shared_ptr<Logger> make_logger(const KernelOptions& o) {
  if (o.logger) return o.logger;
  return std::make_shared<core::StderrLogger>(o.log_level);
}

}  // namespace

// Members are declared in dependency order: each is destroyed before what it
// uses, and the plugins (declared last) go first.
struct Kernel::Impl {
  explicit Impl(const KernelOptions& o)
      : zone(TimeZone::named(o.time_zone)),
        working_week(BusinessCalendar(zone, o.working_week, {}).week()),
        logger(make_logger(o)),
        clock(make_clock(o)),
        db(o.database),
        bus(*clock, *logger, db),
        audit(db, *clock),
        customer_tables(db),
        channels(o.channels),
        customers(core::StoreParts{db, bus, *clock, audit}, customer_tables),
        interactions(core::StoreParts{db, bus, *clock, audit}, channels),
        tasks(core::StoreParts{db, bus, *clock, audit}),
        cases(core::StoreParts{db, bus, *clock, audit}),
        privacy(core::StoreParts{db, bus, *clock, audit}, customers, customer_tables),
        holidays(core::StoreParts{db, bus, *clock, audit}),
        products(core::StoreParts{db, bus, *clock, audit}),
        assets(core::StoreParts{db, bus, *clock, audit}, products),
        store(db, customers, interactions, tasks, audit, cases, customer_tables, privacy, holidays,
              products, assets, channels, o.default_currency),
        timers(db, *logger, dynamic_cast<SimulatedClock*>(clock.get())),
        workflows(core::WorkflowServices{db, store, bus, *clock, timers, *logger}),
        plugins(*logger) {}

  // Checked first: a bad zone or week is refused before the database opens.
  TimeZone zone;
  WorkingWeek working_week;
  std::shared_ptr<Logger> logger;
  std::unique_ptr<Clock> clock;
  core::SqliteDatabase db;
  core::EventDispatcher bus;
  core::AuditStore audit;
  core::CustomerTableSet customer_tables;
  const ChannelCatalogue channels;
  core::CustomerStore customers;
  core::InteractionStore interactions;
  core::TaskStore tasks;
  core::CaseStore cases;
  core::CustomerPrivacyStore privacy;
  core::HolidayStore holidays;
  core::ProductStore products;
  core::AssetStore assets;
  SqliteStore store;
  core::TimerStore timers;
  core::CommandTable commands;
  core::WorkflowRuntime workflows;
  core::PluginSearch plugin_search;  // for `plugins check`
  // Before the plugins: a stopping plugin withdraws its services from it.
  core::ServiceTable services;
  core::PluginLoader plugins;
};

namespace {

// The plugin directories of `options`, in search order.
std::vector<std::filesystem::path> plugin_dirs(const KernelOptions& options) {
  std::vector<std::filesystem::path> dirs = options.plugin_dirs;
  if (options.use_plugin_path_env) {
    if (const char* env = std::getenv("CRM_PLUGIN_PATH"); env && *env) {
      std::string_view rest = env;
      while (!rest.empty()) {
        const auto colon = rest.find(':');
        const auto part = rest.substr(0, colon);
        if (!part.empty()) dirs.emplace_back(std::string(part));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
      }
    }
  }
  if (options.use_bundled_plugins) dirs.push_back(Kernel::bundled_plugin_dir());
  return dirs;
}

}  // namespace

std::filesystem::path default_plugin_check_file() { return core::default_check_file(); }

Kernel::Kernel(KernelOptions options) : impl_(std::make_unique<Impl>(options)) {
  impl_->db.set_listener(&impl_->bus);
  impl_->db.migrate("kernel", core::kernel_migrations(options.default_currency));
  core::register_kernel_commands(*this);
  core::register_case_commands(*this);
  core::register_calendar_commands(*this);
  core::register_catalogue_commands(*this);
  impl_->workflows.open();
  core::register_workflow_commands(impl_->commands, impl_->workflows);
  // Recovery of instances a crashed process left is not done here: every
  // `crm` command builds a kernel, and listing workflows must not run their
  // steps. `crm run-due` (WorkflowEngine::recover()) does it.
  core::PluginSearch& search = impl_->plugin_search;
  search.dirs = plugin_dirs(options);
  search.files = options.plugin_files;
  search.config = options.plugin_config;
  search.check_file = options.plugin_check_file;
  search.timeout = options.plugin_check_timeout;
  core::register_plugin_commands(impl_->commands, impl_->plugins, search);
  if (options.load_plugins) {
    impl_->services.set_plugins(&impl_->plugins.records());
    const core::PluginLoadOptions load{options.plugin_check_file, options.check_new_plugins,
                                       options.plugin_check_timeout};
    impl_->plugins.load(search.files.empty() ? core::plugin_files_in(search.dirs) : search.files,
                        options.plugin_config,
                        core::KernelServices{impl_->store, impl_->bus, *impl_->clock, impl_->zone,
                                             impl_->working_week, impl_->timers, impl_->commands,
                                             *impl_->logger, impl_->workflows, impl_->services},
                        load);
  }
  impl_->workflows.activate();
}

Kernel::~Kernel() {
  impl_->plugins.stop_all();
  impl_->db.set_listener(nullptr);
}

Store& Kernel::store() { return impl_->store; }
EventBus& Kernel::bus() { return impl_->bus; }
const Clock& Kernel::clock() const { return *impl_->clock; }
const TimeZone& Kernel::time_zone() const { return impl_->zone; }
BusinessCalendar Kernel::calendar() {
  return BusinessCalendar(impl_->zone, impl_->working_week, impl_->holidays.list());
}
SimulatedClock* Kernel::simulated_clock() {
  return dynamic_cast<SimulatedClock*>(impl_->clock.get());
}
HostScheduler& Kernel::scheduler() { return impl_->timers; }
CommandRegistry& Kernel::commands() { return impl_->commands; }
Logger& Kernel::log() { return *impl_->logger; }
HostWorkflowEngine& Kernel::workflows() { return impl_->workflows; }
ServiceRegistry& Kernel::services() { return impl_->services; }
const std::vector<PluginRecord>& Kernel::plugins() const { return impl_->plugins.records(); }

std::filesystem::path Kernel::bundled_plugin_dir() {
  // The directory of libcrm_core itself, in the build tree and installed.
  return boost::dll::this_line_location().parent_path() / "crm" / "plugins";
}

}  // namespace crm
