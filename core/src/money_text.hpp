// An amount as people type it: "12.50 EUR", or "12.50" in a given currency.
// Private to the kernel (the CLI, CSV import and workflow actions share it).
#pragma once

#include <string_view>

#include "crm/money.hpp"

namespace crm::core {

// "12.50 EUR" -> 12.50 EUR; "12.50" -> 12.50 in `fallback`. Throws
// InvalidInput naming the text (an unknown currency, more decimals than the
// currency has, not a number).
Money parse_money_text(std::string_view text, Currency fallback);

}  // namespace crm::core
