// A kernel over one set of the surface fixture plugins.
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "crm/kernel.hpp"

namespace surface {

inline crm::KernelOptions options(const std::string& set, const std::string& db = ":memory:") {
  crm::KernelOptions o;
  o.database = db;
  o.plugin_dirs = {std::string(CRM_SURFACE_FIXTURE_DIR) + "/" + set};
  o.use_bundled_plugins = false;
  o.use_plugin_path_env = false;
  o.log_level = crm::Logger::Level::kError;
  o.simulated_start = crm::parse_time("2026-03-02T09:00:00Z");
  return o;
}

inline const crm::PluginRecord& record(const crm::Kernel& k, const std::string& name) {
  for (const auto& r : k.plugins()) {
    if (r.name == name) return r;
  }
  throw std::runtime_error("no plugin record " + name);
}

// Whether a file whose path ends in `suffix` is mapped into this process.
inline bool mapped(const std::string& suffix) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.size() >= suffix.size() && line.ends_with(suffix)) return true;
  }
  return false;
}

}  // namespace surface
