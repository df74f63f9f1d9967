// The default logger: one line per message on stderr.
#pragma once

#include "crm/logger.hpp"

namespace crm::core {

class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(Level min) : min_(min) {}
  void write(Level level, std::string_view source, std::string_view message) override;

 private:
  Level min_;
};

}  // namespace crm::core
