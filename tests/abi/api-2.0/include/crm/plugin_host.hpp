// The state of the plugins a kernel found: for `crm plugins list` and hosts.
#pragma once

#include <string>
#include <vector>

#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

struct PluginRecord {
  std::string name;  // from the manifest; the file name if unreadable
  std::string version;
  std::string api_version;  // "major.minor" the plugin was built against
  std::vector<std::string> dependencies;
  std::vector<std::string> provides;
  std::string path;
  // "started"; "failed" (the factory threw or returned null, start threw,
  // or a requirement failed); "refused" (not loaded: not a plugin, a bad
  // manifest, another API version or toolchain, a crash or hang the plugin
  // check recorded, an undefined symbol, a missing, refused or cyclic
  // requirement); "duplicate" (a plugin of that name was found earlier);
  // "stopped" (after the kernel stopped it).
  std::string status;
  std::string error;  // why, when status is not "started"
};

CRM_API Json to_json(const PluginRecord& r);
// Reads what to_json() writes, exactly (also `j.get<PluginRecord>()`). Throws InvalidInput naming
// the key that is missing or of the wrong type ("plugin record: 'name' must be a string").
CRM_API void from_json(const Json& j, PluginRecord& r);

}  // namespace crm
