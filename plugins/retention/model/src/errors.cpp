#include "crm/retention/errors.hpp"

#include <utility>

namespace crm::retention {

ParseError::ParseError(std::string file, std::size_t line, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + message),
      file_(std::move(file)),
      line_(line) {}

}  // namespace crm::retention
