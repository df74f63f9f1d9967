// Reading and checking a plugin's manifest: the JSON text CRM_PLUGIN stores
// in the `.crm_manifest` ELF section of the library (crm/plugin_manifest.hpp).
// Nothing here loads the library.
#pragma once

#include <filesystem>
#include <string_view>

#include "crm/plugin_host.hpp"
#include "crm/plugin_manifest.hpp"

namespace crm::core {

// Fills the name, version, api_version, dependencies and provides of `rec`
// from the manifest JSON `text` (up to its first NUL, if any) and checks
// that this kernel can run the plugin. Throws std::runtime_error naming the
// key at fault: text that is not a JSON object; a missing, unknown or
// wrongly typed key; a name that is not [a-z0-9_]+; a version that is not
// MAJOR.MINOR.PATCH or an api_version that is not MAJOR.MINOR (decimal, no
// sign, no leading zero, no suffix); a requires/provides entry that is not a
// name; an API version this kernel cannot run; a toolchain fingerprint
// other than `kernel_toolchain` (naming both sides).
void read_manifest_json(std::string_view text, PluginRecord& rec,
                        const PluginToolchain& kernel_toolchain = PluginToolchain{});

// Reads the manifest section of the plugin library `file` and checks it as
// above. Throws std::runtime_error: the file is no ELF shared library for
// this machine, is truncated, has no `.crm_manifest` section ("not a CRM
// plugin"), or its manifest is refused.
void read_plugin_manifest(const std::filesystem::path& file, PluginRecord& rec);

}  // namespace crm::core
