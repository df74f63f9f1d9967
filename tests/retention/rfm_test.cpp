#include "crm/retention/rfm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// Eleven customers, as of 2024-01-31, 365-day window. Recency days / purchase
// count / amount sum of the ten active ones:
//   c0   0 / 1 /  100     c5  90 / 2 /  500
//   c1   5 / 2 /  100     c6 120 / 1 /    5
//   c2   5 / 3 /   60     c7 200 / 5 /  400
//   c3  30 / 1 /  500     c8 300 / 1 / 1000
//   c4  60 / 4 /   40     c9  10 / 2 /   50
// c10 bought only 400 days ago (outside the window) and after the as-of date.
struct Purchases {
  std::vector<std::int32_t> customer;
  std::vector<std::int32_t> day;
  std::vector<double> amount;
  void add(std::int32_t c, std::int32_t d, double a) {
    customer.push_back(c);
    day.push_back(d);
    amount.push_back(a);
  }
};

const int kAsOf = parse_date("2024-01-31");

Purchases hand_table() {
  Purchases p;
  const int d = kAsOf;
  p.add(0, d, 100);
  p.add(1, d - 5, 50), p.add(1, d - 10, 50);
  p.add(2, d - 5, 20), p.add(2, d - 40, 20), p.add(2, d - 80, 20);
  p.add(3, d - 30, 500);
  for (int k = 60; k <= 63; ++k) p.add(4, d - k, 10);
  p.add(5, d - 90, 200), p.add(5, d - 100, 300);
  p.add(6, d - 120, 5);
  p.add(7, d - 200, 70), p.add(7, d - 210, 30), p.add(7, d - 220, 100), p.add(7, d - 230, 100),
      p.add(7, d - 240, 100);
  p.add(8, d - 300, 1000);
  p.add(9, d - 10, 25), p.add(9, d - 15, 25);
  p.add(10, d - 400, 99), p.add(10, d + 3, 10);
  return p;
}

RfmOptions hand_options() {
  RfmOptions o;
  o.as_of_day = kAsOf;
  o.window_days = 365;
  return o;
}

TEST(Rfm, HandComputedTable) {
  const Purchases p = hand_table();
  const RfmTable t = compute_rfm(p.customer, p.day, p.amount, 11, hand_options());
  ASSERT_EQ(t.size(), 11u);
  EXPECT_EQ(t.active, 10u);
  EXPECT_EQ(t.recency_days,
            (std::vector<std::int32_t>{0, 5, 5, 30, 60, 90, 120, 200, 300, 10, -1}));
  EXPECT_EQ(t.frequency, (std::vector<std::int32_t>{1, 2, 3, 1, 4, 2, 1, 5, 1, 2, 0}));
  EXPECT_EQ(t.monetary, (std::vector<double>{100, 100, 60, 500, 40, 500, 5, 400, 1000, 50, 0}));
  // score = 1 + floor(5 * below / 10); recency counts customers with MORE days.
  EXPECT_EQ(t.r_score, (std::vector<std::uint8_t>{5, 4, 4, 3, 3, 2, 2, 1, 1, 4, 0}));
  EXPECT_EQ(t.f_score, (std::vector<std::uint8_t>{1, 3, 4, 1, 5, 3, 1, 5, 1, 3, 0}));
  EXPECT_EQ(t.m_score, (std::vector<std::uint8_t>{3, 3, 2, 4, 1, 4, 1, 4, 5, 2, 0}));
}

TEST(Rfm, DefaultSegments) {
  const Purchases p = hand_table();
  const RfmTable t = compute_rfm(p.customer, p.day, p.amount, 11, hand_options());
  const std::vector<RfmSegmentRule> rules = default_rfm_segments();
  const std::vector<std::int32_t> seg = assign_rfm_segments(t, rules);
  std::vector<std::string> names;
  for (const std::int32_t s : seg)
    names.push_back(s < 0 ? "-" : rules[static_cast<std::size_t>(s)].name);
  EXPECT_EQ(names, (std::vector<std::string>{"new", "potential_loyalist", "loyal", "about_to_sleep",
                                             "loyal", "at_risk", "hibernating", "cant_lose", "lost",
                                             "potential_loyalist", "-"}));
}

TEST(Rfm, DefaultSegmentsPartitionTheGrid) {
  const std::vector<RfmSegmentRule> rules = default_rfm_segments();
  for (int r = 1; r <= 5; ++r) {
    for (int f = 1; f <= 5; ++f) {
      int matches = 0;
      for (const RfmSegmentRule& rule : rules) matches += rule.r.contains(r) && rule.f.contains(f);
      EXPECT_EQ(matches, 1) << "R" << r << " F" << f;
    }
  }
}

