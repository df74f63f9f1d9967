// The kernel's own tables, as migrations of component "kernel".
#pragma once

#include <vector>

#include "crm/database.hpp"

namespace crm::core {
const std::vector<Migration>& kernel_migrations();
}
