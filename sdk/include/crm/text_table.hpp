// Plain-text tables for the human form of command output (CommandOutput::text).
#pragma once

#include <string>
#include <vector>

#include "crm/export.hpp"

namespace crm {

// Renders rows under a header with columns padded to their widest cell
// (UTF-8 aware), cells longer than `max_width` cut with "...".
CRM_API std::string render_table(const std::vector<std::string>& header,
                                 const std::vector<std::vector<std::string>>& rows,
                                 std::size_t max_width = 40);

}  // namespace crm
