// One parameter spec and one check for command options and action params.
#include <gtest/gtest.h>

#include "crm/error.hpp"
#include "crm/param_spec.hpp"
#include "surface_support.hpp"

namespace {

using crm::Json;
using crm::ParamProblem;
using crm::ParamType;

const std::vector<crm::ParamSpec> kSpecs = {
    crm::param("count", ParamType::kInteger, "how many", true),
    crm::param("rate", ParamType::kNumber, "a share"),
    crm::param("loud", ParamType::kBoolean, "shout"),
    crm::param("name", ParamType::kString, "who"),
};

std::vector<std::string> messages(const std::vector<ParamProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.name + " " + p.message);
  return out;
}

TEST(ParamSpec, JsonValuesAreCheckedByType) {
  EXPECT_TRUE(crm::check_params(kSpecs, Json{{"count", 3}, {"rate", 0.5}}).empty());
  EXPECT_TRUE(
      crm::check_params(kSpecs, Json{{"count", 3}, {"rate", 2}}).empty());  // int is a number
  const auto p = crm::check_params(kSpecs, Json{{"count", 2.5}, {"loud", "yes"}, {"name", 4}});
  EXPECT_EQ(messages(p), (std::vector<std::string>{"count must be of type integer, got 2.5",
                                                   "loud must be of type boolean, got 'yes'",
                                                   "name must be of type string, got 4"}));
  EXPECT_EQ(p[0].kind, ParamProblem::Kind::kWrongType);
}

TEST(ParamSpec, MissingRequiredAndNullCountAsMissing) {
  for (const Json& values : {Json::object(), Json{{"count", nullptr}}}) {
    const auto p = crm::check_params(kSpecs, values);
    ASSERT_EQ(p.size(), 1u) << values;
    EXPECT_EQ(p[0].kind, ParamProblem::Kind::kMissing);
    EXPECT_EQ(p[0].name + " " + p[0].message, "count is required (how many)");
  }
}

TEST(ParamSpec, UnknownNamesAreRefusedUnlessAllowed) {
  const Json values{{"count", 1}, {"colour", "red"}};
  const auto p = crm::check_params(kSpecs, values);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, ParamProblem::Kind::kUnknown);
  EXPECT_EQ(p[0].name + " " + p[0].message,
            "colour is not a parameter (declared: count, rate, loud, name)");
  crm::ParamCheckOptions open;
  open.allow_unknown = true;
  EXPECT_TRUE(crm::check_params(kSpecs, values, open).empty());
}

TEST(ParamSpec, TextValuesAreParsedAsTheirType) {
  crm::ParamCheckOptions text;
  text.text_values = true;
  EXPECT_TRUE(
      crm::check_params(kSpecs, Json{{"count", "10"}, {"rate", "0.25"}, {"loud", "true"}}, text)
          .empty());
  const auto p = crm::check_params(
      kSpecs, Json{{"count", "1e3"}, {"rate", "inf"}, {"loud", "yes"}, {"name", "10"}}, text);
  EXPECT_EQ(messages(p), (std::vector<std::string>{"count must be of type integer, got '1e3'",
                                                   "rate must be of type number, got 'inf'",
                                                   "loud must be of type boolean, got 'yes'"}));
  // Without text_values, "10" is a string, not an integer.
  EXPECT_EQ(crm::check_params(kSpecs, Json{{"count", "10"}}).size(), 1u);
}

TEST(ParamSpec, TemplatesStandForAnyTypeOnlyWhenAllowed) {
  const Json values{{"count", "{{vars.n}}"}};
  EXPECT_EQ(crm::check_params(kSpecs, values).size(), 1u);
  crm::ParamCheckOptions workflow;
  workflow.allow_templates = true;
  EXPECT_TRUE(crm::check_params(kSpecs, values, workflow).empty());
}

