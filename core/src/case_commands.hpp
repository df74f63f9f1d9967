// `crm cases list|show|open|assign|status`, registered in the kernel's
// CommandRegistry.
#pragma once

#include "crm/kernel.hpp"

namespace crm::core {
void register_case_commands(Kernel& kernel);
}
