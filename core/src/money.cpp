#include "crm/money.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace crm {

CurrencyMismatch::~CurrencyMismatch() = default;

namespace {

struct CurrencyEntry {
  std::string_view code;
  std::uint8_t digits;
};

// ISO 4217 active codes and their minor units (list of 2024-06, with XCG and
// ZWG of 2024-2025), sorted by code for the binary search. Funds and metals
// without minor units (XAU, XDR...) are left out: no business prices in them.
constexpr CurrencyEntry kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2},
    {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

constexpr std::int64_t kPowersOfTen[] = {1, 10, 100, 1000, 10000};

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

[[noreturn]] void overflow(std::string_view what) {
  throw InvalidInput("money: " + std::string(what) + " does not fit in 64 bits of minor units");
}

void require_same(const Money& a, const Money& b, std::string_view verb) {
  if (a.currency() != b.currency()) {
    throw CurrencyMismatch("cannot " + std::string(verb) + " " + a.to_string() + " and " +
                           b.to_string());
  }
}

}  // namespace

Currency Currency::of(std::string_view code) {
  const auto* end = std::end(kCurrencies);
  const auto* it =
      std::lower_bound(std::begin(kCurrencies), end, code,
                       [](const CurrencyEntry& e, std::string_view c) { return e.code < c; });
  if (it == end || it->code != code) {
    throw InvalidInput("currency " + quoted(code) + ": not an ISO 4217 currency code");
  }
  return Currency({code[0], code[1], code[2]}, it->digits);
}

Money Money::parse_amount(std::string_view text, Currency currency) {
  const auto bad = [&](std::string_view why) -> InvalidInput {
    return InvalidInput("invalid amount " + quoted(text) + " in " + std::string(currency.code()) +
                        ": " + std::string(why));
  };
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
    throw bad("expected digits such as 12.50");
  }
  for (const std::string_view part : {whole, fraction}) {
    if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw bad("expected digits such as 12.50");
    }
  }
  const int digits = currency.minor_digits();
  if (fraction.size() > std::size_t(digits)) {
    throw bad("the currency has " + std::to_string(digits) + " decimal" + (digits == 1 ? "" : "s"));
  }
  std::int64_t units = 0;
  if (std::from_chars(whole.data(), whole.data() + whole.size(), units).ec != std::errc{}) {
    throw bad("too large");
  }
  std::int64_t minor = 0;
  if (__builtin_mul_overflow(units, kPowersOfTen[digits], &minor)) throw bad("too large");
  std::int64_t cents = 0;
  for (std::size_t i = 0; i < std::size_t(digits); ++i) {
    cents = cents * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  if (__builtin_add_overflow(minor, cents, &minor)) throw bad("too large");
  return Money(negative ? -minor : minor, currency);
}

Money Money::parse(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) {
    throw InvalidInput("invalid money " + quoted(text) +
                       " (expected an amount and a currency, e.g. 12.50 EUR)");
  }
  std::string_view first = text.substr(0, space), second = text.substr(space + 1);
  const bool code_first = !first.empty() && first.front() >= 'A' && first.front() <= 'Z';
  if (code_first) std::swap(first, second);
  if (second.size() != 3) {
    throw InvalidInput("invalid money " + quoted(text) +
                       " (expected an amount and a currency, e.g. 12.50 EUR)");
  }
  return parse_amount(first, Currency::of(second));
}

Money Money::from_major(double major, Currency currency) {
  if (!std::isfinite(major)) {
    throw InvalidInput("money: amount " + std::to_string(major) + " is not a finite number");
  }
  const double scaled = std::round(major * double(kPowersOfTen[currency.minor_digits()]));
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (!(scaled > -9223372036854775808.0 && scaled < 9223372036854775808.0)) overflow("the amount");
  return Money(static_cast<std::int64_t>(scaled), currency);
}

double Money::to_major() const {
  return double(minor_) / double(kPowersOfTen[currency_.minor_digits()]);
}

std::string Money::amount_text() const {
  const int digits = currency_.minor_digits();
  // The magnitude as unsigned, so that INT64_MIN has one.
  const std::uint64_t magnitude =
      minor_ < 0 ? std::uint64_t(0) - std::uint64_t(minor_) : std::uint64_t(minor_);
  const std::uint64_t scale = std::uint64_t(kPowersOfTen[digits]);
  std::string out = minor_ < 0 ? "-" : "";
  out += std::to_string(magnitude / scale);
  if (digits > 0) {
    std::string fraction = std::to_string(magnitude % scale);
    out += '.';
    out.append(std::size_t(digits) - fraction.size(), '0');
    out += fraction;
  }
  return out;
}

std::string Money::to_string() const { return amount_text() + " " + std::string(currency_.code()); }

Money& Money::operator+=(const Money& other) {
  require_same(*this, other, "add");
  if (__builtin_add_overflow(minor_, other.minor_, &minor_))
    overflow(to_string() + " + " + other.to_string());
  return *this;
}

Money& Money::operator-=(const Money& other) {
  require_same(*this, other, "subtract");
  if (__builtin_sub_overflow(minor_, other.minor_, &minor_))
    overflow(to_string() + " - " + other.to_string());
  return *this;
}

Money Money::operator-() const {
  if (minor_ == std::numeric_limits<std::int64_t>::min()) overflow("-(" + to_string() + ")");
  return Money(-minor_, currency_);
}

Money Money::operator*(std::int64_t quantity) const {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(minor_, quantity, &out)) {
    overflow(to_string() + " * " + std::to_string(quantity));
  }
  return Money(out, currency_);
}

Money Money::scaled(double factor) const {
  if (!std::isfinite(factor)) throw InvalidInput("money: scale factor is not a finite number");
  const double v = std::round(double(minor_) * factor);
  if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) overflow(to_string() + " scaled");
  return Money(static_cast<std::int64_t>(v), currency_);
}

bool operator<(const Money& a, const Money& b) {
  require_same(a, b, "compare");
  return a.minor_ < b.minor_;
}

void to_json(Json& j, const Money& m) { j = m.to_string(); }

void from_json(const Json& j, Money& m) {
  if (!j.is_string()) {
    throw InvalidInput(std::string("money: expected a string such as \"12.50 EUR\", got ") +
                       j.type_name());
  }
  m = Money::parse(j.get_ref<const std::string&>());
}

}  // namespace crm
