// The kernel's own tables, as migrations of component "kernel".
#pragma once

#include <vector>

#include "crm/database.hpp"
#include "crm/money.hpp"

namespace crm::core {
// `default_currency` is the currency migration 2 gives the amounts stored
// before amounts had one.
std::vector<Migration> kernel_migrations(Currency default_currency);
}  // namespace crm::core