TEST(Rfm, TiesShareScoresAndOrderDoesNotMatter) {
  // Values with heavy ties: scores follow 1 + floor(5 * below / n) exactly.
  std::mt19937 rng(3);
  std::vector<double> values(1000);
  for (double& v : values) v = static_cast<double>(rng() % 7);
  const std::vector<std::uint8_t> s = quantile_scores(values, 5, true);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto below =
        std::count_if(values.begin(), values.end(), [&](double v) { return v < values[i]; });
    EXPECT_EQ(s[i], 1 + (5 * below) / 1000) << i;
  }
  // Reversed order (recency): counts strictly greater values.
  const std::vector<std::uint8_t> r = quantile_scores(values, 5, false);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto above =
        std::count_if(values.begin(), values.end(), [&](double v) { return v > values[i]; });
    EXPECT_EQ(r[i], 1 + (5 * above) / 1000) << i;
  }
  // Shuffling the purchases leaves every customer's scores unchanged.
  Purchases p = hand_table();
  std::vector<std::size_t> order(p.customer.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  Purchases shuffled;
  for (const std::size_t i : order) shuffled.add(p.customer[i], p.day[i], p.amount[i]);
  const RfmTable a = compute_rfm(p.customer, p.day, p.amount, 11, hand_options());
  const RfmTable b =
      compute_rfm(shuffled.customer, shuffled.day, shuffled.amount, 11, hand_options());
  EXPECT_EQ(a.r_score, b.r_score);
  EXPECT_EQ(a.f_score, b.f_score);
  EXPECT_EQ(a.m_score, b.m_score);
}

TEST(Rfm, AllEqualValuesScoreOne) {
  const std::vector<double> same(7, 3.0);
  const std::vector<std::uint8_t> s = quantile_scores(same, 5, true);
  EXPECT_EQ(s, std::vector<std::uint8_t>(7, 1));
  EXPECT_EQ(quantile_scores(same, 5, false), std::vector<std::uint8_t>(7, 1));
  EXPECT_TRUE(quantile_scores(std::vector<double>{}, 5, true).empty());
  EXPECT_EQ(quantile_scores(std::vector<double>{1, 2}, 5, true), (std::vector<std::uint8_t>{1, 3}));
}

TEST(Rfm, WholeHistoryWhenNoWindow) {
  const Purchases p = hand_table();
  RfmOptions o = hand_options();
  o.window_days = 0;
  const RfmTable t = compute_rfm(p.customer, p.day, p.amount, 11, o);
  EXPECT_EQ(t.active, 11u);
  EXPECT_EQ(t.recency_days[10], 400);
  EXPECT_EQ(t.frequency[10], 1);  // the purchase after as_of is still ignored
}

TEST(Rfm, SegmentRulesFromJson) {
  const nlohmann::json j = nlohmann::json::parse(R"({"segments": [
      {"name": "whales", "m": 5},
      {"name": "recent", "r": [4, 5], "f": [1, 5]},
      {"name": "rest"}]})");
  const std::vector<RfmSegmentRule> rules = rfm_segments_from_json(j);
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].m.min, 5);
  EXPECT_EQ(rules[0].m.max, 5);
  EXPECT_TRUE(rules[0].r.contains(1));
  const Purchases p = hand_table();
  const RfmTable t = compute_rfm(p.customer, p.day, p.amount, 11, hand_options());
  const std::vector<std::int32_t> seg = assign_rfm_segments(t, rules);
  EXPECT_EQ(seg, (std::vector<std::int32_t>{1, 1, 1, 2, 2, 2, 2, 2, 0, 1, -1}));

  // Round trip through JSON and a file.
  const std::vector<RfmSegmentRule> defaults = default_rfm_segments();
  const auto path = std::filesystem::temp_directory_path() / "crm_rfm_rules_test.json";
  std::ofstream(path) << rfm_segments_to_json(defaults).dump(2);
  const std::vector<RfmSegmentRule> loaded = load_rfm_segments(path);
  std::filesystem::remove(path);
  ASSERT_EQ(loaded.size(), defaults.size());
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    EXPECT_EQ(loaded[i].name, defaults[i].name);
    EXPECT_EQ(loaded[i].r.min, defaults[i].r.min);
    EXPECT_EQ(loaded[i].f.max, defaults[i].f.max);
  }
}

TEST(Rfm, Errors) {
  EXPECT_THROW(rfm_segments_from_json(nlohmann::json::parse(R"([{"r": [1, 2]}])")), InvalidInput);
  try {
    rfm_segments_from_json(nlohmann::json::parse(R"([{"name": "x", "f": [4, 2]}])"));
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("rule 0 field 'f'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(rfm_segments_from_json(nlohmann::json::parse(R"({"rules": []})")), InvalidInput);
  EXPECT_THROW(load_rfm_segments("/nonexistent/rules.json"), ParseError);

  const std::vector<std::int32_t> customer = {0, 5};
  const std::vector<std::int32_t> day = {1, 2};
  const std::vector<double> amount = {1.0, 2.0};
  EXPECT_THROW(compute_rfm(customer, day, amount, 2, hand_options()), InvalidInput);
  EXPECT_THROW(compute_rfm(customer, day, std::vector<double>{1.0}, 6, hand_options()),
               InvalidInput);
  RfmOptions bad = hand_options();
  bad.bins = 1;
  EXPECT_THROW(compute_rfm(customer, day, amount, 6, bad), InvalidInput);
  // No purchases at all: an empty but valid table.
  const RfmTable empty = compute_rfm({}, {}, {}, 3, hand_options());
  EXPECT_EQ(empty.active, 0u);
  EXPECT_EQ(empty.r_score, std::vector<std::uint8_t>(3, 0));
}

}  // namespace
}  // namespace crm::retention
