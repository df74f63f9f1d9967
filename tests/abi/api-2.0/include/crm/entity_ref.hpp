// A typed link to an entity: {"case", 17} instead of the string "case:17".
//
// Tasks and interactions link to what they belong to (a case, a workflow
// instance, a plugin's lead); the customer's timeline shows the links. The
// type is open, so a plugin's entities are linked the same way as the
// kernel's.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

// The kernel's entity types; a plugin uses its own ("lead", "campaign").
namespace entity_type {
inline constexpr const char* kCustomer = "customer";
inline constexpr const char* kInteraction = "interaction";
inline constexpr const char* kTask = "task";
inline constexpr const char* kCase = "case";
inline constexpr const char* kProduct = "product";
inline constexpr const char* kAsset = "asset";
inline constexpr const char* kWorkflow = "workflow";
}  // namespace entity_type

struct EntityRef {
  // Lower-case letters, digits, '_' and '.', starting with a letter.
  std::string type;
  // Positive.
  std::int64_t id = 0;

  friend auto operator<=>(const EntityRef&, const EntityRef&) = default;
};

// Throws InvalidInput naming the reference unless its type is of the form
// above and its id positive.
CRM_API void validate(const EntityRef& ref);

// "case:17".
CRM_API std::string to_string(const EntityRef& ref);
// Reads "case:17". Throws InvalidInput "invalid link 'case:x' (expected
// TYPE:ID, e.g. case:17)" for anything else.
CRM_API EntityRef parse_entity_ref(std::string_view text);

// JSON form: {"type": "case", "id": 17}. from_json throws InvalidInput naming
// the key that is missing or wrong, and validates.
CRM_API void to_json(Json& j, const EntityRef& ref);
CRM_API void from_json(const Json& j, EntityRef& ref);

}  // namespace crm
