// `crm demo`: the tour of the product on a fresh database.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "crm/kernel.hpp"

namespace crm::demo {

// Generates sample data, imports it, lists plugins, finds duplicates, shows
// a customer timeline, hands a salesperson's customers over. Prints each
// step as the CLI would; returns the process exit status.
int run(Kernel& kernel, const std::string& db_path, std::int64_t customers, std::ostream& out);

}  // namespace crm::demo
