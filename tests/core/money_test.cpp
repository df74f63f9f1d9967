#include "crm/money.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace crm {
namespace {

const Currency kEur = Currency::of("EUR");
const Currency kUsd = Currency::of("USD");
const Currency kJpy = Currency::of("JPY");
const Currency kKwd = Currency::of("KWD");

TEST(CurrencyTest, KnowsIsoCodesAndMinorDigits) {
  EXPECT_EQ(kEur.code(), "EUR");
  EXPECT_EQ(kEur.minor_digits(), 2);
  EXPECT_EQ(kJpy.minor_digits(), 0);
  EXPECT_EQ(kKwd.minor_digits(), 3);
  EXPECT_EQ(Currency::of("AED").code(), "AED");  // first of the table
  EXPECT_EQ(Currency::of("ZWG").code(), "ZWG");  // last of the table
  EXPECT_EQ(Currency().code(), "XXX");
  EXPECT_NE(kEur, kUsd);
}

TEST(CurrencyTest, RefusesWhatIsNoCode) {
  for (const char* bad : {"EUX", "eur", "EU", "EURO", "", "XXX"}) {
    EXPECT_THROW(Currency::of(bad), InvalidInput) << bad;
  }
  try {
    Currency::of("EUX");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "currency 'EUX': not an ISO 4217 currency code");
  }
}

TEST(MoneyTest, ParsesAmountsWithAtMostTheCurrencysDecimals) {
  EXPECT_EQ(Money::parse("12.50 EUR"), Money(1250, kEur));
  EXPECT_EQ(Money::parse("12.5 EUR"), Money(1250, kEur));
  EXPECT_EQ(Money::parse("12 EUR"), Money(1200, kEur));
  EXPECT_EQ(Money::parse("EUR 12.05"), Money(1205, kEur));
  EXPECT_EQ(Money::parse("-0.05 USD"), Money(-5, kUsd));
  EXPECT_EQ(Money::parse("+3 JPY"), Money(3, kJpy));
  EXPECT_EQ(Money::parse("1.234 KWD"), Money(1234, kKwd));
  EXPECT_EQ(Money::parse_amount("0.07", kEur), Money(7, kEur));
  EXPECT_EQ(Money::parse_amount("92233720368547758.07", kEur),
            Money(std::numeric_limits<std::int64_t>::max(), kEur));
}

TEST(MoneyTest, RefusesMalformedAmountsNamingThem) {
  for (const char* bad : {"12.505 EUR", "3.5 JPY", "12,50 EUR", "12. EUR", ".5 EUR", "EUR", "12.50",
                          "12.50  EUR", "12.50 EUR x", "1e3 EUR", "- 1 EUR", "12.50 eur", "",
                          "92233720368547758.08 EUR", "99999999999999999999 EUR"}) {
    EXPECT_THROW(Money::parse(bad), InvalidInput) << bad;
  }
  try {
    Money::parse("12.505 EUR");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "invalid amount '12.505' in EUR: the currency has 2 decimals");
  }
}

TEST(MoneyTest, FormatsWithTheCurrencysDecimals) {
  EXPECT_EQ(Money(1250, kEur).to_string(), "12.50 EUR");
  EXPECT_EQ(Money(-5, kEur).to_string(), "-0.05 EUR");
  EXPECT_EQ(Money(-1205, kEur).amount_text(), "-12.05");
  EXPECT_EQ(Money(7, kJpy).to_string(), "7 JPY");
  EXPECT_EQ(Money(1, kKwd).to_string(), "0.001 KWD");
  EXPECT_EQ(Money(std::numeric_limits<std::int64_t>::min(), kEur).amount_text(),
            "-92233720368547758.08");
  EXPECT_EQ(Money().to_string(), "0 XXX");
  for (const char* text : {"12.50 EUR", "-0.05 EUR", "0.001 KWD", "7 JPY", "0.00 USD"}) {
    EXPECT_EQ(Money::parse(text).to_string(), text);
  }
}

TEST(MoneyTest, ArithmeticRefusesToMixCurrencies) {
  EXPECT_EQ(Money(1250, kEur) + Money(5, kEur), Money(1255, kEur));
  EXPECT_EQ(Money(1250, kEur) - Money(1300, kEur), Money(-50, kEur));
  EXPECT_EQ(-Money(5, kEur), Money(-5, kEur));
  EXPECT_EQ(Money(199, kEur) * 3, Money(597, kEur));
  try {
    (void)(Money(1250, kEur) + Money(300, kUsd));
    FAIL();
  } catch (const CurrencyMismatch& e) {
    EXPECT_STREQ(e.what(), "cannot add 12.50 EUR and 3.00 USD");
  }
  Money m(100, kEur);
  EXPECT_THROW(m -= Money(1, kUsd), CurrencyMismatch);
  EXPECT_EQ(m, Money(100, kEur));  // unchanged by the refused subtraction
  EXPECT_THROW((void)(Money() + Money(1, kEur)), CurrencyMismatch);
}

