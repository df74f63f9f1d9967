// The store: the kernel's data behind repository interfaces.
//
// The embedded implementation is SQLite (WAL, cached prepared statements,
// versioned schema); another backend implements the same interfaces.
#pragma once

#include "crm/asset_repository.hpp"
#include "crm/audit_log.hpp"
#include "crm/case_repository.hpp"
#include "crm/channel_catalogue.hpp"
#include "crm/customer_privacy.hpp"
#include "crm/customer_repository.hpp"
#include "crm/customer_table.hpp"
#include "crm/database.hpp"
#include "crm/export.hpp"
#include "crm/holiday_repository.hpp"
#include "crm/interaction_repository.hpp"
#include "crm/money.hpp"
#include "crm/product_repository.hpp"
#include "crm/task_repository.hpp"

namespace crm {

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API Store {
 public:
  virtual ~Store() = default;
  virtual Database& db() = 0;
  virtual CustomerRepository& customers() = 0;
  virtual InteractionRepository& interactions() = 0;
  virtual TaskRepository& tasks() = 0;
  virtual AuditLog& audit() = 0;
  virtual CaseRepository& cases() = 0;
  // The per-customer tables of the kernel and the plugins, and what merge
  // and erase do with their rows.
  virtual CustomerTableRegistry& customer_tables() = 0;
  // Export and erasure of one customer over all of those tables.
  virtual CustomerPrivacy& privacy() = 0;
  // The business calendar's holidays.
  virtual HolidayRepository& holidays() = 0;
  virtual ProductRepository& products() = 0;
  virtual AssetRepository& assets() = 0;
  // The channel catalogue the kernel was configured with.
  virtual const ChannelCatalogue& channels() = 0;
  // The currency of an amount given without one (KernelOptions::default_currency).
  virtual Currency default_currency() const = 0;
};

}  // namespace crm
