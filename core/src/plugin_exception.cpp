#include "plugin_exception.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>

#include "crm/error.hpp"
#include "plugin_context.hpp"

namespace crm::core {
namespace {

std::string demangled(const char* name) {
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> text(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && text ? std::string(text.get()) : std::string(name);
}

std::string thrown_type() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  return type ? demangled(type->name()) : std::string("an unknown exception");
}

}  // namespace

std::string describe_current_exception() noexcept {
  try {
    const std::string type = thrown_type();
    try {
      throw;
    } catch (const std::exception& e) {
      return type + ": " + e.what();
    } catch (...) {
      return type;
    }
  } catch (...) {
    return "an exception that could not be described";
  }
}

void rethrow_as_kernel_exception(std::string_view plugin) {
  // Most derived first: a DuplicateKey is also a StoreError.
  try {
    throw;
  } catch (const NotFound& e) {
    throw NotFound(e.what());
  } catch (const InvalidInput& e) {
    throw InvalidInput(e.what());
  } catch (const DuplicateKey& e) {
    throw DuplicateKey(e.what());
  } catch (const Conflict& e) {
    throw Conflict(e.what());
  } catch (const StoreError& e) {
    throw StoreError(e.what());
  } catch (const PluginError& e) {
    throw PluginError(e.what());
  } catch (const Error& e) {
    // The kernel's own base: its kind is known, so it is kept too.
    throw Error(e.what());
  } catch (...) {
    const std::string who = plugin.empty() ? "a plugin" : "plugin '" + std::string(plugin) + "':";
    throw PluginError(who + " threw " + describe_current_exception());
  }
}

}  // namespace crm::core
