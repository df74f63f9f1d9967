// Conditions and templates of workflow definitions (crm/condition.hpp).
#include <algorithm>
#include <array>

#include "crm/condition.hpp"

namespace crm {
namespace {

constexpr std::array<std::string_view, 7> kRoots = {"event", "customer", "vars", "old",
                                                    "new",   "instance", "now"};
constexpr std::array<std::string_view, 12> kOperators = {
    "eq", "ne",     "lt",       "le",          "gt",     "ge",
    "in", "not_in", "contains", "starts_with", "exists", "empty"};

bool known_root(std::string_view path) {
  const auto root = path.substr(0, path.find('.'));
  return std::find(kRoots.begin(), kRoots.end(), root) != kRoots.end();
}

void check_path(const Json& c, const char* key, const std::string& path,
                std::vector<DefinitionError>& errors) {
  const auto it = c.find(key);
  if (it == c.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    errors.push_back({path + "." + key, "must be a non-empty field path"});
    return;
  }
  if (std::string_view(key) == "field" && !known_root(it->get_ref<const std::string&>())) {
    errors.push_back(
        {path + ".field", "unknown root in '" + it->get<std::string>() +
                              "' (expected event, customer, vars, old, new, instance or now)"});
  }
}

void check_operator(const Json& c, const std::string& path, std::vector<DefinitionError>& errors) {
  const std::string op = c.value("op", "eq");
  if (std::find(kOperators.begin(), kOperators.end(), op) == kOperators.end()) {
    errors.push_back({path + ".op", "unknown operator '" + op + "'"});
    return;
  }
  const bool unary = op == "exists" || op == "empty";
  if (!unary && !c.contains("value")) {
    errors.push_back({path + ".value", "missing (operator '" + op + "' compares with a value)"});
  }
  if ((op == "in" || op == "not_in") && c.contains("value") && !c["value"].is_array()) {
    errors.push_back({path + ".value", "must be an array for operator '" + op + "'"});
  }
}

// Ordering across JSON kinds: numbers with numbers, strings with strings
// (ISO times sort as text), nothing else.
bool ordered(const Json& a, const Json& b, int& cmp) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    cmp = x < y ? -1 : (x > y ? 1 : 0);
    return true;
  }
  if (a.is_string() && b.is_string()) {
    const int r = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    cmp = r < 0 ? -1 : (r > 0 ? 1 : 0);
    return true;
  }
  return false;
}

bool equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

bool compare(const Json* field, const std::string& op, const Json& value) {
  static const Json kNull;
  const Json& f = field ? *field : kNull;
  if (op == "exists") return field != nullptr && !field->is_null();
  if (op == "empty") {
    // Json::empty() is false for every string, "" included.
    if (f.is_string()) return f.get_ref<const std::string&>().empty();
    return f.is_null() || ((f.is_array() || f.is_object()) && f.empty());
  }
  if (op == "eq") return equal(f, value);
  if (op == "ne") return !equal(f, value);
  if (op == "in" || op == "not_in") {
    const bool found = value.is_array() && std::any_of(value.begin(), value.end(),
                                                       [&](const Json& v) { return equal(f, v); });
    return op == "in" ? found : !found;
  }
  if (op == "contains") {
    if (f.is_array()) {
      return std::any_of(f.begin(), f.end(), [&](const Json& v) { return equal(v, value); });
    }
    if (f.is_string() && value.is_string()) {
      return f.get_ref<const std::string&>().find(value.get_ref<const std::string&>()) !=
             std::string::npos;
    }
    if (f.is_object() && value.is_string()) return f.contains(value.get<std::string>());
    return false;
  }
  if (op == "starts_with") {
    return f.is_string() && value.is_string() &&
           f.get_ref<const std::string&>().starts_with(value.get_ref<const std::string&>());
  }
  int cmp = 0;
  if (!ordered(f, value, cmp)) return false;
  if (op == "lt") return cmp < 0;
  if (op == "le") return cmp <= 0;
  if (op == "gt") return cmp > 0;
  if (op == "ge") return cmp >= 0;
  return false;
}

// The "{{ path }}" placeholders of `text`: (begin, end, path) triples.
struct Placeholder {
  std::size_t begin, end;
  std::string path;
};
std::vector<Placeholder> placeholders(const std::string& text) {
  std::vector<Placeholder> out;
  std::size_t pos = 0;
  while ((pos = text.find("{{", pos)) != std::string::npos) {
    const auto close = text.find("}}", pos + 2);
    if (close == std::string::npos) break;
    std::string path = text.substr(pos + 2, close - pos - 2);
    const auto first = path.find_first_not_of(' ');
    const auto last = path.find_last_not_of(' ');
    path = first == std::string::npos ? "" : path.substr(first, last - first + 1);
    out.push_back({pos, close + 2, std::move(path)});
    pos = close + 2;
  }
  return out;
}

}  // namespace

