#include "service_table.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>

#include "crm/error.hpp"

namespace crm::core {
namespace {

std::string provider_text(const std::string& provider) {
  return provider.empty() ? "the host" : "plugin '" + provider + "'";
}

}  // namespace

std::string readable_type(std::string_view mangled) {
  const std::string name(mangled.starts_with('*') ? mangled.substr(1) : mangled);
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> text(
      abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && text ? std::string(text.get()) : name;
}

const PluginRecord* ServiceTable::plugin(std::string_view name) const {
  if (!plugins_) return nullptr;
  for (const PluginRecord& r : *plugins_) {
    if (r.name == name && r.status != "duplicate") return &r;
  }
  return nullptr;
}

std::vector<ServiceInfo> ServiceTable::list() const {
  std::vector<ServiceInfo> out;
  for (const auto& [name, e] : services_) out.push_back({name, readable_type(e.type), e.provider});
  return out;
}

void ServiceTable::add(std::string provider, std::string name, std::string type,
                       std::shared_ptr<void> service) {
  if (!service) throw InvalidInput("service '" + name + "': the object provided is null");
  if (const auto it = services_.find(name); it != services_.end()) {
    throw InvalidInput("service '" + name + "' is already provided by " +
                       provider_text(it->second.provider));
  }
  services_.emplace(std::move(name),
                    Entry{std::move(provider), std::move(type), std::move(service)});
}

std::optional<std::string> ServiceTable::provider_of(std::string_view name) const {
  const auto it = services_.find(name);
  if (it == services_.end()) return std::nullopt;
  return it->second.provider;
}

void ServiceTable::withdraw(std::string_view provider) {
  std::erase_if(services_, [&](const auto& kv) { return kv.second.provider == provider; });
}

std::shared_ptr<void> ServiceTable::get_erased(std::string_view name, std::string_view type) {
  const auto it = services_.find(name);
  if (it == services_.end()) throw NotFound(missing_message(name));
  // By name, not typeinfo address: each hidden-visibility library has its
  // own typeinfo object for one type.
  if (it->second.type != type) {
    throw InvalidInput(
        "service '" + std::string(name) + "' of " + provider_text(it->second.provider) + " is a " +
        readable_type(it->second.type) + ", not the " + readable_type(type) + " asked for");
  }
  return it->second.service;
}

std::string ServiceTable::missing_message(std::string_view name) const {
  std::string out = "service '" + std::string(name) + "' is not provided";
  std::vector<std::string> listed;
  if (plugins_) {
    for (const PluginRecord& r : *plugins_) {
      if (std::find(r.provides.begin(), r.provides.end(), name) == r.provides.end()) continue;
      std::string why;
      if (r.status.empty() || r.status == "started") {
        why = "has not provided it";
      } else if (r.status == "stopped") {
        why = "has stopped";
      } else {
        why = "is " + r.status + (r.error.empty() ? "" : " (" + r.error + ")");
      }
      listed.push_back("plugin '" + r.name + "' (" + r.path + ") lists it in provides but " + why);
    }
  }
  if (listed.empty()) return out + ": no plugin found lists it in provides";
  for (std::size_t i = 0; i < listed.size(); ++i) out += (i == 0 ? ": " : "; ") + listed[i];
  return out;
}

}  // namespace crm::core
