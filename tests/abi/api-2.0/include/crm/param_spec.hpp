// One parameter spec for every named thing a host calls with parameters: a
// command's options and a workflow action's params are both ParamSpecs, and
// check_params() is the one check of given values against them, so the
// `crm` command, the workflow validator and any other host (Python) refuse
// the same inputs with the same messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

// What a value must be. For a command option, kBoolean is a flag: it takes
// no value and is "true" when given.
enum class ParamType { kString, kNumber, kInteger, kBoolean, kObject, kArray, kAny };

// "string", "number", "integer", "boolean", "object", "array", "any".
CRM_API std::string to_string(ParamType t);
// The inverse of to_string(); throws InvalidInput naming the text otherwise.
CRM_API ParamType parse_param_type(std::string_view text);

struct ParamSpec {
  std::string name;  // a command option's long name without dashes ("as-of")
  ParamType type = ParamType::kString;
  bool required = false;
  Json default_value;  // null: none; a host fills in a missing value with it
  std::string help;
};

CRM_API Json to_json(const ParamSpec& p);
// The inverse of to_json() (also `j.get<ParamSpec>()`). Throws InvalidInput
// naming the key that is missing or of the wrong type.
CRM_API void from_json(const Json& j, ParamSpec& p);

// How given values are read.
struct ParamCheckOptions {
  // Values are command-line text: a string is checked by parsing it as the
  // declared type ("10" is an integer, "true"/"false" a boolean).
  bool text_values = false;
  // A string holding "{{" is accepted for every type: a workflow template,
  // expanded at run time.
  bool allow_templates = false;
  // Names not declared are accepted (an action with open params).
  bool allow_unknown = false;
};

// One problem: the parameter's name, what kind of problem, and a message
// saying what is wrong ("is required (what to do)", "must be of type
// integer, got 'ten'", "is not a parameter (declared: a, b)"). Callers name
// the parameter their own way (--name, $.steps[0].params.name).
struct ParamProblem {
  enum class Kind { kNotAnObject, kMissing, kWrongType, kUnknown } kind = Kind::kMissing;
  std::string name;  // "" for kNotAnObject
  std::string message;
};

// Every problem of `values` (a JSON object of name -> value) against
// `specs`: a required parameter missing, a value of the wrong type, a name
// not declared (listing the declared ones). A null value counts as missing.
// A non-object `values` is one problem named "". Empty: the values are fine.
CRM_API std::vector<ParamProblem> check_params(const std::vector<ParamSpec>& specs,
                                               const Json& values,
                                               const ParamCheckOptions& options = {});

// Shorthands for a spec list in one expression.
inline ParamSpec param(std::string name, ParamType type, std::string help, bool required = false) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.required = required;
  p.help = std::move(help);
  return p;
}

}  // namespace crm
