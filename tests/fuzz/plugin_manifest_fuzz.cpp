// Fuzz target: reading a plugin's manifest (the JSON text of its
// crm_plugin_manifest export). It either fills a record the kernel can start
// (a [a-z0-9_]+ name, an API version this kernel runs) or throws
// std::runtime_error with the reason, which the loader shows for the refused
// plugin; any other exception would escape as an unclear message.
#include <cstdint>
#include <string>

#include "crm/version.hpp"
#include "fuzz_support.hpp"
#include "plugin_manifest.hpp"

namespace {

// The value of a string of decimal digits (leading zeros allowed); -1 for
// anything else, and for values too large to be an API version.
long long decimal(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return -1;
  const std::size_t first = text.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  if (text.size() - first > 9) return -1;
  return std::stoll(text.substr(first));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The export returns a C string: the manifest ends at the first NUL.
  const std::string text(reinterpret_cast<const char*>(data), size);
  crm::PluginRecord rec;
  rec.name = "file_stem";
  try {
    crm::core::read_manifest_text(text.c_str(), rec);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string(e.what()).size() > 0, "an empty reason");
    return 0;
  }
  FUZZ_CHECK(!rec.name.empty() && rec.name.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos,
             "accepted the name '%s'", rec.name.c_str());
  const auto dot = rec.api_version.find('.');
  const long long major = decimal(rec.api_version.substr(0, dot));
  const long long minor = dot == std::string::npos ? -1 : decimal(rec.api_version.substr(dot + 1));
  FUZZ_CHECK(major == crm::kApiMajor && minor >= 0 && minor <= crm::kApiMinor,
             "accepted API version '%s'", rec.api_version.c_str());
  crm::to_json(rec).dump();
  return 0;
}
