// Strict reading of one JSON object into an entity, for the from_json()
// functions of the SDK entities.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/date.hpp"
#include "crm/error.hpp"
#include "crm/json.hpp"
#include "crm/money.hpp"
#include "crm/time.hpp"

namespace crm::core {

// Reads the keys of one JSON object strictly, naming what it reads and the
// key in every error: "customer: 'tags' must be an array of strings".
class Fields {
 public:
  Fields(const Json& j, std::string what) : j_(j), what_(std::move(what)) {
    if (!j_.is_object()) throw InvalidInput(what_ + ": expected a JSON object, got " + j_.dump());
  }
  const Json& at(const char* key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) throw InvalidInput(what_ + ": missing key '" + key + "'");
    return *it;
  }
  bool is_null(const char* key) const { return at(key).is_null(); }
  [[noreturn]] void wrong(const char* key, const char* expected) const {
    throw InvalidInput(what_ + ": '" + key + "' must be " + expected + ", got " + at(key).dump());
  }
  std::string text(const char* key) const {
    if (!at(key).is_string()) wrong(key, "a string");
    return at(key).get<std::string>();
  }
  std::int64_t integer(const char* key) const {
    if (!at(key).is_number_integer()) wrong(key, "a whole number");
    return at(key).get<std::int64_t>();
  }
  std::optional<std::int64_t> optional_integer(const char* key) const {
    if (is_null(key)) return std::nullopt;
    if (!at(key).is_number_integer()) wrong(key, "a whole number or null");
    return at(key).get<std::int64_t>();
  }
  std::optional<double> optional_number(const char* key) const {
    if (is_null(key)) return std::nullopt;
    if (!at(key).is_number()) wrong(key, "a number or null");
    return at(key).get<double>();
  }
  // A money text ("12.50 EUR") or null.
  std::optional<Money> optional_money(const char* key) const {
    if (is_null(key)) return std::nullopt;
    if (!at(key).is_string()) wrong(key, "an amount with its currency (\"12.50 EUR\") or null");
    try {
      return Money::parse(at(key).get<std::string>());
    } catch (const InvalidInput& e) {
      throw InvalidInput(what_ + ": '" + key + "': " + e.what());
    }
  }
  // A date "YYYY-MM-DD" or null; "" also reads as null when
  // `empty_is_null` (the form of a missing date before it was a Date).
  std::optional<Date> optional_date(const char* key, bool empty_is_null = false) const {
    if (is_null(key)) return std::nullopt;
    if (!at(key).is_string()) wrong(key, "a date YYYY-MM-DD or null");
    const std::string& text = at(key).get_ref<const std::string&>();
    if (empty_is_null && text.empty()) return std::nullopt;
    try {
      return Date::parse(text);
    } catch (const InvalidInput& e) {
      throw InvalidInput(what_ + ": '" + key + "': " + e.what());
    }
  }
  bool boolean(const char* key) const {
    if (!at(key).is_boolean()) wrong(key, "true or false");
    return at(key).get<bool>();
  }
  TimePoint time(const char* key) const {
    try {
      return parse_time(text(key));
    } catch (const InvalidInput& e) {
      throw InvalidInput(what_ + ": '" + key + "': " + e.what());
    }
  }
  std::optional<TimePoint> optional_time(const char* key) const {
    if (is_null(key)) return std::nullopt;
    return time(key);
  }
  Json object(const char* key) const {
    if (!at(key).is_object()) wrong(key, "an object");
    return at(key);
  }
  Json any(const char* key) const { return at(key); }
  std::vector<std::string> texts(const char* key) const {
    const Json& a = at(key);
    if (!a.is_array()) wrong(key, "an array of strings");
    std::vector<std::string> out;
    for (const Json& v : a) {
      if (!v.is_string()) wrong(key, "an array of strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  // Each element of the array at `key` as an object of its own, named
  // "<what>.<key>[i]" in errors.
  std::vector<Fields> objects(const char* key) const {
    const Json& a = at(key);
    if (!a.is_array()) wrong(key, "an array of objects");
    std::vector<Fields> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
      out.emplace_back(a[i], what_ + "." + key + "[" + std::to_string(i) + "]");
    }
    return out;
  }

 private:
  const Json& j_;
  std::string what_;
};

}  // namespace crm::core
