// Reading a plugin's manifest: the JSON text its crm_plugin_manifest export
// returns (see CRM_PLUGIN in crm/plugin.hpp).
#pragma once

#include "crm/plugin_host.hpp"

namespace crm::core {

// Fills the name, version, api_version, dependencies and provides of `rec`
// from `text` and checks that the kernel can run the plugin. Throws
// std::runtime_error saying what is wrong: no text, text that is not a JSON
// object, a key of the wrong type, a name that is not [a-z0-9_]+, an
// api_version that is not MAJOR.MINOR or that this kernel's API cannot run.
void read_manifest_text(const char* text, PluginRecord& rec);

}  // namespace crm::core
