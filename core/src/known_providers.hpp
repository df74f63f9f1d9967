// Which plugin provides an action or a named condition, from its name, for
// error messages ("... registered by the retention plugin, which is not
// loaded") and for the steps that wait for a plugin to be loaded again.
//
// A name "<plugin>.<rest>" is the plugin's. A few well-known names do not
// say their plugin; they are in a table here rather than in the code that
// reports them, so the kernel names no plugin anywhere else.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace crm::core {

struct KnownProvider {
  std::string_view name;  // an exact name, or a prefix ending in '.'
  std::string_view plugin;
};

inline constexpr KnownProvider kKnownProviders[] = {
    {"python_rule", "python_rules"},
    {"python.", "python_rules"},
};

// The plugin that provides `name`, or "" for a name of the kernel's.
std::string provider_of(std::string_view name);

// Whether some name in `registered` (names to anything) is provided by
// `plugin`: a plugin whose registrations are all gone is not loaded, as far
// as workflows can tell.
template <class Value>
bool provides_any(const std::map<std::string, Value, std::less<>>& registered,
                  std::string_view plugin) {
  for (const auto& [name, value] : registered) {
    if (provider_of(name) == plugin) return true;
  }
  return false;
}

}  // namespace crm::core
