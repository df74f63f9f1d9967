#include "plugin_manifest.hpp"

#include <charconv>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "crm/version.hpp"
#include "elf_section.hpp"

namespace crm::core {

namespace {

const std::set<std::string> kKeys = {"name",     "version",     "api_version", "requires",
                                     "provides", "description", "toolchain"};

[[noreturn]] void refuse(const std::string& key, const std::string& why) {
  throw std::runtime_error("manifest key '" + key + "'" + why);
}

const Json& required(const Json& m, const std::string& key) {
  const auto it = m.find(key);
  if (it == m.end()) throw std::runtime_error("manifest has no key '" + key + "'");
  return *it;
}

std::string text_value(const Json& v, const std::string& key) {
  if (!v.is_string()) refuse(key, std::string(" is ") + v.type_name() + ", not a string");
  return v.get<std::string>();
}

bool is_word(std::string_view s) {
  return !s.empty() &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
}

// One or more words joined by '.': a plugin name or a capability.
bool is_name(std::string_view s) {
  while (true) {
    const auto dot = s.find('.');
    if (!is_word(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

std::vector<std::string> names_value(const Json& m, const std::string& key) {
  const auto it = m.find(key);
  if (it == m.end()) return {};
  if (!it->is_array()) refuse(key, std::string(" is ") + it->type_name() + ", not a list of names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    const std::string at = key + "'[" + std::to_string(i) + "]";
    if (!item.is_string()) {
      throw std::runtime_error("manifest key '" + at + " is " + item.type_name() +
                               ", not a string");
    }
    const std::string name = item.get<std::string>();
    if (!is_name(name)) {
      throw std::runtime_error("manifest key '" + at + ": '" + name +
                               "' is not a name ([a-z0-9_]+ words joined by '.')");
    }
    out.push_back(name);
  }
  return out;
}

// `count` decimal numbers joined by '.', each without sign, leading zero or
// suffix and fitting an int; their values, or an empty vector.
std::vector<int> dotted_numbers(std::string_view text, std::size_t count) {
  std::vector<int> out;
  for (std::size_t i = 0; i < count; ++i) {
    const auto dot = text.find('.');
    const bool last = i + 1 == count;
    if (last != (dot == std::string_view::npos)) return {};
    const std::string_view part = text.substr(0, dot);
    if (part.empty() || part.size() > 9 ||
        part.find_first_not_of("0123456789") != std::string_view::npos ||
        (part.size() > 1 && part.front() == '0')) {
      return {};
    }
    int v = 0;
    std::from_chars(part.data(), part.data() + part.size(), v);
    out.push_back(v);
    if (!last) text.remove_prefix(dot + 1);
  }
  return out;
}

int integer_value(const Json& t, const std::string& key) {
  const Json& v = required(t, key);
  if (!v.is_number_integer()) {
    throw std::runtime_error("manifest key 'toolchain." + key + "' is " + v.type_name() +
                             ", not an integer");
  }
  return v.get<int>();
}

PluginToolchain toolchain_value(const Json& m, std::string& json_abi) {
  const Json& t = required(m, "toolchain");
  if (!t.is_object()) {
    refuse("toolchain", std::string(" is ") + t.type_name() + ", not an object");
  }
  PluginToolchain out;
  out.gxx_abi = integer_value(t, "gxx_abi");
  out.cxx11_abi = integer_value(t, "cxx11_abi");
  const Json& abi = required(t, "json_abi");
  if (!abi.is_string())
    refuse("toolchain.json_abi", std::string(" is ") + abi.type_name() + ", not a string");
  json_abi = abi.get<std::string>();
  out.json_abi = json_abi;
  out.boost = integer_value(t, "boost");
  for (const auto& [key, value] : t.items()) {
    if (key != "gxx_abi" && key != "cxx11_abi" && key != "json_abi" && key != "boost") {
      refuse("toolchain." + key, " is unknown (the keys are gxx_abi, cxx11_abi, json_abi, boost)");
    }
  }
  return out;
}

void check_toolchain(const PluginToolchain& plugin, const PluginToolchain& kernel) {
  std::string differences;
  const auto differ = [&](const char* what, const std::string& p, const std::string& k) {
    if (p == k) return;
    differences +=
        std::string(differences.empty() ? "" : "; ") + what + ": plugin " + p + ", kernel " + k;
  };
  // The thousands are the ABI (10xx: the Itanium C++ ABI of GCC 3 and
  // later, and of clang); the rest is a mangling revision the two compilers
  // interoperate across (clang says 1002, GCC 12 says 1017), so a plugin
  // built by one loads into a kernel built by the other.
  if (plugin.gxx_abi / 1000 != kernel.gxx_abi / 1000) {
    differ("compiler C++ ABI (__GXX_ABI_VERSION)", std::to_string(plugin.gxx_abi),
           std::to_string(kernel.gxx_abi));
  }
  differ("libstdc++ dual ABI (_GLIBCXX_USE_CXX11_ABI)", std::to_string(plugin.cxx11_abi),
         std::to_string(kernel.cxx11_abi));
  differ("nlohmann::json ABI namespace", std::string(plugin.json_abi),
         std::string(kernel.json_abi));
  differ("Boost (BOOST_VERSION)", std::to_string(plugin.boost), std::to_string(kernel.boost));
  if (!differences.empty()) {
    throw std::runtime_error("toolchain mismatch: " + differences +
                             " (rebuild the plugin with the kernel's toolchain)");
  }
}

}  // namespace

void read_manifest_json(std::string_view text, PluginRecord& rec,
                        const PluginToolchain& kernel_toolchain) {
  text = text.substr(0, text.find('\0'));
  Json m;
  try {
    m = Json::parse(text);
  } catch (const Json::exception& e) {
    throw std::runtime_error(std::string("unreadable manifest: ") + e.what());
  }
  if (!m.is_object()) {
    throw std::runtime_error(std::string("unreadable manifest: ") + m.type_name() +
                             ", not a JSON object");
  }
  for (const auto& [key, value] : m.items()) {
    if (!kKeys.count(key)) {
      refuse(key,
             " is unknown (the keys are name, version, api_version, requires, provides, "
             "description, toolchain)");
    }
  }
  rec.name = text_value(required(m, "name"), "name");
  if (!is_word(rec.name)) refuse("name", ": '" + rec.name + "' is not [a-z0-9_]+");
  rec.version = text_value(required(m, "version"), "version");
  if (dotted_numbers(rec.version, 3).empty()) {
    refuse("version", ": '" + rec.version +
                          "' is not MAJOR.MINOR.PATCH (decimal numbers without sign, leading "
                          "zero or suffix)");
  }
  rec.api_version = text_value(required(m, "api_version"), "api_version");
  const std::vector<int> api = dotted_numbers(rec.api_version, 2);
  if (api.empty()) {
    refuse("api_version", ": '" + rec.api_version +
                              "' is not MAJOR.MINOR (decimal numbers without sign, leading zero "
                              "or suffix)");
  }
  rec.dependencies = names_value(m, "requires");
  rec.provides = names_value(m, "provides");
  for (const std::string& r : rec.dependencies) {
    if (r == rec.name) refuse("requires", ": the plugin '" + rec.name + "' requires itself");
  }
  if (const auto d = m.find("description"); d != m.end()) text_value(*d, "description");
  std::string json_abi;  // owns the text the fingerprint's string_view points at
  const PluginToolchain toolchain = toolchain_value(m, json_abi);

  const std::string kernel_api = std::to_string(kApiMajor) + "." + std::to_string(kApiMinor);
  if (api[0] != kApiMajor) {
    throw std::runtime_error("built for SDK API " + rec.api_version + ", kernel has API " +
                             kernel_api + " (major versions differ)");
  }
  if (api[1] > kApiMinor) {
    throw std::runtime_error("built for SDK API " + rec.api_version +
                             ", newer than the kernel's API " + kernel_api);
  }
  check_toolchain(toolchain, kernel_toolchain);
}

void read_plugin_manifest(const std::filesystem::path& file, PluginRecord& rec) {
  const std::optional<std::string> section = read_elf_section(file, kManifestSection);
  if (!section) {
    throw std::runtime_error("not a CRM plugin (no " + std::string(kManifestSection) +
                             " section: the library has no CRM_PLUGIN line)");
  }
  if (section->find('\0') == std::string::npos) {
    throw std::runtime_error("unreadable manifest: the " + std::string(kManifestSection) +
                             " section is not NUL-terminated");
  }
  read_manifest_json(*section, rec);
}

}  // namespace crm::core
