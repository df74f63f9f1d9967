// Conditions and templates of workflow definitions (crm/condition.hpp).
#include <algorithm>
#include <array>
#include <optional>

#include "crm/condition.hpp"
#include "crm/error.hpp"

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
  const std::string& text = it->get_ref<const std::string&>();
  if (text.front() == '.' || text.back() == '.' || text.find("..") != std::string::npos) {
    errors.push_back({path + "." + key, "'" + text + "' has an empty part"});
    return;
  }
  if (std::string_view(key) == "field" && !known_root(text)) {
    errors.push_back(
        {path + ".field", "unknown root in '" + it->get<std::string>() +
                              "' (expected event, customer, vars, old, new, instance or now)"});
  }
}

void check_operator(const Json& c, const std::string& path, std::vector<DefinitionError>& errors) {
  if (const auto it = c.find("op"); it != c.end() && !it->is_string()) {
    errors.push_back({path + ".op", std::string("expected a string, got ") + it->type_name()});
    return;
  }
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

// One step of a field path: an object's key, or an array's index.
const Json* fact_part(const Json& at, std::string_view part) {
  if (at.is_object()) {
    const auto it = at.find(part);
    return it == at.end() ? nullptr : &*it;
  }
  if (!at.is_array() || part.empty()) return nullptr;
  std::size_t index = 0;
  for (const char ch : part) {
    if (ch < '0' || ch > '9') return nullptr;
    index = index * 10 + static_cast<std::size_t>(ch - '0');
    // Digits only make it larger: stop before a long one wraps around to
    // an index that exists.
    if (index >= at.size()) return nullptr;
  }
  return index < at.size() ? &at[index] : nullptr;
}

}  // namespace

namespace {

std::string too_deep_message() {
  return "conditions nested deeper than " + std::to_string(kMaxConditionDepth) + " levels";
}

void validate_at_depth(const Json& c, const std::string& path, int depth,
                       std::vector<DefinitionError>& errors) {
  if (depth > kMaxConditionDepth) {
    errors.push_back({path, too_deep_message()});
    return;
  }
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
      {"condition", {"args"}},
  };
  std::vector<const Form*> present;
  for (const Form& f : kForms) {
    if (c.contains(f.key)) present.push_back(&f);
  }
  if (present.empty()) {
    errors.push_back(
        {path, "unknown condition (expected all, any, not, field, changed, old or condition)"});
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
      validate_at_depth(list[i], path + "." + key + "[" + std::to_string(i) + "]", depth + 1,
                        errors);
    }
  } else if (key == "not") {
    validate_at_depth(c["not"], path + ".not", depth + 1, errors);
  } else if (key == "changed") {
    check_path(c, "changed", path, errors);
  } else if (key == "condition") {
    const Json& name = c["condition"];
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      errors.push_back({path + ".condition", "must be the non-empty name of a condition"});
    }
    if (c.contains("args") && !c["args"].is_object()) {
      errors.push_back({path + ".args", "must be an object"});
    }
  } else {
    check_path(c, form.key, path, errors);
    check_operator(c, path, errors);
  }
}

}  // namespace

void validate_condition(const Json& c, const std::string& path,
                        std::vector<DefinitionError>& errors) {
  validate_at_depth(c, path, 1, errors);
}

namespace {

void visit_named(
    const Json& c, const std::string& path, int depth,
    const std::function<void(const std::string&, const Json&, const std::string&)>& visit) {
  if (depth > kMaxConditionDepth || !c.is_object()) return;
  for (const char* list : {"all", "any"}) {
    if (const auto it = c.find(list); it != c.end() && it->is_array()) {
      for (std::size_t i = 0; i < it->size(); ++i) {
        visit_named((*it)[i], path + "." + list + "[" + std::to_string(i) + "]", depth + 1, visit);
      }
      return;
    }
  }
  if (const auto it = c.find("not"); it != c.end()) {
    visit_named(*it, path + ".not", depth + 1, visit);
    return;
  }
  const auto name = c.find("condition");
  if (name == c.end() || !name->is_string()) return;
  const auto args = c.find("args");
  visit(name->get<std::string>(), args != c.end() ? *args : Json::object(), path);
}

}  // namespace

void for_each_named_condition(
    const Json& condition, const std::string& path,
    const std::function<void(const std::string&, const Json&, const std::string&)>& visit) {
  visit_named(condition, path, 1, visit);
}

