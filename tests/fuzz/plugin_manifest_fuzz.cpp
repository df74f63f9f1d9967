// Fuzz target: reading a plugin's manifest without loading the plugin. An
// input starting with the ELF magic is a library image: the section reader
// either returns the bytes of `.crm_manifest` (which must lie within the
// image) or throws std::runtime_error with the reason. Any other input, and
// the section found, is manifest JSON: the reader either fills a record the
// kernel can start (a [a-z0-9_]+ name, a MAJOR.MINOR.PATCH version, an API
// version this kernel runs) or throws std::runtime_error with the reason,
// which the loader shows for the refused plugin. Any other exception would
// escape as an unclear message.
#include <cstdint>
#include <string>

#include "crm/version.hpp"
#include "elf_section.hpp"
#include "fuzz_support.hpp"
#include "plugin_manifest.hpp"

namespace {

// The value of a string of decimal digits without a leading zero; -1 for
// anything else, and for values too large to be a version number.
long long decimal(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return -1;
  if (text.size() > 1 && text[0] == '0') return -1;
  if (text.size() > 9) return -1;
  return std::stoll(text);
}

void check_manifest(const std::string& text) {
  crm::PluginRecord rec;
  rec.name = "file_stem";
  try {
    crm::core::read_manifest_json(text, rec);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string(e.what()).size() > 0, "an empty reason");
    return;
  }
  FUZZ_CHECK(!rec.name.empty() && rec.name.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos,
             "accepted the name '%s'", rec.name.c_str());
  const auto dot = rec.api_version.find('.');
  const long long major = decimal(rec.api_version.substr(0, dot));
  const long long minor = dot == std::string::npos ? -1 : decimal(rec.api_version.substr(dot + 1));
  FUZZ_CHECK(major == crm::kApiMajor && minor >= 0 && minor <= crm::kApiMinor,
             "accepted API version '%s'", rec.api_version.c_str());
  const auto d1 = rec.version.find('.');
  const auto d2 = d1 == std::string::npos ? d1 : rec.version.find('.', d1 + 1);
  FUZZ_CHECK(d2 != std::string::npos && decimal(rec.version.substr(0, d1)) >= 0 &&
                 decimal(rec.version.substr(d1 + 1, d2 - d1 - 1)) >= 0 &&
                 decimal(rec.version.substr(d2 + 1)) >= 0,
             "accepted the version '%s'", rec.version.c_str());
  for (const auto& r : rec.dependencies) {
    FUZZ_CHECK(r != rec.name && !r.empty(), "accepted the requirement '%s'", r.c_str());
  }
  crm::to_json(rec).dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (input.rfind("\x7f"
                  "ELF",
                  0) != 0) {
    check_manifest(input);
    return 0;
  }
  std::optional<std::string> section;
  try {
    section = crm::core::read_elf_section(std::string_view(input), ".crm_manifest");
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string(e.what()).size() > 0, "an empty reason");
    return 0;
  }
  if (!section) return 0;
  FUZZ_CHECK(section->size() <= input.size() && input.find(*section) != std::string::npos,
             "a section of %zu bytes that is not in the image", section->size());
  check_manifest(*section);
  return 0;
}
