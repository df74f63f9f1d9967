// Text and JSON forms of the per-customer table declarations and of an
// erasure report.
#include "crm/customer_privacy.hpp"
#include "crm/customer_table.hpp"
#include "crm/error.hpp"
#include "json_fields.hpp"

namespace crm {

using core::Fields;

std::string to_string(OnMerge m) {
  switch (m) {
    case OnMerge::kMoveToSurvivor:
      return "move";
    case OnMerge::kKeepBoth:
      return "keep_both";
    case OnMerge::kDrop:
      return "drop";
  }
  return "?";
}

std::string to_string(OnErase e) {
  switch (e) {
    case OnErase::kDelete:
      return "delete";
    case OnErase::kAnonymise:
      return "anonymise";
    case OnErase::kKeep:
      return "keep";
  }
  return "?";
}

OnMerge parse_on_merge(std::string_view text) {
  for (const OnMerge m : {OnMerge::kMoveToSurvivor, OnMerge::kKeepBoth, OnMerge::kDrop}) {
    if (text == to_string(m)) return m;
  }
  throw InvalidInput("on merge: '" + std::string(text) + "' is not move, keep_both or drop");
}

OnErase parse_on_erase(std::string_view text) {
  for (const OnErase e : {OnErase::kDelete, OnErase::kAnonymise, OnErase::kKeep}) {
    if (text == to_string(e)) return e;
  }
  throw InvalidInput("on erase: '" + std::string(text) + "' is not delete, anonymise or keep");
}

namespace {

Json value_json(const SqlValue& v) {
  if (std::holds_alternative<std::int64_t>(v)) return std::get<std::int64_t>(v);
  if (std::holds_alternative<double>(v)) return std::get<double>(v);
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  return nullptr;
}

SqlValue sql_value(const Fields& f, const char* key) {
  const Json& v = f.at(key);
  if (v.is_null()) return nullptr;
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  f.wrong(key, "null, a number or a string");
}

// Parses with `parse`, naming the key of `f` in the error.
template <class T, class Parse>
T parsed(const Fields& f, const char* key, const std::string& what, Parse parse) {
  const std::string text = f.text(key);
  try {
    return parse(text);
  } catch (const InvalidInput& e) {
    throw InvalidInput(what + ": '" + key + "': " + e.what());
  }
}

std::map<std::string, std::int64_t> counts(const Fields& f, const char* key,
                                           const std::string& what) {
  std::map<std::string, std::int64_t> out;
  const Json object = f.object(key);  // items() refers to it: it must outlive the loop
  for (const auto& [name, n] : object.items()) {
    if (!n.is_number_integer()) {
      throw InvalidInput(what + ": '" + key + "." + name + "' must be a whole number, got " +
                         n.dump());
    }
    out[name] = n.get<std::int64_t>();
  }
  return out;
}

}  // namespace

Json to_json(const CustomerTable& t) {
  Json anonymise = Json::array();
  for (const AnonymisedColumn& a : t.anonymise) {
    anonymise.push_back({{"column", a.column}, {"value", value_json(a.value)}});
  }
  return Json{{"table", t.table},
              {"customer_column", t.customer_column},
              {"on_merge", to_string(t.on_merge)},
              {"on_erase", to_string(t.on_erase)},
              {"anonymise", anonymise},
              {"owner", t.owner}};
}

void from_json(const Json& j, CustomerTable& t) {
  const Fields f(j, "customer table");
  CustomerTable out;
  out.table = f.text("table");
  out.customer_column = f.text("customer_column");
  out.on_merge = parsed<OnMerge>(f, "on_merge", "customer table", parse_on_merge);
  out.on_erase = parsed<OnErase>(f, "on_erase", "customer table", parse_on_erase);
  for (const Fields& a : f.objects("anonymise")) {
    out.anonymise.push_back({a.text("column"), sql_value(a, "value")});
  }
  out.owner = f.text("owner");
  t = std::move(out);
}

Json to_json(const ErasureReport& r) {
  return Json{{"customer", r.customer},
              {"erased_at", format_time(r.erased_at)},
              {"deleted", r.deleted},
              {"anonymised", r.anonymised}};
}

void from_json(const Json& j, ErasureReport& r) {
  const Fields f(j, "erasure report");
  ErasureReport out;
  out.customer = f.integer("customer");
  out.erased_at = f.time("erased_at");
  out.deleted = counts(f, "deleted", "erasure report");
  out.anonymised = counts(f, "anonymised", "erasure report");
  r = std::move(out);
}

}  // namespace crm
