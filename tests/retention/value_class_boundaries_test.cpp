// ABC classes and the value pyramid at their exact limits. The values are
// chosen so that each share sits exactly on a limit in floating point: an
// IEEE division is correctly rounded, so 8.0 / 10.0 is the same double as the
// literal 0.8 (and 19.0 / 20.0 as 0.95, 1.0 / 100.0 as 0.01, and so on). A
// customer exactly on a line belongs to the class below it (the rule is
// `above < limit`), one just short of it to the class above.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crm/retention/value_classes.hpp"

namespace crm::retention {
namespace {

std::string classes_of(const std::vector<double>& v, AbcThresholds th = {}) {
  std::string out;
  for (const AbcClass c : abc_classes(v, th)) out += static_cast<char>(c);
  return out;
}

TEST(AbcBoundaries, ExactlyOnTheALineIsB) {
  // Total 10: above the 1.5 is 8 (0.8 == a_share), above the 0.5 is 9.5
  // (0.95 == b_share). Neither is strictly below its limit.
  EXPECT_EQ(classes_of({8, 1.5, 0.5}), "ABC");
  // The same order scrambled: the class depends on the values only.
  EXPECT_EQ(classes_of({0.5, 8, 1.5}), "CAB");
}

TEST(AbcBoundaries, JustShortOfALineStaysAbove) {
  // Total 100: above the 16 is 79 (0.79 < 0.8: A), above the 5 is 95 (C).
  EXPECT_EQ(classes_of({79, 16, 5}), "AAC");
  // Above the 4 is 94 of 100 (0.94 < 0.95: B), above the 1 is 99 (C).
  EXPECT_EQ(classes_of({80, 14, 4, 1, 1}), "ABBCC");
}

TEST(AbcBoundaries, CustomLimitsAreTheLines) {
  // Total 10: shares above 0, 0.5, 0.8 against limits 0.5 and 0.8.
  EXPECT_EQ(classes_of({5, 3, 2}, {0.5, 0.8}), "ABC");
  // Moving each limit a hair above its share moves the customer up.
  EXPECT_EQ(classes_of({5, 3, 2}, {0.5000001, 0.8}), "AAC");
  EXPECT_EQ(classes_of({5, 3, 2}, {0.5, 0.8000001}), "ABB");
}

TEST(AbcBoundaries, TiedCustomersOnALineShareTheLowerClass) {
  // Total 20: above both 1.5s is 16 (0.8): both B, not one A and one B.
  EXPECT_EQ(classes_of({16, 1.5, 1.5, 1}), "ABBC");
}

// Tier names in the order of default_value_pyramid().
std::vector<int> tier_counts(const std::vector<std::int32_t>& tiers) {
  std::vector<int> counts(4, 0);
  for (const std::int32_t k : tiers) ++counts[static_cast<std::size_t>(k)];
  return counts;
}

TEST(PyramidBoundaries, RanksExactlyOnEachEdge) {
  // 100 distinct values, 100 highest. The customer with `above` customers
  // above has rank share above / 100: 1/100 == 0.01 is gold, 5/100 == 0.05 is
  // iron, 20/100 == 0.20 is lead; 0, 4 and 19 above are the last of
  // platinum, gold and iron.
  std::vector<double> v(100);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(100 - i);  // v[i]: i above
  const auto t = value_pyramid(v, default_value_pyramid());
  EXPECT_EQ(t[0], 0);
  EXPECT_EQ(t[1], 1);
  EXPECT_EQ(t[4], 1);
  EXPECT_EQ(t[5], 2);
  EXPECT_EQ(t[19], 2);
  EXPECT_EQ(t[20], 3);
  EXPECT_EQ(t[99], 3);
  EXPECT_EQ(tier_counts(t), (std::vector<int>{1, 4, 15, 80}));
}

TEST(PyramidBoundaries, FewCustomersFallThroughEmptyTiers) {
  // 10 customers: share above of the second is 0.1, past both 0.01 and 0.05:
  // iron; the third is 0.2 == the iron edge: lead.
  std::vector<double> v = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(tier_counts(value_pyramid(v, default_value_pyramid())), (std::vector<int>{1, 0, 1, 8}));
  // Custom tiers exactly at the ranks of 4 customers: 1/4 is the edge of the
  // first tier, 2/4 of the second.
  const std::vector<PyramidTier> halves = {{"top", 0.25}, {"upper", 0.5}, {"rest", 1.0}};
  const auto t = value_pyramid(std::vector<double>{4, 3, 2, 1}, halves);
  EXPECT_EQ(t, (std::vector<std::int32_t>{0, 1, 2, 2}));
}

}  // namespace
}  // namespace crm::retention
