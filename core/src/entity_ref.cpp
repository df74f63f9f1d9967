#include "crm/entity_ref.hpp"

#include <charconv>

#include "crm/error.hpp"

namespace crm {
namespace {

bool valid_type(std::string_view t) {
  if (t.empty() || t.size() > 64 || !(t.front() >= 'a' && t.front() <= 'z')) return false;
  for (const char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  return true;
}

}  // namespace

void validate(const EntityRef& ref) {
  if (!valid_type(ref.type)) {
    throw InvalidInput(
        "link type '" + ref.type +
        "': expected lower-case letters, digits, '_' or '.', starting with a letter");
  }
  if (ref.id <= 0) {
    throw InvalidInput("link " + ref.type + ":" + std::to_string(ref.id) +
                       ": the id must be positive");
  }
}

std::string to_string(const EntityRef& ref) { return ref.type + ":" + std::to_string(ref.id); }

EntityRef parse_entity_ref(std::string_view text) {
  const auto colon = text.find(':');
  EntityRef ref;
  const auto bad = [&] {
    return InvalidInput("invalid link '" + std::string(text) +
                        "' (expected TYPE:ID, e.g. case:17)");
  };
  if (colon == std::string_view::npos) throw bad();
  ref.type = std::string(text.substr(0, colon));
  const std::string_view id = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), ref.id);
  if (id.empty() || ec != std::errc{} || end != id.data() + id.size() || !valid_type(ref.type) ||
      ref.id <= 0) {
    throw bad();
  }
  return ref;
}

void to_json(Json& j, const EntityRef& ref) { j = Json{{"type", ref.type}, {"id", ref.id}}; }

void from_json(const Json& j, EntityRef& ref) {
  if (!j.is_object()) {
    throw InvalidInput(std::string("link: expected an object {\"type\", \"id\"}, got ") +
                       j.type_name());
  }
  const auto type = j.find("type");
  const auto id = j.find("id");
  if (type == j.end() || !type->is_string()) throw InvalidInput("link: 'type' must be a string");
  if (id == j.end() || !id->is_number_integer())
    throw InvalidInput("link: 'id' must be an integer");
  EntityRef out{type->get<std::string>(), id->get<std::int64_t>()};
  validate(out);
  ref = std::move(out);
}

}  // namespace crm