const Json* lookup_fact(const Json& facts, std::string_view path) {
  const Json* at = &facts;
  while (at) {
    const auto dot = path.find('.');
    at = fact_part(*at, path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return at;
}

// --- compiled conditions ---

namespace {

enum class Op {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kContains,
  kStartsWith,
  kExists,
  kEmpty
};

Op parse_op(std::string_view op) {
  static constexpr std::pair<std::string_view, Op> kOps[] = {{"eq", Op::kEq},
                                                             {"ne", Op::kNe},
                                                             {"lt", Op::kLt},
                                                             {"le", Op::kLe},
                                                             {"gt", Op::kGt},
                                                             {"ge", Op::kGe},
                                                             {"in", Op::kIn},
                                                             {"not_in", Op::kNotIn},
                                                             {"contains", Op::kContains},
                                                             {"starts_with", Op::kStartsWith},
                                                             {"exists", Op::kExists},
                                                             {"empty", Op::kEmpty}};
  for (const auto& [name, o] : kOps) {
    if (name == op) return o;
  }
  return Op::kEq;  // validate_condition() refuses the unknown ones
}

bool compare(const Json* field, Op op, const Json& value) {
  static const Json kNull;
  const Json& f = field ? *field : kNull;
  switch (op) {
    case Op::kExists:
      return field != nullptr && !field->is_null();
    case Op::kEmpty:
      // Json::empty() is false for every string, "" included.
      if (f.is_string()) return f.get_ref<const std::string&>().empty();
      return f.is_null() || ((f.is_array() || f.is_object()) && f.empty());
    case Op::kEq:
      return equal(f, value);
    case Op::kNe:
      return !equal(f, value);
    case Op::kIn:
    case Op::kNotIn: {
      const bool found =
          value.is_array() &&
          std::any_of(value.begin(), value.end(), [&](const Json& v) { return equal(f, v); });
      return op == Op::kIn ? found : !found;
    }
    case Op::kContains:
      if (f.is_array()) {
        return std::any_of(f.begin(), f.end(), [&](const Json& v) { return equal(v, value); });
      }
      if (f.is_string() && value.is_string()) {
        return f.get_ref<const std::string&>().find(value.get_ref<const std::string&>()) !=
               std::string::npos;
      }
      if (f.is_object() && value.is_string()) return f.contains(value.get<std::string>());
      return false;
    case Op::kStartsWith:
      return f.is_string() && value.is_string() &&
             f.get_ref<const std::string&>().starts_with(value.get_ref<const std::string&>());
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      break;
  }
  int cmp = 0;
  if (!ordered(f, value, cmp)) return false;
  if (op == Op::kLt) return cmp < 0;
  if (op == Op::kLe) return cmp <= 0;
  if (op == Op::kGt) return cmp > 0;
  return cmp >= 0;
}

std::vector<std::string> split_path(std::string_view root, std::string_view path) {
  std::vector<std::string> parts;
  if (!root.empty()) parts.emplace_back(root);
  while (true) {
    const auto dot = path.find('.');
    parts.emplace_back(path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return parts;
}

// lookup_fact() on a path split in advance.
const Json* lookup_parts(const Json& facts, const std::vector<std::string>& parts) {
  const Json* at = &facts;
  for (const std::string& part : parts) {
    at = fact_part(*at, part);
    if (!at) return nullptr;
  }
  return at;
}

}  // namespace

struct CompiledCondition::Program {
  enum class Kind { kConstant, kAll, kAny, kNot, kCompare, kChanged, kOld, kNamed };
  struct Node {
    Kind kind = Kind::kConstant;
    bool constant = true;
    Op op = Op::kEq;
    std::vector<std::string> path;      // kCompare: the field
    std::vector<std::string> old_path;  // kChanged, kOld: old.<field>
    std::vector<std::string> new_path;  // kChanged, kOld: new.<field>
    Json value;                         // kCompare, kOld; kNamed: the args
    std::string name;                   // kNamed
    std::optional<Json> from, to;
    std::vector<std::size_t> children;
  };
  std::vector<Node> nodes;  // nodes[0] is the root

  // `path` locates `c` for the depth error, checked before descending.
  std::size_t add(const Json& c, const std::string& path, int depth) {
    if (depth > kMaxConditionDepth) throw InvalidInput(path + ": " + too_deep_message());
    const std::size_t i = nodes.size();
    nodes.emplace_back();
    Node n;
    if (c.is_boolean() || c.is_null()) {
      n.constant = c.is_null() || c.get<bool>();
    } else if (const auto all = c.find("all"); all != c.end()) {
      n.kind = Kind::kAll;
      for (std::size_t k = 0; k < all->size(); ++k) {
        n.children.push_back(add((*all)[k], path + ".all[" + std::to_string(k) + "]", depth + 1));
      }
    } else if (const auto any = c.find("any"); any != c.end()) {
      n.kind = Kind::kAny;
      for (std::size_t k = 0; k < any->size(); ++k) {
        n.children.push_back(add((*any)[k], path + ".any[" + std::to_string(k) + "]", depth + 1));
      }
    } else if (const auto no = c.find("not"); no != c.end()) {
      n.kind = Kind::kNot;
      n.children.push_back(add(*no, path + ".not", depth + 1));
    } else if (const auto named = c.find("condition"); named != c.end()) {
      n.kind = Kind::kNamed;
      n.name = named->get<std::string>();
      n.value = c.contains("args") ? c["args"] : Json::object();
    } else if (const auto ch = c.find("changed"); ch != c.end()) {
      n.kind = Kind::kChanged;
      n.old_path = split_path("old", ch->get_ref<const std::string&>());
      n.new_path = split_path("new", ch->get_ref<const std::string&>());
      if (c.contains("from")) n.from = c["from"];
      if (c.contains("to")) n.to = c["to"];
    } else {
      const auto old = c.find("old");
      n.kind = old != c.end() ? Kind::kOld : Kind::kCompare;
      n.op = parse_op(c.value("op", "eq"));
      n.value = c.contains("value") ? c["value"] : Json();
      if (old != c.end()) {
        n.old_path = split_path("old", old->get_ref<const std::string&>());
        n.new_path = split_path("new", old->get_ref<const std::string&>());
      } else {
        n.path = split_path("", c.at("field").get_ref<const std::string&>());
      }
    }
    nodes[i] = std::move(n);
    return i;
  }

  bool eval(std::size_t i, const Json& facts, const NamedConditions* named) const {
    const Node& n = nodes[i];
    switch (n.kind) {
      case Kind::kConstant:
        return n.constant;
      case Kind::kAll:
        return std::all_of(n.children.begin(), n.children.end(),
                           [&](std::size_t c) { return eval(c, facts, named); });
      case Kind::kAny:
        return std::any_of(n.children.begin(), n.children.end(),
                           [&](std::size_t c) { return eval(c, facts, named); });
      case Kind::kNot:
        return !eval(n.children.front(), facts, named);
      case Kind::kNamed:
        if (!named) {
          throw InvalidInput("condition '" + n.name +
                             "' is a named condition: only the workflow engine evaluates it");
        }
        return named->test(n.name, expand_template(n.value, facts), facts);
      case Kind::kChanged: {
        const Json* old_value = lookup_parts(facts, n.old_path);
        const Json* new_value = lookup_parts(facts, n.new_path);
        if (!old_value && !new_value) return false;
        if (n.from && !(old_value && equal(*old_value, *n.from))) return false;
        if (n.to && !(new_value && equal(*new_value, *n.to))) return false;
        return true;
      }
      case Kind::kOld: {
        // Only a change event has an old value: without one the test is false.
        const Json* old_value = lookup_parts(facts, n.old_path);
        if (!old_value && !lookup_parts(facts, n.new_path)) return false;
        return compare(old_value, n.op, n.value);
      }
      case Kind::kCompare:
        break;
    }
    return compare(lookup_parts(facts, n.path), n.op, n.value);
  }
};

CompiledCondition::CompiledCondition() : CompiledCondition(Json(true)) {}

CompiledCondition::CompiledCondition(const Json& condition) {
  auto p = std::make_shared<Program>();
  p->add(condition, "$", 1);
  program_ = std::move(p);
}

bool CompiledCondition::operator()(const Json& facts, const NamedConditions* named) const {
  return program_->eval(0, facts, named);
}

bool evaluate_condition(const Json& c, const Json& facts, const NamedConditions* named) {
  return CompiledCondition(c)(facts, named);
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
