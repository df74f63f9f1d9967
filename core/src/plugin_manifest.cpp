#include "plugin_manifest.hpp"

#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crm/version.hpp"

namespace crm::core {

namespace {

// The string at `key`, or "" when it is absent.
std::string text_field(const Json& m, const char* key) {
  const auto it = m.find(key);
  if (it == m.end()) return "";
  if (!it->is_string()) {
    throw std::runtime_error(std::string("manifest key '") + key + "' is " + it->type_name() +
                             ", not a string");
  }
  return it->get<std::string>();
}

// The list of strings at `key`, or an empty list when it is absent.
std::vector<std::string> names_field(const Json& m, const char* key) {
  const auto it = m.find(key);
  if (it == m.end()) return {};
  if (!it->is_array()) {
    throw std::runtime_error(std::string("manifest key '") + key + "' is " + it->type_name() +
                             ", not a list of names");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    if (!item.is_string()) {
      throw std::runtime_error(std::string("manifest key '") + key + "'[" + std::to_string(i) +
                               "] is " + item.type_name() + ", not a string");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

// "MAJOR.MINOR", both decimal numbers that fit an int; false otherwise.
bool parse_api_version(std::string_view text, int& major, int& minor) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const std::size_t dot = text.find('.');
  if (text.empty() || !digit(text.front()) || dot == std::string_view::npos ||
      dot + 1 == text.size() || !digit(text[dot + 1])) {
    return false;  // from_chars would take a sign
  }
  const char* const end = text.data() + text.size();
  const auto [after_major, ec1] = std::from_chars(text.data(), end, major);
  if (ec1 != std::errc{} || after_major == text.data() || after_major == end ||
      *after_major != '.') {
    return false;
  }
  const auto [after_minor, ec2] = std::from_chars(after_major + 1, end, minor);
  return ec2 == std::errc{} && after_minor == end;
}

}  // namespace

void read_manifest_text(const char* text, PluginRecord& rec) {
  if (text == nullptr) throw std::runtime_error("unreadable manifest: the export returned no text");
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
  rec.name = text_field(m, "name");
  rec.version = text_field(m, "version");
  rec.api_version = text_field(m, "api_version");
  rec.dependencies = names_field(m, "requires");
  rec.provides = names_field(m, "provides");
  if (rec.name.empty() ||
      rec.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    throw std::runtime_error("manifest name '" + rec.name + "' is empty or not [a-z0-9_]+");
  }
  int major = -1, minor = -1;
  if (!parse_api_version(rec.api_version, major, minor)) {
    throw std::runtime_error("manifest api_version '" + rec.api_version + "' is not MAJOR.MINOR");
  }
  const std::string kernel_api = std::to_string(kApiMajor) + "." + std::to_string(kApiMinor);
  if (major != kApiMajor) {
    throw std::runtime_error("built for SDK API " + rec.api_version + ", kernel has API " +
                             kernel_api + " (major versions differ)");
  }
  if (minor > kApiMinor) {
    throw std::runtime_error("built for SDK API " + rec.api_version +
                             ", newer than the kernel's API " + kernel_api);
  }
}

}  // namespace crm::core
