#include "crm/retention/value_classes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

std::string classes_of(const std::vector<double>& v, AbcThresholds th = {}) {
  std::string out;
  for (const AbcClass c : abc_classes(v, th)) out += static_cast<char>(c);
  return out;
}

TEST(Abc, HandComputed) {
  // Total 100, descending 50 20 10 10 5 3 2; share strictly above each value:
  // 0, .50, .70 (both 10s), .90, .95, .98 -> A A A A B C C.
  // The 3 sits exactly on the 95% line: above == b_share is not < b_share.
  EXPECT_EQ(classes_of({10, 50, 3, 10, 2, 20, 5}), "AACACAB");
  // The customer crossing 80% stays A; ties crossing a line share the class.
  EXPECT_EQ(classes_of({60, 15, 15, 10}), "AAAB");
  // One dominant customer is always A.
  EXPECT_EQ(classes_of({99, 1}), "AC");
  EXPECT_EQ(classes_of({99, 1}, {0.5, 0.995}), "AB");
  // Zero-value customers sit below 100% of the value: C.
  EXPECT_EQ(classes_of({5, 0, 0}), "ACC");
}

TEST(Abc, Errors) {
  EXPECT_THROW(abc_classes(std::vector<double>{}), InvalidInput);
  EXPECT_THROW(abc_classes(std::vector<double>{0, 0}), InvalidInput);
  EXPECT_THROW(abc_classes(std::vector<double>{5, -1}), InvalidInput);
  EXPECT_THROW(abc_classes(std::vector<double>{5, 1}, {0.9, 0.8}), InvalidInput);
}

TEST(Pyramid, DefaultTiersOnDistinctValues) {
  std::vector<double> v(200);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i + 1);  // 1..200
  const std::vector<PyramidTier> tiers = default_value_pyramid();
  const std::vector<std::int32_t> t = value_pyramid(v, tiers);
  // Top 1% of 200 = 2 platinum, next 4% = 8 gold, next 15% = 30 iron, 160 lead.
  std::vector<int> counts(4, 0);
  for (const std::int32_t k : t) ++counts[static_cast<std::size_t>(k)];
  EXPECT_EQ(counts, (std::vector<int>{2, 8, 30, 160}));
  EXPECT_EQ(t[199], 0);  // value 200
  EXPECT_EQ(t[197], 1);  // value 198
  EXPECT_EQ(tiers[static_cast<std::size_t>(t[0])].name, "lead");
}

TEST(Pyramid, TiesAtAnEdgeShareTheUpperTier) {
  std::vector<double> v(100, 1.0);
  v[0] = 50.0;
  v[1] = 40.0;
  v[2] = 40.0;  // one customer above the 40s: share 0.01, so gold, not platinum
  v[3] = 30.0;
  const std::vector<std::int32_t> t = value_pyramid(v, default_value_pyramid());
  EXPECT_EQ(t[0], 0);
  EXPECT_EQ(t[1], 1);
  EXPECT_EQ(t[2], 1);
  EXPECT_EQ(t[3], 1);
  // The 96 customers with value 1 have 4 above them (share .04): all gold too.
  EXPECT_EQ(std::count(t.begin(), t.end(), 1), 99);
}

TEST(Pyramid, InvalidTiers) {
  const std::vector<double> v = {1, 2, 3};
  EXPECT_THROW(value_pyramid(v, std::vector<PyramidTier>{}), InvalidInput);
  EXPECT_THROW(value_pyramid(v, std::vector<PyramidTier>{{"a", 0.5}, {"b", 0.4}, {"c", 1.0}}),
               InvalidInput);
  EXPECT_THROW(value_pyramid(v, std::vector<PyramidTier>{{"a", 0.5}}), InvalidInput);
}

TEST(Profit, RevenueMinusCost) {
  const std::vector<double> revenue = {100, 50, 0};
  const std::vector<double> cost = {60, 70, 5};
  EXPECT_EQ(profit_contribution(revenue, cost), (std::vector<double>{40, -20, -5}));
  EXPECT_THROW(profit_contribution(revenue, std::vector<double>{1}), InvalidInput);
}

}  // namespace
}  // namespace crm::retention
