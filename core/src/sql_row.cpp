#include "crm/database.hpp"
#include "crm/error.hpp"

namespace crm {
namespace {
[[noreturn]] void wrong_type(std::size_t i, const char* want) {
  throw StoreError("column " + std::to_string(i) + " is not " + want);
}
}  // namespace

std::int64_t SqlRow::integer(std::size_t i) const {
  const SqlValue& v = values_.at(i);
  if (const auto* p = std::get_if<std::int64_t>(&v)) return *p;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  wrong_type(i, "an integer");
}

double SqlRow::real(std::size_t i) const {
  const SqlValue& v = values_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  wrong_type(i, "a number");
}

const std::string& SqlRow::text(std::size_t i) const {
  static const std::string kEmpty;
  const SqlValue& v = values_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::nullptr_t>(v)) return kEmpty;
  wrong_type(i, "text");
}

}  // namespace crm
