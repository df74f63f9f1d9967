// Cross-plugin services: one plugin provides a typed object under a name,
// another gets it. This is what a manifest's `provides` and `requires` mean
// at run time.
//
// Rules (docs/plugin-guide.md, "Services"):
//  - a plugin provides only names its manifest lists in `provides`;
//  - a plugin gets only a service it requires: the service's name or its
//    provider's plugin name is in its manifest's `requires`, so the provider
//    has started first (otherwise whether it is there would depend on
//    discovery order); a service the host provided needs no requirement;
//  - get<T>() checks the type by name (typeid(T).name()): two libraries built
//    with hidden visibility each have their own typeinfo object for one
//    type, so addresses differ while names agree;
//  - the pointer get() returns keeps the provider's library loaded while it
//    (or a copy) lives, and the object alive. A provider that stops withdraws
//    its services: nobody new gets them, but holders keep a working object,
//    so a service must stay callable after its provider's stop() (it may
//    refuse work by throwing, never crash).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "crm/export.hpp"
namespace crm {

// One provided service, for listings.
struct ServiceInfo {
  std::string name;
  std::string type;      // readable C++ type name
  std::string provider;  // plugin name; "" for the host
};

// ABI: implemented by the kernel, called by plugins. A minor release may add
// virtual functions after the last one, never insert, remove or reorder them.
class CRM_API ServiceRegistry {
 public:
  virtual ~ServiceRegistry() = default;

  // Provides `service` under `name`. Throws InvalidInput when the service is
  // null, the name is taken (naming who holds it), or a plugin's manifest
  // does not list the name in `provides`.
  template <class T>
  void provide(std::string name, std::shared_ptr<T> service) {
    provide_erased(std::move(name), typeid(T).name(), std::shared_ptr<void>(std::move(service)));
  }

  // The service under `name` as a T, pinned to its provider's library.
  // Throws NotFound naming the service and, when a plugin lists it in
  // `provides`, that plugin and why it has not provided it; InvalidInput
  // naming both types when the service is not a T, or when a plugin asks for
  // a service it does not require.
  template <class T>
  std::shared_ptr<T> get(std::string_view name) {
    return std::static_pointer_cast<T>(get_erased(name, typeid(T).name()));
  }

  // Whether a service is provided under `name` now.
  virtual bool has(std::string_view name) const = 0;
  // Every service provided now, by name.
  virtual std::vector<ServiceInfo> list() const = 0;

  // The type-erased forms provide() and get() call; `type` is the mangled
  // name typeid gives.
  virtual void provide_erased(std::string name, std::string type,
                              std::shared_ptr<void> service) = 0;
  virtual std::shared_ptr<void> get_erased(std::string_view name, std::string_view type) = 0;
};

}  // namespace crm