TEST(ParamSpec, NonObjectValuesAreOneProblem) {
  const auto p = crm::check_params(kSpecs, Json::array({1}));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, ParamProblem::Kind::kNotAnObject);
}

TEST(ParamSpec, JsonFormRoundTripsAndNamesABadKey) {
  crm::ParamSpec s = crm::param("as-of", ParamType::kString, "analysis date", true);
  s.default_value = "2026-01-01";
  const Json j = crm::to_json(s);
  EXPECT_EQ(j, Json::parse(R"({"name":"as-of","type":"string","required":true,
                               "default":"2026-01-01","help":"analysis date"})"));
  EXPECT_EQ(crm::to_json(j.get<crm::ParamSpec>()), j);
  Json bad = j;
  bad["type"] = "date";
  EXPECT_THROW(bad.get<crm::ParamSpec>(), crm::InvalidInput);
  bad = j;
  bad.erase("required");
  try {
    bad.get<crm::ParamSpec>();
    FAIL();
  } catch (const crm::InvalidInput& e) {
    EXPECT_STREQ(e.what(), "parameter spec: 'required' must be true or false");
  }
}

crm::KernelOptions no_plugins() {
  crm::KernelOptions o = surface::options("none");
  o.load_plugins = false;
  return o;
}

TEST(ParamSpec, TheCommandRegistryChecksOptionsForEveryHost) {
  crm::Kernel k(no_plugins());
  crm::CommandSpec spec =
      crm::command({"probe", "count"}, "counts",
                   {crm::integer_option("n", "how many"), crm::required_option("who", "someone"),
                    crm::flag("loud", "shout")});
  k.commands().add(spec, [](const crm::CommandInput& in) {
    crm::CommandOutput out;
    out.data = {{"n", in.integer("n", 0)}};
    return out;
  });
  crm::CommandInput in;
  in.options = {{"n", "12"}, {"who", "ada"}, {"loud", "true"}};
  EXPECT_EQ(k.commands().run({"probe", "count"}, in).data.at("n"), 12);
  const auto refused = [&](std::map<std::string, std::string> options) {
    crm::CommandInput bad;
    bad.options = std::move(options);
    try {
      k.commands().run({"probe", "count"}, bad);
    } catch (const crm::InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused({{"n", "ten"}, {"who", "ada"}}),
            "'probe count': --n must be of type integer, got 'ten'");
  EXPECT_EQ(refused({{"n", "1"}}), "'probe count': --who is required (someone)");
  EXPECT_EQ(refused({{"who", "ada"}, {"colour", "red"}}),
            "'probe count': --colour is not a parameter (declared: n, who, loud)");
}

TEST(ParamSpec, TheWorkflowValidatorUsesTheSameCheck) {
  crm::Kernel k(no_plugins());
  crm::ActionSpec spec;
  spec.help = "probe";
  spec.params = {crm::param("n", ParamType::kInteger, "how many", true)};
  k.workflows().add_action("probe", spec, [](crm::ActionContext&, const Json&) { return Json(); });
  const auto errors_of = [&](const Json& params) {
    Json d = Json::parse(R"({"name": "p", "trigger": {"event": "x.y"},
                             "steps": [{"type": "action", "action": "probe"}]})");
    d["steps"][0]["params"] = params;
    std::vector<std::string> out;
    for (const auto& e : k.workflows().validate(d)) out.push_back(e.path + ": " + e.message);
    return out;
  };
  EXPECT_TRUE(errors_of(Json{{"n", 3}}).empty());
  EXPECT_TRUE(errors_of(Json{{"n", "{{vars.n}}"}}).empty());
  EXPECT_EQ(errors_of(Json{{"n", "ten"}}),
            (std::vector<std::string>{"$.steps[0].params.n: must be of type integer, got 'ten'"}));
  EXPECT_EQ(
      errors_of(Json::object()),
      (std::vector<std::string>{"$.steps[0].params.n: required by action 'probe' (how many)"}));
}

}  // namespace
