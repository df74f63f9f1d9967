// Writing a plugin.
//
// A plugin is a shared library with one class derived from crm::Plugin and
// one CRM_PLUGIN line naming it and its manifest:
//
//   class Hello final : public crm::Plugin {
//     void start(crm::Context& ctx) override { ... }
//   };
//   CRM_PLUGIN(Hello, {.name = "hello", .version = "1.0.0"})
//
// The manifest is exported as JSON text so the kernel reads it without
// creating the plugin and without depending on the plugin's struct layout
// (a plugin of another API version must be refused, not misread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/dll/alias.hpp>

#include "crm/context.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"
#include "crm/version.hpp"

namespace crm {

struct PluginManifest {
  std::string name;                       // unique; [a-z0-9_]+
  std::string version;                    // the plugin's own version
  std::vector<std::string> dependencies;  // names of plugins that must start first
  std::vector<std::string> provides;      // capabilities, for documentation and queries
  std::string description;
  int api_major = CRM_API_MAJOR;  // filled in from the SDK the plugin is built with
  int api_minor = CRM_API_MINOR;
};

inline Json to_json(const PluginManifest& m) {
  return Json{{"name", m.name},
              {"version", m.version},
              {"requires", m.dependencies},
              {"provides", m.provides},
              {"description", m.description},
              {"api_version", std::to_string(m.api_major) + "." + std::to_string(m.api_minor)}};
}

// ABI: implemented by plugins and hosts, called by the kernel. Frozen within a
// major: a minor release changes no virtual function of it.
class CRM_API Plugin {
 public:
  virtual ~Plugin() = default;
  // Called once, in dependency order. Register migrations, subscriptions,
  // timer handlers, commands here. An exception marks the plugin failed and
  // the kernel goes on without it (and without plugins requiring it).
  virtual void start(Context& ctx) = 0;
  // Called once, in reverse dependency order, before the plugin is destroyed.
  virtual void stop() {}
};

}  // namespace crm

// Exports `PluginClass` and its manifest (a braced PluginManifest
// initializer) under the names the kernel looks for.
// Designated initializers may leave fields out; GCC's -Wextra would warn
// about each omitted one, so the macro silences that warning locally.
#define CRM_PLUGIN(PluginClass, ...)                                                          \
  namespace crm_plugin_entry {                                                                \
  _Pragma("GCC diagnostic push")                                                              \
      _Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"") inline const         \
      char* manifest() {                                                                      \
    static const std::string text = ::crm::to_json(::crm::PluginManifest __VA_ARGS__).dump(); \
    return text.c_str();                                                                      \
  }                                                                                           \
  _Pragma("GCC diagnostic pop") inline std::shared_ptr<::crm::Plugin> create() {              \
    return std::make_shared<PluginClass>();                                                   \
  }                                                                                           \
  }                                                                                           \
  BOOST_DLL_ALIAS(crm_plugin_entry::manifest, crm_plugin_manifest)                            \
  BOOST_DLL_ALIAS(crm_plugin_entry::create, crm_plugin_create)
