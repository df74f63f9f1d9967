// What crosses the plugin boundary when plugin code throws: a copy made in
// the kernel, of the same kernel kind, or a PluginError naming the plugin's
// own exception type. Only valid inside a catch block.
#pragma once

#include <string>
#include <string_view>

namespace crm::core {

// The exception in flight as "TYPE: message" (std::exception and its
// subclasses, with the demangled dynamic type) or "TYPE" (anything else:
// "int", "char const*"). Never throws.
std::string describe_current_exception() noexcept;

// Rethrows the exception in flight as a copy made here: NotFound,
// InvalidInput, DuplicateKey, Conflict, StoreError, PluginError and Error
// keep their kind and message; anything else becomes PluginError("plugin
// '<plugin>': threw TYPE: message"), or "a plugin threw ..." without a name.
// An exception object made by plugin code has its vtable in the plugin's
// library; if it outlived the plugin (caught by a host after the kernel
// unloaded it), reading it would crash. The copy does not.
[[noreturn]] void rethrow_as_kernel_exception(std::string_view plugin);

}  // namespace crm::core
