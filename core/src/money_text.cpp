#include "money_text.hpp"

namespace crm::core {

Money parse_money_text(std::string_view text, Currency fallback) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // A currency code is separated from the number by a space.
  if (text.find(' ') != std::string_view::npos) return Money::parse(text);
  return Money::parse_amount(text, fallback);
}

}  // namespace crm::core
