// A typed reference to a kernel or plugin entity ("case:17"). Stand-in with
// the agreed API until the shared vocabulary header lands.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "crm/error.hpp"
#include "crm/json.hpp"

namespace crm {

struct EntityRef {
  std::string type;
  std::int64_t id = 0;
  std::string to_string() const { return type + ":" + std::to_string(id); }
  friend bool operator==(const EntityRef&, const EntityRef&) = default;
  friend bool operator<(const EntityRef& a, const EntityRef& b) {
    return std::tie(a.type, a.id) < std::tie(b.type, b.id);
  }
};

namespace entity_type {
inline constexpr const char* kCustomer = "customer";
inline constexpr const char* kInteraction = "interaction";
inline constexpr const char* kTask = "task";
inline constexpr const char* kCase = "case";
inline constexpr const char* kProduct = "product";
inline constexpr const char* kAsset = "asset";
inline constexpr const char* kWorkflow = "workflow";
}  // namespace entity_type

// "case:17" -> {"case", 17}. Throws InvalidInput naming the text.
inline EntityRef parse_entity_ref(std::string_view text) {
  const auto colon = text.find(':');
  const auto bad = [&] {
    return InvalidInput("invalid entity reference '" + std::string(text) +
                        "' (expected TYPE:ID, e.g. case:17)");
  };
  if (colon == std::string_view::npos || colon == 0) throw bad();
  EntityRef r{std::string(text.substr(0, colon)), 0};
  for (const char c : r.type) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) throw bad();
  }
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [p, ec] = std::from_chars(first, last, r.id);
  if (ec != std::errc{} || p != last || first == last || r.id <= 0) throw bad();
  return r;
}

inline void to_json(Json& j, const EntityRef& r) { j = Json{{"type", r.type}, {"id", r.id}}; }
inline void from_json(const Json& j, EntityRef& r) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || !j.contains("id") ||
      !j["id"].is_number_integer()) {
    throw InvalidInput("entity reference must be {\"type\": string, \"id\": integer}, got " +
                       j.dump());
  }
  r = EntityRef{j["type"].get<std::string>(), j["id"].get<std::int64_t>()};
}

}  // namespace crm
