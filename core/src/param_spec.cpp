// The one check of parameter values against ParamSpecs, for commands and
// workflow actions alike.
#include "crm/param_spec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "crm/error.hpp"

namespace crm {
namespace {

constexpr std::array<std::pair<ParamType, const char*>, 7> kTypeNames{{
    {ParamType::kString, "string"},
    {ParamType::kNumber, "number"},
    {ParamType::kInteger, "integer"},
    {ParamType::kBoolean, "boolean"},
    {ParamType::kObject, "object"},
    {ParamType::kArray, "array"},
    {ParamType::kAny, "any"},
}};

template <class T>
bool parses_as(const std::string& text) {
  T v{};
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) return false;
  if constexpr (std::is_floating_point_v<T>) return std::isfinite(v);
  return true;
}

// Whether command-line text is a value of `type`.
bool text_matches(const std::string& text, ParamType type) {
  switch (type) {
    case ParamType::kInteger:
      return parses_as<std::int64_t>(text);
    case ParamType::kNumber:
      return parses_as<double>(text);
    case ParamType::kBoolean:
      return text == "true" || text == "false";
    case ParamType::kObject:
    case ParamType::kArray: {
      const Json j = Json::parse(text, nullptr, false);
      return type == ParamType::kObject ? j.is_object() : j.is_array();
    }
    case ParamType::kString:
    case ParamType::kAny:
      break;
  }
  return true;
}

bool json_matches(const Json& v, ParamType type) {
  switch (type) {
    case ParamType::kString:
      return v.is_string();
    case ParamType::kNumber:
      return v.is_number();
    case ParamType::kInteger:
      return v.is_number_integer();
    case ParamType::kBoolean:
      return v.is_boolean();
    case ParamType::kObject:
      return v.is_object();
    case ParamType::kArray:
      return v.is_array();
    case ParamType::kAny:
      break;
  }
  return true;
}

bool matches(const Json& v, ParamType type, const ParamCheckOptions& o) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (o.allow_templates && s.find("{{") != std::string::npos) return true;
    if (o.text_values) return text_matches(s, type);
  }
  return json_matches(v, type);
}

std::string declared(const std::vector<ParamSpec>& specs) {
  std::string out;
  for (const auto& s : specs) out += (out.empty() ? "" : ", ") + s.name;
  return out.empty() ? "none" : out;
}

}  // namespace

std::string to_string(ParamType t) {
  for (const auto& [type, name] : kTypeNames) {
    if (type == t) return name;
  }
  return "any";
}

ParamType parse_param_type(std::string_view text) {
  for (const auto& [type, name] : kTypeNames) {
    if (text == name) return type;
  }
  throw InvalidInput("invalid parameter type '" + std::string(text) +
                     "' (expected string, number, integer, boolean, object, array or any)");
}

Json to_json(const ParamSpec& p) {
  return Json{{"name", p.name},
              {"type", to_string(p.type)},
              {"required", p.required},
              {"default", p.default_value},
              {"help", p.help}};
}

void from_json(const Json& j, ParamSpec& p) {
  if (!j.is_object()) throw InvalidInput("parameter spec: expected a JSON object");
  const auto text = [&](const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      throw InvalidInput(std::string("parameter spec: '") + key + "' must be a string");
    }
    return it->get<std::string>();
  };
  ParamSpec out;
  out.name = text("name");
  out.type = parse_param_type(text("type"));
  const auto required = j.find("required");
  if (required == j.end() || !required->is_boolean()) {
    throw InvalidInput("parameter spec: 'required' must be true or false");
  }
  out.required = required->get<bool>();
  out.default_value = j.value("default", Json());
  out.help = text("help");
  p = std::move(out);
}

std::vector<ParamProblem> check_params(const std::vector<ParamSpec>& specs, const Json& values,
                                       const ParamCheckOptions& options) {
  std::vector<ParamProblem> problems;
  if (!values.is_null() && !values.is_object()) {
    problems.push_back({ParamProblem::Kind::kNotAnObject, "", "parameters must be a JSON object"});
    return problems;
  }
  for (const ParamSpec& spec : specs) {
    const auto it = values.is_object() ? values.find(spec.name) : values.end();
    if (!values.is_object() || it == values.end() || it->is_null()) {
      if (spec.required) {
        problems.push_back({ParamProblem::Kind::kMissing, spec.name,
                            "is required" + (spec.help.empty() ? "" : " (" + spec.help + ")")});
      }
      continue;
    }
    if (!matches(*it, spec.type, options)) {
      const std::string given = it->is_string() ? "'" + it->get<std::string>() + "'" : it->dump();
      problems.push_back({ParamProblem::Kind::kWrongType, spec.name,
                          "must be of type " + to_string(spec.type) + ", got " + given});
    }
  }
  if (options.allow_unknown || !values.is_object()) return problems;
  for (const auto& item : values.items()) {
    // A named copy, not a structured binding: clang 14 cannot capture one.
    const std::string name = item.key();
    const bool known =
        std::any_of(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
    if (!known) {
      problems.push_back({ParamProblem::Kind::kUnknown, name,
                          "is not a parameter (declared: " + declared(specs) + ")"});
    }
  }
  return problems;
}

}  // namespace crm
