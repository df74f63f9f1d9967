#include "stderr_logger.hpp"

#include <iostream>

namespace crm::core {

void StderrLogger::write(Level level, std::string_view source, std::string_view message) {
  if (level < min_) return;
  static constexpr const char* kNames[] = {"debug", "info", "warning", "error"};
  std::cerr << "crm: " << kNames[static_cast<int>(level)] << ": " << source << ": " << message
            << '\n';
}

}  // namespace crm::core
