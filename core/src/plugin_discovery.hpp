// Finding plugins without loading them: the files in the plugin directories,
// their manifests (read from the file, crm/plugin_manifest.hpp), duplicates,
// and the start order their requirements give. Shared by the loader and
// `crm plugins check`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "crm/plugin_host.hpp"

namespace crm::core {

struct FoundPlugins {
  // One per file, in discovery order. A record whose status is set already
  // ("refused", "duplicate") is not a candidate; the others have none yet.
  std::vector<PluginRecord> records;
  // For each record, the records its `requires` entries resolve to (a
  // plugin of that name, else the first plugin that provides it).
  std::vector<std::vector<std::size_t>> requirements;
  // The candidates whose requirements resolved, requirements first.
  std::vector<std::size_t> order;
};

// Every *.so in `dirs`, in order, each directory sorted by name; missing
// directories are skipped.
std::vector<std::filesystem::path> plugin_files_in(const std::vector<std::filesystem::path>& dirs);

// Reads the manifest of each of `files` and orders the plugins. Never
// throws for a bad plugin: its record says why ("refused": unreadable or
// unacceptable manifest, a requirement that is missing, refused or in a
// cycle; "duplicate": a plugin of that name came earlier). Runs no plugin code.
FoundPlugins find_plugins(const std::vector<std::filesystem::path>& files);

// `record` and everything it requires, transitively, requirements first.
std::vector<std::size_t> requirement_closure(const FoundPlugins& found, std::size_t record);

}  // namespace crm::core
