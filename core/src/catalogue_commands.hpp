// The commands of the catalogue: products, prices, purchase lines, assets
// and channels.
#pragma once

#include "crm/kernel.hpp"

namespace crm::core {
void register_catalogue_commands(Kernel& kernel);
}
