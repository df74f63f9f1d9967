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
  // "started"; "failed" (factory or start threw, or a requirement failed);
  // "refused" (not a plugin, wrong API version, missing or cyclic
  // requirement); "duplicate" (a plugin of that name was found earlier).
  std::string status;
  std::string error;  // why, when status is not "started"
};

CRM_API Json to_json(const PluginRecord& r);

}  // namespace crm
