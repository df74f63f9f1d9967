// Money: an exact amount of one currency.
//
// An amount is a whole number of the currency's minor units (cents for EUR,
// yen for JPY, fils for KWD) with its ISO 4217 code, so sums of millions of
// amounts are exact and a report never shows 0.30000000000000004. Mixing
// currencies is an error, never a silent conversion: there is no exchange
// rate in the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crm/error.hpp"
#include "crm/export.hpp"
#include "crm/json.hpp"

namespace crm {

// Arithmetic or comparison of two amounts of different currencies; the
// message names both ("cannot add 12.50 EUR and 3.00 USD").
class CRM_API CurrencyMismatch : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
  ~CurrencyMismatch() override;
};

// An ISO 4217 currency: its three-letter code and number of minor digits.
// Trivially copyable (four bytes), so cheap in a scan of millions of rows.
class CRM_API Currency {
 public:
  // "XXX", the ISO code for "no currency" (0 minor digits): the currency of
  // a default Money. Amounts of it mix with no real currency.
  constexpr Currency() = default;

  // The currency of an ISO 4217 code in upper case ("EUR"). Throws
  // InvalidInput "currency 'EUX': not an ISO 4217 currency code" otherwise.
  static Currency of(std::string_view code);

  std::string_view code() const { return {code_.data(), 3}; }
  // Digits after the decimal point: 2 for EUR and USD, 0 for JPY, 3 for KWD.
  int minor_digits() const { return digits_; }

  friend bool operator==(const Currency&, const Currency&) = default;

 private:
  constexpr Currency(std::array<char, 3> code, std::uint8_t digits)
      : code_(code), digits_(digits) {}
  std::array<char, 3> code_{'X', 'X', 'X'};
  std::uint8_t digits_ = 0;
};

class CRM_API Money {
 public:
  // Zero of no currency (XXX).
  constexpr Money() = default;
  constexpr Money(std::int64_t minor_units, Currency currency)
      : minor_(minor_units), currency_(currency) {}

  // "12.50 EUR", "-3 JPY" or "EUR 12.50": an amount with at most the
  // currency's minor digits and its code, one space between. Throws
  // InvalidInput naming the text.
  static Money parse(std::string_view text);
  // An amount without its code ("12.5", "-0.05") in `currency`. Throws
  // InvalidInput naming the text for anything else, for more decimals than
  // the currency has, or for an amount beyond the int64 range.
  static Money parse_amount(std::string_view amount, Currency currency);
  // `major` units ("12.5") rounded to the nearest minor unit, halves away
  // from zero: for values that were stored as floating point. Throws
  // InvalidInput for a non-finite value or one beyond the int64 range.
  static Money from_major(double major, Currency currency);

  std::int64_t minor_units() const { return minor_; }
  Currency currency() const { return currency_; }
  // In major units, as a double: for statistics, never for sums.
  double to_major() const;

  // "12.50 EUR".
  std::string to_string() const;
  // "12.50": the amount without its code.
  std::string amount_text() const;

  bool is_zero() const { return minor_ == 0; }
  bool is_negative() const { return minor_ < 0; }

  // Each throws CurrencyMismatch for different currencies and InvalidInput
  // when the result does not fit in 64 bits.
  Money& operator+=(const Money& other);
  Money& operator-=(const Money& other);
  friend Money operator+(Money a, const Money& b) { return a += b; }
  friend Money operator-(Money a, const Money& b) { return a -= b; }
  Money operator-() const;
  // A unit price times a quantity. Throws InvalidInput on overflow.
  Money operator*(std::int64_t quantity) const;
  // The amount times `factor` (a discount of 15 %: scaled(0.85)), rounded to
  // the nearest minor unit, halves away from zero. Throws InvalidInput for a
  // non-finite factor or an overflow.
  Money scaled(double factor) const;

  // Same currency and amount. Different currencies are unequal, not an error.
  friend bool operator==(const Money&, const Money&) = default;
  // Orders amounts of one currency; throws CurrencyMismatch for two.
  friend CRM_API bool operator<(const Money& a, const Money& b);
  friend bool operator>(const Money& a, const Money& b) { return b < a; }
  friend bool operator<=(const Money& a, const Money& b) { return !(b < a); }
  friend bool operator>=(const Money& a, const Money& b) { return !(a < b); }

 private:
  std::int64_t minor_ = 0;
  Currency currency_;
};

// An exact running total of amounts of one currency, for sums over millions
// of rows.
class CRM_API MoneySum {
 public:
  explicit MoneySum(Currency currency) : total_(0, currency) {}
  // Throws CurrencyMismatch for an amount of another currency and
  // InvalidInput on overflow; the total is unchanged then.
  void add(const Money& m) {
    total_ += m;
    ++count_;
  }
  const Money& total() const { return total_; }
  std::int64_t count() const { return count_; }

 private:
  Money total_;
  std::int64_t count_ = 0;
};

// JSON form: the string "12.50 EUR" (exact; a JSON number would not be).
// from_json throws InvalidInput "money: expected a string such as
// \"12.50 EUR\", got number" for anything else.
CRM_API void to_json(Json& j, const Money& m);
CRM_API void from_json(const Json& j, Money& m);

}  // namespace crm
