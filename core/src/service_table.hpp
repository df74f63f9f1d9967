// The kernel's ServiceRegistry: services by name, each with its provider and
// type name. Kernel::services() is this table (the host provides as "host");
// a plugin sees it through PluginServices, which adds the manifest rules.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crm/plugin_host.hpp"
#include "crm/service_registry.hpp"

namespace crm::core {

// A readable form of a mangled type name ("fixture::Greeter").
std::string readable_type(std::string_view mangled);

class ServiceTable final : public ServiceRegistry {
 public:
  // The loader's records: who lists a service in `provides`, for messages
  // and the manifest rules. Null until plugins are loaded.
  void set_plugins(const std::vector<PluginRecord>* plugins) { plugins_ = plugins; }
  // The record of the plugin named `name` that is loaded or loading, if any.
  const PluginRecord* plugin(std::string_view name) const;

  bool has(std::string_view name) const override { return services_.count(name) > 0; }
  std::vector<ServiceInfo> list() const override;
  // As the host (provider ""), with no manifest rule.
  void provide_erased(std::string name, std::string type, std::shared_ptr<void> service) override {
    add("", std::move(name), std::move(type), std::move(service));
  }
  std::shared_ptr<void> get_erased(std::string_view name, std::string_view type) override;

  // Adds a service of plugin `provider` ("": the host); throws InvalidInput for a null service or
  // a name taken.
  void add(std::string provider, std::string name, std::string type, std::shared_ptr<void> service);
  // The provider of `name` ("": the host), if it is provided.
  std::optional<std::string> provider_of(std::string_view name) const;
  // Removes every service of `provider` (a stopping plugin's).
  void withdraw(std::string_view provider);

 private:
  struct Entry {
    std::string provider;  // plugin name; "" for the host
    std::string type;      // mangled
    std::shared_ptr<void> service;
  };
  // "service 'x' is not provided: ..." naming who lists it in `provides`.
  std::string missing_message(std::string_view name) const;

  std::map<std::string, Entry, std::less<>> services_;
  const std::vector<PluginRecord>* plugins_ = nullptr;
};

}  // namespace crm::core
