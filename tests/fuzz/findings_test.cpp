// The bugs the fuzz targets found, each pinned by the exact behaviour its fix
// gives (the crashing inputs themselves are in corpus/<target>/).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crm/condition.hpp"
#include "crm/version.hpp"
#include "crm/workflow_definition.hpp"
#include "plugin_manifest.hpp"

namespace {

using crm::Json;

std::string manifest_error(const char* text) {
  crm::PluginRecord rec;
  try {
    crm::core::read_manifest_text(text, rec);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ManifestReader, ReadsEveryField) {
  crm::PluginRecord rec;
  const std::string api = std::to_string(crm::kApiMajor) + ".0";
  crm::core::read_manifest_text(
      (R"({"name":"good","version":"1.2.3","requires":["a","b"],"provides":["x"],"api_version":")" +
       api + "\"}")
          .c_str(),
      rec);
  EXPECT_EQ(rec.name, "good");
  EXPECT_EQ(rec.version, "1.2.3");
  EXPECT_EQ(rec.api_version, api);
  EXPECT_EQ(rec.dependencies, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rec.provides, (std::vector<std::string>{"x"}));
}

TEST(ManifestReader, KeysOfTheWrongTypeAreNamed) {
  EXPECT_EQ(manifest_error(R"({"name":5,"api_version":"1.0"})"),
            "manifest key 'name' is number, not a string");
  EXPECT_EQ(manifest_error(R"({"name":"n","requires":"good","api_version":"1.0"})"),
            "manifest key 'requires' is string, not a list of names");
  EXPECT_EQ(manifest_error(R"({"name":"n","provides":["a",1],"api_version":"1.0"})"),
            "manifest key 'provides'[1] is number, not a string");
  EXPECT_EQ(manifest_error(R"({"name":"n","api_version":1.1})"),
            "manifest key 'api_version' is number, not a string");
  EXPECT_EQ(manifest_error(R"(["name","n"])"), "unreadable manifest: array, not a JSON object");
  EXPECT_EQ(manifest_error(nullptr), "unreadable manifest: the export returned no text");
}

TEST(ManifestReader, ApiVersionIsTwoUnsignedNumbers) {
  for (const char* v :
       {"1.-0", " 1.1", "1.1 ", "+1.1", "1.", ".1", "1", "1.1.0", "1.99999999999"}) {
    const std::string text = std::string(R"({"name":"n","api_version":")") + v + "\"}";
    EXPECT_EQ(manifest_error(text.c_str()),
              std::string("manifest api_version '") + v + "' is not MAJOR.MINOR")
        << v;
  }
  // Relative to the kernel's own API version, so a bump changes nothing here.
  const auto with_api = [](int major, int minor) {
    return R"({"name":"n","api_version":")" + std::to_string(major) + "." + std::to_string(minor) +
           "\"}";
  };
  EXPECT_EQ(manifest_error(with_api(crm::kApiMajor, 0).c_str()), "accepted");
  EXPECT_EQ(manifest_error(with_api(crm::kApiMajor, crm::kApiMinor).c_str()), "accepted");
  EXPECT_NE(manifest_error(with_api(crm::kApiMajor, crm::kApiMinor + 1).c_str()).find("newer than"),
            std::string::npos);
  EXPECT_NE(manifest_error(with_api(crm::kApiMajor - 1, 9).c_str()).find("major versions differ"),
            std::string::npos);
  EXPECT_NE(manifest_error(with_api(crm::kApiMajor + 1, 0).c_str()).find("major versions differ"),
            std::string::npos);
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
