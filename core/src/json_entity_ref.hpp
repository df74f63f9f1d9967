// Strict reading of EntityRef fields for the from_json() functions.
#pragma once

#include <string>
#include <vector>

#include "crm/entity_ref.hpp"
#include "json_fields.hpp"

namespace crm::core {

// Whether `v` is {"type": non-empty string, "id": positive integer}.
inline bool is_entity_ref(const Json& v) {
  return v.is_object() && v.size() == 2 && v.contains("type") && v["type"].is_string() &&
         !v["type"].get_ref<const std::string&>().empty() && v.contains("id") &&
         v["id"].is_number_integer() && v["id"].get<std::int64_t>() > 0;
}

// The reference at `key`, as {"type": "case", "id": 17}. Throws
// InvalidInput naming the key ("task: 'link' must be ...").
inline EntityRef entity_ref(const Fields& f, const char* key) {
  if (!is_entity_ref(f.at(key))) {
    f.wrong(key, "a reference {\"type\": string, \"id\": positive integer}");
  }
  return f.at(key).get<EntityRef>();
}

// The array of references at `key`; errors name the key.
inline std::vector<EntityRef> entity_refs(const Fields& f, const char* key) {
  const Json& a = f.at(key);
  const auto bad = [&] {
    f.wrong(key, "an array of references {\"type\": string, \"id\": positive integer}");
  };
  if (!a.is_array()) bad();
  std::vector<EntityRef> out;
  for (const Json& v : a) {
    if (!is_entity_ref(v)) bad();
    out.push_back(v.get<EntityRef>());
  }
  return out;
}

}  // namespace crm::core
