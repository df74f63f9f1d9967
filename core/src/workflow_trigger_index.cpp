#include "workflow_trigger_index.hpp"

#include <algorithm>

#include "crm/condition.hpp"

namespace crm::core {
namespace {

constexpr std::string_view kPayloadRoot = "event.payload.";

// An equality on a payload field, with "op" "eq" (or none: eq is the
// default) and a string value.
bool payload_equality(const Json& c, std::string& field, std::string& value) {
  if (!c.is_object() || c.size() > 3) return false;
  const auto f = c.find("field");
  const auto v = c.find("value");
  if (f == c.end() || !f->is_string() || v == c.end() || !v->is_string()) return false;
  if (const auto op = c.find("op"); op != c.end() && *op != "eq") return false;
  const std::string& path = f->get_ref<const std::string&>();
  if (!path.starts_with(kPayloadRoot) || path.size() == kPayloadRoot.size()) return false;
  field = path.substr(kPayloadRoot.size());
  value = v->get<std::string>();
  return true;
}

}  // namespace

bool TriggerIndex::required_equality(const Json& condition, std::string& field,
                                     std::string& value) {
  if (payload_equality(condition, field, value)) return true;
  // Every member of an "all" must hold, so one equality among them is
  // required by the whole (and so is one inside a nested "all").
  if (!condition.is_object() || condition.size() != 1) return false;
  const auto all = condition.find("all");
  if (all == condition.end() || !all->is_array()) return false;
  return std::any_of(all->begin(), all->end(),
                     [&](const Json& c) { return required_equality(c, field, value); });
}

bool TriggerIndex::Group::empty() const {
  return always.empty() && std::all_of(fields.begin(), fields.end(),
                                       [](const Field& f) { return f.by_value.empty(); });
}

void TriggerIndex::add(const std::string& pattern, const Json& condition,
                       std::shared_ptr<const DispatchTarget> target) {
  Group& g = pattern.ends_with(".*") || pattern == "*"
                 ? prefixed_[pattern.substr(0, pattern.size() - 1)]
                 : exact_[pattern];
  std::string field, value;
  if (!required_equality(condition, field, value)) {
    g.always.push_back(std::move(target));
    return;
  }
  auto it = std::find_if(g.fields.begin(), g.fields.end(),
                         [&](const Field& f) { return f.path == field; });
  if (it == g.fields.end()) {
    g.fields.push_back(Field{field, {}});
    it = std::prev(g.fields.end());
  }
  it->by_value[value].push_back(std::move(target));
}

void TriggerIndex::remove(const DispatchTarget* target) {
  const auto drop = [target](Targets& v) {
    std::erase_if(v, [target](const auto& t) { return t.get() == target; });
  };
  const auto drop_from = [&](auto& groups) {
    for (auto g = groups.begin(); g != groups.end();) {
      drop(g->second.always);
      for (Field& f : g->second.fields) {
        for (auto v = f.by_value.begin(); v != f.by_value.end();) {
          drop(v->second);
          v = v->second.empty() ? f.by_value.erase(v) : std::next(v);
        }
      }
      std::erase_if(g->second.fields, [](const Field& f) { return f.by_value.empty(); });
      g = g->second.empty() ? groups.erase(g) : std::next(g);
    }
  };
  drop_from(exact_);
  drop_from(prefixed_);
}

bool TriggerIndex::listens(const std::string& type) const {
  if (exact_.count(type)) return true;
  if (prefixed_.empty()) return false;
  const std::string_view t = type;
  if (prefixed_.count(std::string_view())) return true;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] == '.' && prefixed_.count(t.substr(0, i + 1))) return true;
  }
  return false;
}

void TriggerIndex::select_from(const Group& g, const Event& e, Targets& out) {
  out.insert(out.end(), g.always.begin(), g.always.end());
  for (const Field& f : g.fields) {
    const Json* v = lookup_fact(e.payload, f.path);
    if (!v || !v->is_string()) continue;  // equals no string value
    if (const auto it = f.by_value.find(v->get_ref<const std::string&>()); it != f.by_value.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
}

void TriggerIndex::select(const Event& e, Targets& out) const {
  if (const auto it = exact_.find(e.type); it != exact_.end()) select_from(it->second, e, out);
  if (prefixed_.empty()) return;
  const std::string_view t = e.type;
  if (const auto it = prefixed_.find(std::string_view()); it != prefixed_.end()) {
    select_from(it->second, e, out);
  }
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] != '.') continue;
    if (const auto it = prefixed_.find(t.substr(0, i + 1)); it != prefixed_.end()) {
      select_from(it->second, e, out);
    }
  }
}

}  // namespace crm::core
