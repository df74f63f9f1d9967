// `crm calendar ...`: the business time zone, working hours and holidays,
// and working-time arithmetic on them.
#pragma once

#include "crm/kernel.hpp"

namespace crm::core {
void register_calendar_commands(Kernel& kernel);
}
