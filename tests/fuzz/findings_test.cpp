// The bugs the fuzz targets found, each pinned by the exact behaviour its fix
// gives (the crashing inputs themselves are in corpus/<target>/).
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crm/condition.hpp"
#include "crm/version.hpp"
#include "crm/workflow_definition.hpp"
#include "elf_section.hpp"
#include "plugin_manifest.hpp"

namespace {

using crm::Json;

// A manifest with this build's toolchain and `fields` (JSON members, each
// followed by a comma) before it.
std::string manifest(const std::string& fields) {
  const crm::PluginToolchain t;
  return "{" + fields + R"("toolchain":{"gxx_abi":)" + std::to_string(t.gxx_abi) +
         R"(,"cxx11_abi":)" + std::to_string(t.cxx11_abi) + R"(,"json_abi":")" +
         std::string(t.json_abi) + R"(","boost":)" + std::to_string(t.boost) + "}}";
}

const std::string kApi = std::to_string(crm::kApiMajor) + "." + std::to_string(crm::kApiMinor);

std::string manifest_error(const std::string& text) {
  crm::PluginRecord rec;
  try {
    crm::core::read_manifest_json(text, rec);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ManifestReader, ReadsEveryField) {
  crm::PluginRecord rec;
  crm::core::read_manifest_json(
      manifest(R"("name":"good","version":"1.2.3","requires":["a","b.c"],"provides":["x"],)"
               R"("api_version":")" +
               kApi + "\","),
      rec);
  EXPECT_EQ(rec.name, "good");
  EXPECT_EQ(rec.version, "1.2.3");
  EXPECT_EQ(rec.api_version, kApi);
  EXPECT_EQ(rec.dependencies, (std::vector<std::string>{"a", "b.c"}));
  EXPECT_EQ(rec.provides, (std::vector<std::string>{"x"}));
}

TEST(ManifestReader, KeysOfTheWrongTypeAreNamed) {
  const std::string v = R"("version":"1.0.0","api_version":")" + kApi + "\",";
  EXPECT_EQ(manifest_error(manifest(R"("name":5,)" + v)),
            "manifest key 'name' is number, not a string");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","requires":"good",)" + v)),
            "manifest key 'requires' is string, not a list of names");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","provides":["a",1],)" + v)),
            "manifest key 'provides'[1] is number, not a string");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","provides":["a","B"],)" + v)),
            "manifest key 'provides'[1]: 'B' is not a name ([a-z0-9_]+ words joined by '.')");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","version":"1.0.0","api_version":1.1,)")),
            "manifest key 'api_version' is number, not a string");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","api_version":")" + kApi + "\",")),
            "manifest has no key 'version'");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","requires":["n"],)" + v)),
            "manifest key 'requires': the plugin 'n' requires itself");
  EXPECT_EQ(manifest_error(manifest(R"("name":"n","color":"red",)" + v)),
            "manifest key 'color' is unknown (the keys are name, version, api_version, requires, "
            "provides, description, toolchain)");
  EXPECT_EQ(manifest_error(R"({"name":"n","version":"1.0.0","api_version":")" + kApi + "\"}"),
            "manifest has no key 'toolchain'");
  EXPECT_EQ(manifest_error(R"(["name","n"])"), "unreadable manifest: array, not a JSON object");
}

TEST(ManifestReader, VersionIsThreeNumbersWithoutSignLeadingZeroOrSuffix) {
  for (const char* v : {"1.1.99-anything", "1.-5", "1.-5.0", "1.0", "01.0.0", "1.0.00", "+1.0.0",
                        "1.0.0 ", "1..0", "1.0.0.0", "1.0.9999999999", ""}) {
    EXPECT_EQ(manifest_error(manifest(std::string(R"("name":"n","version":")") + v +
                                      R"(","api_version":")" + kApi + "\",")),
              std::string("manifest key 'version': '") + v +
                  "' is not MAJOR.MINOR.PATCH (decimal numbers without sign, leading zero or "
                  "suffix)")
        << v;
  }
  EXPECT_EQ(
      manifest_error(manifest(R"("name":"n","version":"0.10.0","api_version":")" + kApi + "\",")),
      "accepted");
}