TEST(MoneyTest, ComparesOnlyOneCurrency) {
  EXPECT_TRUE(Money(1, kEur) < Money(2, kEur));
  EXPECT_FALSE(Money(2, kEur) < Money(2, kEur));
  EXPECT_TRUE(Money(2, kEur) <= Money(2, kEur));
  EXPECT_TRUE(Money(3, kEur) > Money(2, kEur));
  EXPECT_FALSE(Money(100, kEur) == Money(100, kUsd));
  EXPECT_THROW((void)(Money(1, kEur) < Money(2, kUsd)), CurrencyMismatch);
}

TEST(MoneyTest, OverflowIsAnErrorNotAWrap) {
  const Money max(std::numeric_limits<std::int64_t>::max(), kEur);
  EXPECT_THROW((void)(max + Money(1, kEur)), InvalidInput);
  EXPECT_THROW((void)(-max - Money(2, kEur)), InvalidInput);
  EXPECT_THROW((void)(-Money(std::numeric_limits<std::int64_t>::min(), kEur)), InvalidInput);
  EXPECT_THROW((void)(Money(std::int64_t{1} << 62, kEur) * 2), InvalidInput);
  EXPECT_THROW((void)(max.scaled(2.0)), InvalidInput);
}

TEST(MoneyTest, FromMajorRoundsHalvesAwayFromZero) {
  EXPECT_EQ(Money::from_major(12.5, kEur), Money(1250, kEur));
  EXPECT_EQ(Money::from_major(0.125, kEur), Money(13, kEur));  // exactly half a cent
  EXPECT_EQ(Money::from_major(-0.125, kEur), Money(-13, kEur));
  EXPECT_EQ(Money::from_major(0.1 + 0.2, kEur), Money(30, kEur));
  EXPECT_EQ(Money::from_major(2.5, kJpy), Money(3, kJpy));
  EXPECT_EQ(Money(1250, kEur).to_major(), 12.5);
  EXPECT_EQ(Money(1250, kKwd).to_major(), 1.25);
  EXPECT_THROW(Money::from_major(std::numeric_limits<double>::infinity(), kEur), InvalidInput);
  EXPECT_THROW(Money::from_major(std::nan(""), kEur), InvalidInput);
  EXPECT_THROW(Money::from_major(1e17, kEur), InvalidInput);
}

TEST(MoneyTest, ScaledRoundsToTheMinorUnit) {
  EXPECT_EQ(Money(1999, kEur).scaled(0.85), Money(1699, kEur));  // 1699.15
  EXPECT_EQ(Money(10, kEur).scaled(0.25), Money(3, kEur));       // 2.5 rounds away from zero
  EXPECT_EQ(Money(-10, kEur).scaled(0.25), Money(-3, kEur));
  EXPECT_THROW((void)Money(10, kEur).scaled(std::nan("")), InvalidInput);
}

TEST(MoneySumTest, MillionsOfAmountsSumExactly) {
  // 0.10 EUR ten million times: a double accumulator drifts from 1000000.
  MoneySum sum(kEur);
  double drifting = 0;
  for (int i = 0; i < 10'000'000; ++i) {
    sum.add(Money(10, kEur));
    drifting += 0.10;
  }
  EXPECT_EQ(sum.total(), Money(100'000'000, kEur));
  EXPECT_EQ(sum.total().to_string(), "1000000.00 EUR");
  EXPECT_EQ(sum.count(), 10'000'000);
  EXPECT_NE(drifting, 1000000.0);  // why the sum is integral
  EXPECT_THROW(sum.add(Money(1, kUsd)), CurrencyMismatch);
  EXPECT_EQ(sum.count(), 10'000'000);
}

TEST(MoneyJsonTest, IsTheExactString) {
  const Json j = Money(1250, kEur);
  EXPECT_EQ(j, Json("12.50 EUR"));
  EXPECT_EQ(j.get<Money>(), Money(1250, kEur));
  try {
    (void)Json(12.5).get<Money>();
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "money: expected a string such as \"12.50 EUR\", got number");
  }
  EXPECT_THROW((void)Json("12.50").get<Money>(), InvalidInput);
}

}  // namespace
}  // namespace crm
