// Paths that only large inputs reach: the key table growing through many
// rehashes, long probe runs of colliding keys, keys longer than any small
// string buffer or than an arena chunk, and the CSV reader refilling (and
// growing) its block buffer. Every result is checked against a reference
// computed here with the standard library.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"
#include "crm/retention/key_index.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/purchases.hpp"

namespace crm::retention {
namespace {

using namespace std::string_literals;

// Deterministic pseudo-random numbers (the test must not depend on a seed
// the library chooses).
struct Lcg {
  std::uint64_t state;
  std::uint64_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  }
};

// Keys of many lengths: short ("k17"), exactly 8 and 16 bytes, and long ones
// well past the 15-byte small-string buffer.
std::string make_key(std::uint64_t id) {
  switch (id % 4) {
    case 0:
      return "k" + std::to_string(id);
    case 1: {
      std::string key = std::to_string(id);
      key.insert(0, 16 - std::min<std::size_t>(16, key.size()), '0');
      return key;
    }
    case 2:
      return "customer-with-a-long-key-" + std::to_string(id) + std::string(id % 97, 'x');
    default:
      return std::to_string(id) + "\0tail"s.substr(0, id % 6);
  }
}

// Interns `keys` in order and checks each index against a std::unordered_map
// that assigns indices in order of first appearance.
void expect_same_as_reference(KeyIndex& index, const std::vector<std::string>& keys) {
  std::unordered_map<std::string, std::int32_t> reference;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto expected =
        reference.emplace(keys[i], static_cast<std::int32_t>(reference.size())).first->second;
    ASSERT_EQ(index.intern(keys[i]), expected) << "key #" << i << " '" << keys[i] << "'";
  }
  ASSERT_EQ(index.size(), reference.size());
  for (const auto& [key, expected] : reference) {
    ASSERT_EQ(index.find(key), expected) << key;
    ASSERT_EQ(index.key(expected), key);
  }
}

TEST(KeyIndexLarge, GrowsThroughManyRehashesWithRepeatedKeys) {
  // 300,000 lookups of ~120,000 distinct keys: the table doubles from 16 to
  // 262,144 slots while keys repeat before and after each growth.
  Lcg rng{42};
  std::vector<std::string> keys;
  for (int i = 0; i < 300'000; ++i) keys.push_back(make_key(rng.next() % 160'000));
  KeyIndex index;
  expect_same_as_reference(index, keys);
  EXPECT_EQ(index.find("never-added"), -1);
  EXPECT_EQ(index.find(""), -1);
  EXPECT_EQ(index.find("k"), -1);
}

std::uint64_t constant_hash(std::string_view) noexcept { return 12345; }
std::uint64_t length_hash(std::string_view key) noexcept { return key.size(); }

TEST(KeyIndexLarge, CollidingHashesStillSeparateKeys) {
  // Every key in one probe run: equal hashes must not merge different keys,
  // including keys that are prefixes of each other or differ only after a
  // NUL byte, and the run must survive the table's growth.
  std::vector<std::string> keys = {"a", "ab", "a\0"s, "a\0b"s, "", "b", "ab", "", "a\0"s};
  for (int i = 0; i < 3'000; ++i) keys.push_back(make_key(static_cast<std::uint64_t>(i % 1'700)));
  KeyIndex all_collide(constant_hash);
  expect_same_as_reference(all_collide, keys);
  KeyIndex same_length_collide(length_hash);
  expect_same_as_reference(same_length_collide, keys);
  EXPECT_EQ(all_collide.find("zz"), -1);
}

TEST(KeyIndexLarge, KeysLongerThanAnArenaChunk) {
  // 3 MiB keys each need a chunk of their own; small keys after them must
  // still go into a fresh shared chunk.
  const std::string big_a(3u << 20, 'a');
  std::string big_b = big_a;
  big_b.back() = 'b';
  KeyIndex index;
  EXPECT_EQ(index.intern("x"), 0);
  EXPECT_EQ(index.intern(big_a), 1);
  EXPECT_EQ(index.intern(big_b), 2);
  EXPECT_EQ(index.intern("y"), 3);
  EXPECT_EQ(index.intern(big_a), 1);
  EXPECT_EQ(index.key(1), big_a);
  EXPECT_EQ(index.key(2), big_b);
  EXPECT_EQ(index.key(3), "y");
  EXPECT_EQ(index.find(big_a.substr(1)), -1);
}

TEST(KeyIndexLarge, ReserveThenInternKeepsIndices) {
  Lcg rng{7};
  std::vector<std::string> keys;
  for (int i = 0; i < 50'000; ++i) keys.push_back(make_key(rng.next() % 30'000));
  KeyIndex index;
  index.reserve(30'000);
  expect_same_as_reference(index, keys);
  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.find(keys[0]), -1);
  EXPECT_EQ(index.intern(keys[1]), 0);
}