void validate_condition(const Json& c, const std::string& path,
                        std::vector<DefinitionError>& errors) {
  if (c.is_boolean()) return;
  if (!c.is_object()) {
    errors.push_back({path, "a condition must be an object or true/false"});
    return;
  }
  // The form is named by its one leading key; every other key must belong
  // to that form, so that a typo ("form" for "from") is an error instead of
  // a condition that silently means something else.
  struct Form {
    const char* key;
    std::vector<std::string_view> allowed;
  };
  static const Form kForms[] = {
      {"all", {}},
      {"any", {}},
      {"not", {}},
      {"changed", {"from", "to"}},
      {"old", {"op", "value"}},
      {"field", {"op", "value"}},
  };
  std::vector<const Form*> present;
  for (const Form& f : kForms) {
    if (c.contains(f.key)) present.push_back(&f);
  }
  if (present.empty()) {
    errors.push_back({path, "unknown condition (expected all, any, not, field, changed or old)"});
    return;
  }
  if (present.size() > 1) {
    errors.push_back({path, std::string("one condition per object: '") + present[0]->key +
                                "' and '" + present[1]->key +
                                "' together (wrap them in all or any)"});
    return;
  }
  const Form& form = *present.front();
  for (auto it = c.begin(); it != c.end(); ++it) {
    if (it.key() == form.key) continue;
    if (std::find(form.allowed.begin(), form.allowed.end(), it.key()) == form.allowed.end()) {
      errors.push_back(
          {path + "." + it.key(), std::string("unknown key in a '") + form.key + "' condition"});
    }
  }
  const std::string key = form.key;
  if (key == "all" || key == "any") {
    const Json& list = c[key];
    if (!list.is_array() || list.empty()) {
      errors.push_back({path + "." + key, "must be a non-empty array of conditions"});
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      validate_condition(list[i], path + "." + key + "[" + std::to_string(i) + "]", errors);
    }
  } else if (key == "not") {
    validate_condition(c["not"], path + ".not", errors);
  } else if (key == "changed") {
    check_path(c, "changed", path, errors);
  } else {
    check_path(c, form.key, path, errors);
    check_operator(c, path, errors);
  }
}

const Json* lookup_fact(const Json& facts, std::string_view path) {
  const Json* at = &facts;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string_view part = path.substr(0, dot);
    if (at->is_object()) {
      const auto it = at->find(part);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      std::size_t index = 0;
      for (const char ch : part) {
        if (ch < '0' || ch > '9') return nullptr;
        index = index * 10 + static_cast<std::size_t>(ch - '0');
      }
      if (part.empty() || index >= at->size()) return nullptr;
      at = &(*at)[index];
    } else {
      return nullptr;
    }
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return at;
}

bool evaluate_condition(const Json& c, const Json& facts) {
  if (c.is_boolean()) return c.get<bool>();
  if (c.is_null()) return true;
  if (const auto it = c.find("all"); it != c.end()) {
    return std::all_of(it->begin(), it->end(),
                       [&](const Json& x) { return evaluate_condition(x, facts); });
  }
  if (const auto it = c.find("any"); it != c.end()) {
    return std::any_of(it->begin(), it->end(),
                       [&](const Json& x) { return evaluate_condition(x, facts); });
  }
  if (const auto it = c.find("not"); it != c.end()) return !evaluate_condition(*it, facts);
  if (const auto it = c.find("changed"); it != c.end()) {
    const std::string field = it->get<std::string>();
    const Json* old_value = lookup_fact(facts, "old." + field);
    const Json* new_value = lookup_fact(facts, "new." + field);
    if (!old_value && !new_value) return false;
    if (c.contains("from") && !(old_value && equal(*old_value, c["from"]))) return false;
    if (c.contains("to") && !(new_value && equal(*new_value, c["to"]))) return false;
    return true;
  }
  const std::string op = c.value("op", "eq");
  static const Json kNull;
  const Json& value = c.contains("value") ? c["value"] : kNull;
  if (const auto it = c.find("old"); it != c.end()) {
    // Only a change event has an old value: without one the test is false.
    const std::string field = it->get<std::string>();
    if (!lookup_fact(facts, "new." + field) && !lookup_fact(facts, "old." + field)) return false;
    return compare(lookup_fact(facts, "old." + field), op, value);
  }
  return compare(lookup_fact(facts, c["field"].get_ref<const std::string&>()), op, value);
}

Json expand_template(const Json& value, const Json& facts) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& v : value) out.push_back(expand_template(v, facts));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[it.key()] = expand_template(it.value(), facts);
    }
    return out;
  }
  if (!value.is_string()) return value;
  const std::string& text = value.get_ref<const std::string&>();
  const auto marks = placeholders(text);
  if (marks.empty()) return value;
  if (marks.size() == 1 && marks[0].begin == 0 && marks[0].end == text.size()) {
    const Json* fact = lookup_fact(facts, marks[0].path);
    return fact ? *fact : Json();
  }
  std::string out;
  std::size_t from = 0;
  for (const auto& m : marks) {
    out.append(text, from, m.begin - from);
    if (const Json* fact = lookup_fact(facts, m.path); fact && !fact->is_null()) {
      out += fact->is_string() ? fact->get<std::string>() : fact->dump();
    }
    from = m.end;
  }
  out.append(text, from, std::string::npos);
  return out;
}

bool mentions_customer(const Json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    return s.starts_with("customer") || s.find("{{customer") != std::string::npos ||
           s.find("{{ customer") != std::string::npos;
  }
  if (j.is_array() || j.is_object()) {
    return std::any_of(j.begin(), j.end(), [](const Json& x) { return mentions_customer(x); });
  }
  return false;
}

}  // namespace crm
