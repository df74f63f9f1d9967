// The kernel's own commands (import, customers, tasks, plugins, run-due),
// registered in its CommandRegistry so every host can run them by name.
#pragma once

#include "crm/kernel.hpp"

namespace crm::core {
void register_kernel_commands(Kernel& kernel);
}
