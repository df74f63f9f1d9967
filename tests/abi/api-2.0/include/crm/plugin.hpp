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
// The manifest is JSON text in the library's `.crm_manifest` section, written
// at compile time (crm/plugin_manifest.hpp): the kernel reads it from the file
// without loading the library, and refuses a plugin it cannot run before any
// of the plugin's code (static constructors included) has run.
#pragma once

#include <memory>

#include "crm/context.hpp"
#include "crm/export.hpp"
#include "crm/plugin_manifest.hpp"

namespace crm {

// ABI: implemented by plugins and hosts, called by the kernel. Frozen within a
// major: a minor release changes no virtual function of it.
class CRM_API Plugin {
 public:
  virtual ~Plugin() = default;
  // Called once, in dependency order. Register migrations, subscriptions,
  // timer handlers, commands here. Any exception (of any type) marks the
  // plugin failed and the kernel goes on without it (and without plugins
  // requiring it).
  virtual void start(Context& ctx) = 0;
  // Called once, in reverse dependency order, before the plugin is destroyed.
  // An exception is logged; the kernel stops the other plugins regardless.
  virtual void stop() {}
};

// The factory CRM_PLUGIN exports as the C symbol `crm_plugin_create` (a
// pointer to the function, looked up with dlsym).
using PluginFactory = std::shared_ptr<Plugin> (*)();

}  // namespace crm

// Defines the factory of `PluginClass` and stores its manifest (a braced
// PluginManifest initializer) in the `.crm_manifest` section.
// The manifest is a constant expression: a field of the wrong type is a
// compile error, and nothing is initialised at load time. Designated
// initializers may leave fields out; GCC's -Wextra would warn about each
// omitted one, so the macro silences that warning locally.
#define CRM_PLUGIN(PluginClass, ...)                                                               \
  namespace crm_plugin_entry {                                                                     \
  _Pragma("GCC diagnostic push")                                                                   \
      _Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"")                           \
          [[gnu::section(".crm_manifest"), gnu::used]] constinit const                             \
      auto manifest_text = ::crm::manifest_json::text<::crm::manifest_json::size(                  \
          ::crm::PluginManifest __VA_ARGS__)>(::crm::PluginManifest __VA_ARGS__);                  \
  _Pragma("GCC diagnostic pop") inline std::shared_ptr<::crm::Plugin> create() {                   \
    return std::make_shared<PluginClass>();                                                        \
  }                                                                                                \
  }                                                                                                \
  extern "C" __attribute__((visibility("default"))) const ::crm::PluginFactory crm_plugin_create = \
      &crm_plugin_entry::create;
