// Conditions: the JSON predicates of workflow triggers, branches and waits.
//
// A condition is evaluated against "facts", a JSON object whose top-level
// keys are the roots a field path may start with:
//
//   event     the event being considered ({type, time, customer_id, payload})
//   customer  the customer as crm::to_json(Customer) gives it
//   vars      the workflow instance's variables
//   old, new  for customer.updated: the old and new value of each changed
//             field ("old.stage"), taken from payload.changes
//
// The forms (docs/workflows.md has the full reference):
//
//   {"all": [c, ...]}   {"any": [c, ...]}   {"not": c}      true   false
//   {"field": "customer.segment", "op": "eq", "value": "A"}
//       op: eq ne lt le gt ge in not_in contains starts_with exists empty
//   {"changed": "stage"}                       the event changed that field
//   {"changed": "stage", "from": "prospect", "to": "customer"}
//   {"old": "stage", "op": "eq", "value": "prospect"}   shorthand for field "old.stage"
//   {"condition": "retention.at_risk", "args": {"min_churn": 0.7}}
//       a named condition registered by a plugin (WorkflowEngine::add_condition);
//       args are templates, expanded against the facts before the call
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

// One problem in a definition, located by its JSON path
// ("$.steps[2].then[0].action").
struct DefinitionError {
  std::string path;
  std::string message;
};

// "<path>: <message>".
inline std::string to_string(const DefinitionError& e) { return e.path + ": " + e.message; }

// Conditions nest at most this deep: a condition inside all, any or not is
// one level below it. validate_condition() reports a deeper one at the path
// where it goes too deep and CompiledCondition refuses it, in both cases
// before descending further, so no input can exhaust the stack.
inline constexpr int kMaxConditionDepth = 64;

// Appends every problem of `condition` (located at `path`) to `errors`:
// unknown forms or operators, missing operands, paths with an unknown root.
// Named conditions are checked for their form only (a non-empty name, args
// an object); WorkflowEngine::validate looks their names and args up.
CRM_API void validate_condition(const Json& condition, const std::string& path,
                                std::vector<DefinitionError>& errors);

// Calls `visit(name, args, path)` for every named condition inside
// `condition` (located at `path`; `path` of a visit is the named
// condition's own object). Forms that are not well made are skipped.
CRM_API void for_each_named_condition(
    const Json& condition, const std::string& path,
    const std::function<void(const std::string& name, const Json& args, const std::string& path)>&
        visit);

// What evaluates the named conditions of a condition: the workflow engine,
// with the conditions plugins registered.
// ABI: implemented by the kernel, called by the kernel's condition evaluator.
// A minor release may add virtual functions after the last one only.
class CRM_API NamedConditions {
 public:
  virtual ~NamedConditions() = default;
  // The named condition's verdict; `args` are already expanded. Throws
  // NotFound for a name that is not registered.
  virtual bool test(const std::string& name, const Json& args, const Json& facts) const = 0;
};

// Evaluates a condition that passed validate_condition(). A path that does
// not resolve is null: it equals only null, and every ordering comparison
// with it is false. Named conditions go to `named`; without one they throw
// InvalidInput.
CRM_API bool evaluate_condition(const Json& condition, const Json& facts,
                                const NamedConditions* named = nullptr);

// A condition read once and evaluated many times with the results of
// evaluate_condition(): forms, operators and field paths are resolved when
// it is built, so evaluating it compares values and nothing else (a trigger
// condition is checked for every event of its type). Copies share the
// compiled form. The condition must have passed validate_condition().
class CRM_API CompiledCondition {
 public:
  CompiledCondition();  // the condition `true`
  // Throws InvalidInput, naming the path, for a condition nested deeper
  // than kMaxConditionDepth.
  explicit CompiledCondition(const Json& condition);
  bool operator()(const Json& facts, const NamedConditions* named = nullptr) const;

 private:
  struct Program;
  std::shared_ptr<const Program> program_;
};

// The value at a dotted path ("customer.attributes.tier", "vars.task.id",
// "customer.tags.0"), or nullptr when any part is missing.
CRM_API const Json* lookup_fact(const Json& facts, std::string_view path);

// Replaces "{{path}}" placeholders in every string of `value` (recursively in
// arrays and objects) with the facts they name. A string that is exactly one
// placeholder becomes the fact itself (a number stays a number); otherwise
// the fact is inserted as text (strings unquoted) and a missing one as "".
CRM_API Json expand_template(const Json& value, const Json& facts);

// True when the condition or template names a customer field, so the
// customer must be loaded to evaluate it.
CRM_API bool mentions_customer(const Json& condition_or_template);

}  // namespace crm
