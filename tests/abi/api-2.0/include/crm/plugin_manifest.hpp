// A plugin's manifest and the JSON text CRM_PLUGIN stores in its library.
//
// The manifest is serialised at compile time into a read-only array in the
// ELF section `.crm_manifest` of the plugin's library. The kernel reads that
// section from the file before it maps the library, so a plugin it refuses
// (wrong API, wrong toolchain, bad manifest) never runs a line of its code,
// not even a static constructor. Everything here is constexpr: there is no
// dynamic initialisation that could run (or fail) at load time.
#pragma once

#include <array>
#include <boost/version.hpp>
#include <cstddef>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>

#include "crm/version.hpp"

#define CRM_MANIFEST_STRINGIFY_(x) #x
#define CRM_MANIFEST_STRINGIFY(x) CRM_MANIFEST_STRINGIFY_(x)

namespace crm {

// The ELF section holding the manifest JSON (NUL-terminated).
inline constexpr std::string_view kManifestSection = ".crm_manifest";

// What a plugin and the kernel must share beyond the API version for their
// objects to mean the same thing on both sides: the compiler's C++ ABI,
// libstdc++'s std::string/std::list ABI, the nlohmann::json ABI namespace
// (version and tags) and the Boost version. Each defaults to what the
// translation unit is compiled with, so the kernel's copy (compiled into
// libcrm_core) and the plugin's copy (compiled into the plugin) differ
// exactly when the toolchains do.
struct PluginToolchain {
  int gxx_abi = __GXX_ABI_VERSION;
#ifdef _GLIBCXX_USE_CXX11_ABI
  int cxx11_abi = _GLIBCXX_USE_CXX11_ABI;  // libstdc++ dual ABI: 1 new, 0 old
#else
  int cxx11_abi = -1;  // not libstdc++
#endif
  std::string_view json_abi = CRM_MANIFEST_STRINGIFY(NLOHMANN_JSON_NAMESPACE);
  int boost = BOOST_VERSION;
};

// The manifest as a plugin writes it in CRM_PLUGIN (designated initializers,
// in this order). Names: a plugin name is [a-z0-9_]+; a `dependencies` or
// `provides` entry is one or more such words joined by '.'. `version` is
// MAJOR.MINOR.PATCH. The kernel checks all of it before it loads anything.
struct PluginManifest {
  std::string_view name;
  std::string_view version;
  // Plugins (by name) or capabilities (listed in another plugin's
  // `provides`) that must be started first. `requires` in the JSON.
  std::initializer_list<std::string_view> dependencies = {};
  std::initializer_list<std::string_view> provides = {};
  std::string_view description = {};
  int api_major = CRM_API_MAJOR;  // filled in from the SDK the plugin is built with
  int api_minor = CRM_API_MINOR;
  PluginToolchain toolchain = {};  // likewise: do not set
};

namespace manifest_json {

// Writes JSON into `out`, or only counts the characters when `out` is null,
// so that one function both sizes and fills the array.
class Writer {
 public:
  constexpr explicit Writer(char* out) : out_(out) {}
  constexpr std::size_t size() const { return n_; }
  constexpr void raw(std::string_view s) {
    for (const char c : s) put(c);
  }
  constexpr void text(std::string_view s) {
    put('"');
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        put('\\');
        put(c);
      } else if (u < 0x20) {
        raw("\\u00");
        put("0123456789abcdef"[u >> 4]);
        put("0123456789abcdef"[u & 0xf]);
      } else {
        put(c);
      }
    }
    put('"');
  }
  constexpr void number(long long v) {
    if (v < 0) {
      put('-');
      v = -v;
    }
    char digits[24] = {};
    int k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0);
    while (k > 0) put(digits[--k]);
  }
  constexpr void names(std::initializer_list<std::string_view> list) {
    put('[');
    bool first = true;
    for (const std::string_view s : list) {
      if (!first) put(',');
      first = false;
      text(s);
    }
    put(']');
  }

 private:
  constexpr void put(char c) {
    if (out_ != nullptr) out_[n_] = c;
    ++n_;
  }
  char* out_;
  std::size_t n_ = 0;
};

constexpr void write(Writer& w, const PluginManifest& m) {
  w.raw("{\"name\":");
  w.text(m.name);
  w.raw(",\"version\":");
  w.text(m.version);
  w.raw(",\"api_version\":\"");
  w.number(m.api_major);
  w.raw(".");
  w.number(m.api_minor);
  w.raw("\",\"requires\":");
  w.names(m.dependencies);
  w.raw(",\"provides\":");
  w.names(m.provides);
  w.raw(",\"description\":");
  w.text(m.description);
  w.raw(",\"toolchain\":{\"gxx_abi\":");
  w.number(m.toolchain.gxx_abi);
  w.raw(",\"cxx11_abi\":");
  w.number(m.toolchain.cxx11_abi);
  w.raw(",\"json_abi\":");
  w.text(m.toolchain.json_abi);
  w.raw(",\"boost\":");
  w.number(m.toolchain.boost);
  w.raw("}}");
}

// The length of the JSON text of `m`, without the terminating NUL.
constexpr std::size_t size(const PluginManifest& m) {
  Writer w(nullptr);
  write(w, m);
  return w.size();
}

// The JSON text of `m` and a NUL; N must be size(m).
template <std::size_t N>
constexpr std::array<char, N + 1> text(const PluginManifest& m) {
  std::array<char, N + 1> out{};
  Writer w(out.data());
  write(w, m);
  return out;
}

}  // namespace manifest_json
}  // namespace crm
