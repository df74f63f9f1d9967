#include "crm/retention/history.hpp"

#include <cmath>
#include <string>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// Tolerance for t_x <= T: both usually come from day counts divided by 7, so
// they compare exactly, but callers may pass rounded values.
constexpr double kSlack = 1e-9;

// Returns an empty string when valid, otherwise the reason.
std::string check(const CustomerHistory& h) {
  if (!std::isfinite(h.frequency) || !std::isfinite(h.recency) || !std::isfinite(h.age)) {
    return "values must be finite";
  }
  if (h.frequency < 0 || h.frequency != std::floor(h.frequency)) {
    return "frequency must be a non-negative integer, got " + std::to_string(h.frequency);
  }
  if (h.recency < 0) return "recency must be >= 0, got " + std::to_string(h.recency);
  if (h.recency > h.age + kSlack * (1.0 + h.age)) {
    return "recency " + std::to_string(h.recency) + " exceeds age " + std::to_string(h.age);
  }
  return {};
}

}  // namespace

void validate_history(const CustomerHistory& history, const char* where) {
  const std::string reason = check(history);
  if (!reason.empty()) throw InvalidInput(std::string(where) + ": invalid history: " + reason);
}

void validate_history(const HistoryView& view, const char* where) {
  const std::size_t n = view.frequency.size();
  if (view.recency.size() != n || view.age.size() != n ||
      (!view.weight.empty() && view.weight.size() != n)) {
    throw InvalidInput(std::string(where) + ": columns differ in length (frequency " +
                       std::to_string(n) + ", recency " + std::to_string(view.recency.size()) +
                       ", age " + std::to_string(view.age.size()) + ", weight " +
                       std::to_string(view.weight.size()) + ")");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string reason = check(view[i]);
    if (!reason.empty()) {
      throw InvalidInput(std::string(where) + ": customer row " + std::to_string(i) + ": " +
                         reason);
    }
    if (!view.weight.empty() && !(view.weight[i] >= 0.0 && std::isfinite(view.weight[i]))) {
      throw InvalidInput(std::string(where) + ": customer row " + std::to_string(i) +
                         ": weight must be finite and >= 0");
    }
  }
}

}  // namespace crm::retention
