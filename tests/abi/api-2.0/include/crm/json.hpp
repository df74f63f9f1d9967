// The JSON type of the SDK: attributes, payloads, configuration, command output.
#pragma once

#include <nlohmann/json.hpp>

namespace crm {
using Json = nlohmann::json;
}  // namespace crm