TEST(PurchaseLogBuilderLarge, ManyCustomersMatchReference) {
  Lcg rng{3};
  PurchaseLogBuilder builder;
  builder.reserve(200'000, 1'000);  // a low estimate: the table must still grow
  std::vector<std::string> expected_keys;
  std::unordered_map<std::string, std::int32_t> reference;
  std::vector<std::int32_t> expected_customer;
  for (int i = 0; i < 200'000; ++i) {
    const std::string key = make_key(rng.next() % 90'000);
    const auto [it, added] = reference.emplace(key, static_cast<std::int32_t>(reference.size()));
    if (added) expected_keys.push_back(key);
    expected_customer.push_back(it->second);
    ASSERT_EQ(builder.add(key, i % 1000, 0.25 * i), it->second);
  }
  EXPECT_EQ(builder.intern("no purchase"), static_cast<std::int32_t>(expected_keys.size()));
  expected_keys.push_back("no purchase");
  const PurchaseLog log = builder.build();
  EXPECT_EQ(log.customer_keys, expected_keys);
  EXPECT_EQ(log.customer, expected_customer);
  ASSERT_EQ(log.size(), 200'000u);
  EXPECT_EQ(log.day[199'999], 999);
  EXPECT_EQ(log.amount[199'999], 0.25 * 199'999);
  EXPECT_NO_THROW(log.validate());
  // The builder is empty and reusable afterwards.
  EXPECT_EQ(builder.size(), 0u);
  EXPECT_EQ(builder.add(expected_keys[5], 1, 1.0), 0);
  EXPECT_EQ(builder.build().customer_keys, std::vector<std::string>{expected_keys[5]});
}

// A CSV text of `rows` purchases several times larger than the reader's
// 1 MiB block, so lines straddle block boundaries, with CRLF endings, blank
// lines, quoted keys with escaped quotes and long keys, and a last line
// without a newline. `expected` receives what the reader must produce.
std::string make_csv(int rows, PurchaseLog& expected) {
  Lcg rng{11};
  std::unordered_map<std::string, std::int32_t> reference;
  std::string text = "note,customer_id,amount,date\r\n";
  for (int i = 0; i < rows; ++i) {
    const std::uint64_t id = rng.next() % 20'000;
    std::string key = make_key(id);
    if (key.find('\0') != std::string::npos) key = "plain" + std::to_string(id);
    const int day = days_from_civil(2020, 1, 1) + static_cast<int>(rng.next() % 1'500);
    const double amount = static_cast<double>(rng.next() % 100'000) / 4.0 - 100.0;
    std::string key_field = key;
    if (id % 5 == 0) {  // the key q"KEY",x written as "q""KEY"",x"
      key_field = "\"q\"\"" + key + "\"\",x\"";
      key = "q\"" + key + "\",x";
    }
    std::ostringstream amount_text;
    amount_text.precision(17);
    amount_text << amount;
    text += "n" + std::to_string(i) + "," + key_field + "," + amount_text.str() + "," +
            format_date(day) + (i + 1 < rows ? "\r\n" : "");
    if (i % 10'000 == 0 && i + 1 < rows) text += "\r\n";  // a blank line
    const auto [it, added] = reference.emplace(key, static_cast<std::int32_t>(reference.size()));
    if (added) expected.customer_keys.push_back(key);
    expected.customer.push_back(it->second);
    expected.day.push_back(day);
    expected.amount.push_back(amount);
  }
  return text;
}

TEST(CsvReaderLarge, RefillsItsBufferAcrossManyBlocks) {
  PurchaseLog expected;
  const std::string text = make_csv(150'000, expected);
  ASSERT_GT(text.size(), 4u << 20);  // at least four block refills
  std::istringstream in(text);
  const PurchaseLog log = read_purchases_csv(in, "big.csv");
  EXPECT_EQ(log.customer_keys, expected.customer_keys);
  EXPECT_EQ(log.customer, expected.customer);
  EXPECT_EQ(log.day, expected.day);
  EXPECT_EQ(log.amount, expected.amount);
}

TEST(CsvReaderLarge, LineLongerThanTheBuffer) {
  // A 3 MiB key: the reader must grow its buffer instead of splitting the line.
  const std::string long_key(3u << 20, 'L');
  std::istringstream in("customer_id,date,amount\nshort,2024-01-01,1\n" + long_key +
                        ",2024-01-02,2.5\nshort,2024-01-03,3\n");
  const PurchaseLog log = read_purchases_csv(in, "long.csv");
  ASSERT_EQ(log.customer_keys, (std::vector<std::string>{"short", long_key}));
  EXPECT_EQ(log.customer, (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_EQ(log.day[1], parse_date("2024-01-02"));
  EXPECT_EQ(log.amount[1], 2.5);
}

TEST(CsvReaderLarge, ErrorLineNumberPastTheFirstBlocks) {
  // Line numbers keep counting across refills: the bad row is line 100,002.
  std::string text = "customer_id,date,amount\n";
  for (int i = 0; i < 100'000; ++i) text += "c" + std::to_string(i % 977) + ",2024-03-01,1.5\n";
  text += "c1,2024-02-30,1\nc2,2024-03-01,1\n";
  std::istringstream in(text);
  try {
    read_purchases_csv(in, "p.csv");
    FAIL() << "expected ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()),
              "p.csv:100002: bad date '2024-02-30' (expected YYYY-MM-DD or YYYYMMDD)");
  }
}

TEST(CdnowReaderLarge, ManyLinesAcrossBlocks) {
  std::string text;
  std::vector<std::string> keys;
  for (int i = 0; i < 60'000; ++i) {
    char line[128];
    std::snprintf(line, sizeof line, " %05d %04d 1997%02d%02d  %d  %d.25\n", i % 23'000, i % 9000,
                  1 + i % 12, 1 + i % 28, 1 + i % 3, i % 500);
    text += line;
  }
  std::istringstream in(text);
  const PurchaseLog log = read_cdnow(in, "cd.txt");
  ASSERT_EQ(log.size(), 60'000u);
  ASSERT_EQ(log.customer_count(), 23'000u);
  EXPECT_EQ(log.customer_keys[22'999], "22999");
  EXPECT_EQ(log.customer[59'999], 59'999 % 23'000);
  EXPECT_EQ(log.day[59'999], days_from_civil(1997, 1 + 59'999 % 12, 1 + 59'999 % 28));
  EXPECT_EQ(log.amount[59'999], 59'999 % 500 + 0.25);
}

}  // namespace
}  // namespace crm::retention
