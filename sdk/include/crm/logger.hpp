// Where the kernel and plugins report what happened: failed subscribers,
// refused plugins, fired timers. The `crm` command writes it to stderr.
#pragma once

#include <string_view>

#include "crm/export.hpp"

namespace crm {

// ABI: implemented by plugins and hosts, called by the kernel. Frozen within a
// major: a minor release changes no virtual function of it.
class CRM_API Logger {
 public:
  enum class Level { kDebug, kInfo, kWarning, kError };
  virtual ~Logger() = default;

  // Records `message` from `source` (a plugin name, "kernel", "bus").
  virtual void write(Level level, std::string_view source, std::string_view message) = 0;

  void info(std::string_view source, std::string_view m) { write(Level::kInfo, source, m); }
  void warning(std::string_view source, std::string_view m) { write(Level::kWarning, source, m); }
  void error(std::string_view source, std::string_view m) { write(Level::kError, source, m); }
};

}  // namespace crm