TEST(ManifestReader, ApiVersionIsTwoUnsignedNumbers) {
  for (const char* v :
       {"1.-0", " 1.1", "1.1 ", "+1.1", "1.", ".1", "1", "1.1.0", "1.99999999999", "01.1"}) {
    EXPECT_EQ(manifest_error(manifest(
                  std::string(R"("name":"n","version":"1.0.0","api_version":")") + v + "\",")),
              std::string("manifest key 'api_version': '") + v +
                  "' is not MAJOR.MINOR (decimal numbers without sign, leading zero or suffix)")
        << v;
  }
  const auto with_api = [](int major, int minor) {
    return manifest(R"("name":"n","version":"1.0.0","api_version":")" + std::to_string(major) +
                    "." + std::to_string(minor) + "\",");
  };
  EXPECT_EQ(manifest_error(with_api(crm::kApiMajor, crm::kApiMinor)), "accepted");
  EXPECT_NE(manifest_error(with_api(crm::kApiMajor, crm::kApiMinor + 1)).find("newer than"),
            std::string::npos);
  EXPECT_NE(manifest_error(with_api(crm::kApiMajor - 1, 0)).find("major versions differ"),
            std::string::npos);
}

TEST(ElfSectionReader, TruncatedAndGarbageImagesAreRefusedWithAReason) {
  const auto error = [](const std::string& image) {
    try {
      crm::core::read_elf_section(std::string_view(image), ".crm_manifest");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error("hello"), "not an ELF file (no ELF magic number)");
  EXPECT_EQ(error("\x7f"
                  "EL"),
            "not an ELF file (3 bytes)");
  EXPECT_EQ(error(std::string("\x7f"
                              "ELF\x02\x01\x01",
                              7)),
            "truncated ELF file: 7 bytes, shorter than the 64-byte ELF header");
  // A 64-byte header of a 64-bit little-endian shared library for this
  // machine whose section headers lie beyond the file.
  std::string header(64, '\0');
  header.replace(0, 7,
                 "\x7f"
                 "ELF\x02\x01\x01");
  header[16] = 3;  // ET_DYN
  std::ifstream self("/proc/self/exe", std::ios::binary);
  char machine[20];
  self.read(machine, 20);
  header[18] = machine[18];
  header[19] = machine[19];
  header[40] = 64;  // section headers at offset 64
  header[58] = 64;  // of 64 bytes each
  header[60] = 1;   // one of them
  EXPECT_EQ(error(header),
            "truncated ELF file: the section headers at offset 64 lie beyond its 64 bytes");
  std::string big_endian = header;
  big_endian[5] = 2;
  EXPECT_EQ(error(big_endian), "not a little-endian ELF file (data encoding 2)");
  std::string executable = header;
  executable[16] = 2;
  EXPECT_EQ(error(executable), "not a shared library (ELF type 2)");
  // A count of section headers that would overflow the arithmetic.
  std::string many = header + std::string(64, '\0');
  many[60] = '\xff';
  many[61] = '\xfe';
  EXPECT_EQ(error(many).rfind("truncated ELF file: 65279 section headers do not fit", 0), 0u)
      << error(many);
}

TEST(ConditionFindings, AnOperatorThatIsNotAStringIsAnErrorAtItsPath) {
  std::vector<crm::DefinitionError> errors;
  crm::validate_condition(Json::parse(R"({"field": "customer.stage", "op": 1})"), "$.c", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(to_string(errors[0]), "$.c.op: expected a string, got number");
  // And so in a workflow definition, instead of a JSON type error.
  const auto problems = crm::check_workflow_json(Json::parse(
      R"({"name": "w", "steps": [{"type": "branch", "condition": {"field": "vars.x", "op": [1]},
          "then": [{"type": "end"}]}]})"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "$.steps[0].condition.op");
}

TEST(ConditionFindings, AnIndexTooLargeForSizeTDoesNotWrapAround) {
  const Json facts = {{"customer", {{"tags", {"vip", "new"}}}}};
  EXPECT_EQ(crm::lookup_fact(facts, "customer.tags.1")->get<std::string>(), "new");
  EXPECT_EQ(crm::lookup_fact(facts, "customer.tags.2"), nullptr);
  // 2^64: the old loop wrapped it to 0 and found "vip".
  EXPECT_EQ(crm::lookup_fact(facts, "customer.tags.18446744073709551616"), nullptr);
  EXPECT_EQ(crm::lookup_fact(facts, "customer.tags.18446744073709551617"), nullptr);
  EXPECT_FALSE(crm::evaluate_condition(
      Json::parse(R"({"field": "customer.tags.18446744073709551616", "op": "eq", "value": "vip"})"),
      facts));
}

}  // namespace
