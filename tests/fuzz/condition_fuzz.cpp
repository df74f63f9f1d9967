// Fuzz target: workflow conditions. The input is JSON text: either
// {"condition": C, "facts": F} or a bare condition C, evaluated against a
// fixed set of facts (an event, a customer, variables, old and new values).
// A condition that validates must evaluate the same compiled and
// interpreted, and obey the logic of not/all/any around it; templates and
// fact lookups must never throw.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crm/condition.hpp"
#include "fuzz_support.hpp"

namespace {

using crm::Json;

const Json& fixed_facts() {
  static const Json facts = Json::parse(R"({
    "event": {"type": "customer.updated", "time": "2026-01-02T10:00:00Z", "customer_id": 7,
              "payload": {"changes": {"stage": {"old": "prospect", "new": "customer"}},
                          "amount": 120.5, "kind": "complaint", "tags": ["a", "b"]}},
    "customer": {"id": 7, "name": "Ann Example", "email": "ann@example.com", "stage": "customer",
                 "segment": "A", "tags": ["vip", "newsletter"], "consent": {"email": false},
                 "attributes": {"tier": "gold", "visits": 12, "empty": "", "list": []},
                 "birthday": "1990-05-17", "owner": "alice"},
    "vars": {"offer": {"status": "sent"}, "n": 3, "ratio": 0.25, "flag": true, "none": null},
    "old": {"stage": "prospect"},
    "new": {"stage": "customer"}
  })");
  return facts;
}

// lookup_fact() by the letter of its contract: each dotted part is an
// object's key or, on an array, a decimal index below its size.
const Json* reference_lookup(const Json& facts, std::string_view path) {
  const Json* at = &facts;
  while (at != nullptr) {
    const std::size_t dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    if (at->is_object()) {
      const auto it = at->find(part);
      at = it == at->end() ? nullptr : &*it;
    } else if (at->is_array() && !part.empty() &&
               part.find_first_not_of("0123456789") == std::string_view::npos) {
      const std::size_t first = part.find_first_not_of('0');
      const std::string_view digits = first == std::string_view::npos ? "0" : part.substr(first);
      // More digits than the size has cannot be an index of it.
      const std::string size = std::to_string(at->size());
      const bool below =
          digits.size() < size.size() || (digits.size() == size.size() && digits < size);
      at = below ? &(*at)[std::stoull(std::string(digits))] : nullptr;
    } else {
      at = nullptr;
    }
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return at;
}

bool evaluate_both(const Json& condition, const Json& facts) {
  const bool interpreted = crm::evaluate_condition(condition, facts);
  const crm::CompiledCondition compiled(condition);
  const bool by_program = compiled(facts);
  FUZZ_CHECK(interpreted == by_program, "evaluate_condition gives %d, CompiledCondition %d: %s",
             interpreted, by_program, condition.dump().c_str());
  return interpreted;
}

void check(const Json& condition, const Json& facts) {
  std::vector<crm::DefinitionError> errors;
  crm::validate_condition(condition, "$.condition", errors);
  for (const auto& e : errors) {
    FUZZ_CHECK(crm_fuzz::starts_with(e.path, "$.condition"), "error path '%s'", e.path.c_str());
  }
  crm::expand_template(condition, facts);
  crm::mentions_customer(condition);
  if (condition.is_object()) {
    for (const char* key : {"field", "changed", "old"}) {
      const auto it = condition.find(key);
      if (it == condition.end() || !it->is_string()) continue;
      const std::string& path = it->get_ref<const std::string&>();
      FUZZ_CHECK(crm::lookup_fact(facts, path) == reference_lookup(facts, path),
                 "lookup_fact('%s') is not the reference's fact", path.c_str());
    }
  }
  if (!errors.empty()) return;
  const bool result = evaluate_both(condition, facts);
  FUZZ_CHECK(evaluate_both(Json{{"not", condition}}, facts) == !result, "not: %s",
             condition.dump().c_str());
  FUZZ_CHECK(evaluate_both(Json{{"all", Json::array({condition, true})}}, facts) == result,
             "all with true: %s", condition.dump().c_str());
  FUZZ_CHECK(evaluate_both(Json{{"any", Json::array({false, condition})}}, facts) == result,
             "any with false: %s", condition.dump().c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Json input = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) return 0;
  if (input.is_object() && input.size() == 2 && input.contains("condition") &&
      input.contains("facts") && input["facts"].is_object()) {
    check(input["condition"], input["facts"]);
    check(input["condition"], fixed_facts());
  } else {
    check(input, fixed_facts());
  }
  return 0;
}
