#include "known_providers.hpp"

namespace crm::core {

std::string provider_of(std::string_view name) {
  for (const KnownProvider& p : kKnownProviders) {
    if (p.name.ends_with('.') ? name.starts_with(p.name) : name == p.name) {
      return std::string(p.plugin);
    }
  }
  const auto dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  return std::string(name.substr(0, dot));
}

}  // namespace crm::core
