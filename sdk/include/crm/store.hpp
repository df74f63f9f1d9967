// The store: the kernel's data behind repository interfaces.
//
// The embedded implementation is SQLite (WAL, cached prepared statements,
// versioned schema); another backend implements the same interfaces.
#pragma once

#include "crm/audit_log.hpp"
#include "crm/customer_repository.hpp"
#include "crm/database.hpp"
#include "crm/export.hpp"
#include "crm/interaction_repository.hpp"
#include "crm/money.hpp"
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
  // The currency of an amount given without one (KernelOptions::default_currency).
  virtual Currency default_currency() const = 0;
};

}  // namespace crm
