#include "crm/retention/rfm.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

void check_bins(int bins, const char* where) {
  if (bins < 2 || bins > 100) {
    throw InvalidInput(std::string(where) + ": bins must be in 2..100, got " +
                       std::to_string(bins));
  }
}

// Scores values where larger is better: score = 1 + #{k in 1..bins-1 :
// v > s[m_k - 1]}, s ascending, m_k = ceil(k n / bins). This equals
// 1 + floor(bins * below / n) because below(v) >= m exactly when the m-th
// smallest value is < v; so only bins - 1 order statistics are needed, found
// by successive nth_element calls in O(n) total.
std::vector<std::uint8_t> scores_ascending(std::vector<double> work, std::span<const double> values,
                                           int bins) {
  const std::size_t n = values.size();
  std::vector<double> thresholds;
  auto from = work.begin();
  for (int k = 1; k < bins; ++k) {
    const std::size_t m = (static_cast<std::size_t>(k) * n + static_cast<std::size_t>(bins) - 1) /
                          static_cast<std::size_t>(bins);
    const auto nth = work.begin() + static_cast<std::ptrdiff_t>(m - 1);
    if (nth >= from) {
      std::nth_element(from, nth, work.end());
      from = nth + 1;
    }
    thresholds.push_back(*nth);
  }
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    int score = 1;
    for (const double t : thresholds) score += values[i] > t ? 1 : 0;
    out[i] = static_cast<std::uint8_t>(score);
  }
  return out;
}

ScoreRange range_from_json(const nlohmann::json& rule, const char* field, std::size_t index) {
  const auto where = [&] {
    return "rfm_segments_from_json: rule " + std::to_string(index) + " field '" + field + "'";
  };
  if (!rule.contains(field)) return ScoreRange{1, 100};
  const nlohmann::json& v = rule.at(field);
  ScoreRange range;
  if (v.is_number_integer()) {
    range.min = range.max = v.get<int>();
  } else if (v.is_array() && v.size() == 2 && v[0].is_number_integer() &&
             v[1].is_number_integer()) {
    range.min = v[0].get<int>();
    range.max = v[1].get<int>();
  } else {
    throw InvalidInput(where() + ": expected an integer or [min, max], got " + v.dump());
  }
  if (range.min > range.max) throw InvalidInput(where() + ": min > max in " + v.dump());
  return range;
}

nlohmann::json range_to_json(const ScoreRange& r) { return nlohmann::json::array({r.min, r.max}); }

}  // namespace

std::vector<std::uint8_t> quantile_scores(std::span<const double> values, int bins,
                                          bool higher_is_better) {
  check_bins(bins, "quantile_scores");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      throw InvalidInput("quantile_scores: value " + std::to_string(i) + " is NaN");
    }
  }
  if (values.empty()) return {};
  if (higher_is_better) {
    return scores_ascending(std::vector<double>(values.begin(), values.end()), values, bins);
  }
  std::vector<double> negated(values.size());
  std::transform(values.begin(), values.end(), negated.begin(), [](double v) { return -v; });
  return scores_ascending(negated, negated, bins);
}

RfmTable compute_rfm(std::span<const std::int32_t> customer, std::span<const std::int32_t> day,
                     std::span<const double> amount, std::size_t customer_count,
                     const RfmOptions& options) {
  check_bins(options.bins, "compute_rfm");
  if (options.window_days < 0) {
    throw InvalidInput("compute_rfm: window_days must be >= 0, got " +
                       std::to_string(options.window_days));
  }
  if (day.size() != customer.size() || amount.size() != customer.size()) {
    throw InvalidInput("compute_rfm: columns differ in length (customer " +
                       std::to_string(customer.size()) + ", day " + std::to_string(day.size()) +
                       ", amount " + std::to_string(amount.size()) + ")");
  }
  const std::int64_t first_day = options.window_days > 0
                                     ? std::int64_t{options.as_of_day} - options.window_days + 1
                                     : std::numeric_limits<std::int64_t>::min();
  constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min();

  // One 16-byte record per customer, so each purchase touches one cache line
  // (customers are visited in random order; separate columns would cost three
  // cache misses per purchase).
  struct Aggregate {
    std::int32_t last;
    std::int32_t count;
    double sum;
  };
  std::vector<Aggregate> agg(customer_count, Aggregate{kNever, 0, 0.0});
  const auto count = static_cast<std::int64_t>(customer_count);
  // Purchases in arbitrary order hit random customers: prefetching the record
  // a few purchases ahead overlaps the cache misses (about 2x here).
  constexpr std::size_t kPrefetchDistance = 16;
  for (std::size_t i = 0; i < customer.size(); ++i) {
#if defined(__GNUC__)
    if (i + kPrefetchDistance < customer.size()) {
      const auto ahead = static_cast<std::size_t>(customer[i + kPrefetchDistance]);
      if (ahead < customer_count) __builtin_prefetch(&agg[ahead], 1);
    }
#endif
    const std::int32_t c = customer[i];
    if (c < 0 || c >= count) {
      throw InvalidInput("compute_rfm: purchase " + std::to_string(i) + " has customer index " +
                         std::to_string(c) + " outside [0, " + std::to_string(customer_count) +
                         ")");
    }
    const std::int32_t d = day[i];
    if (d > options.as_of_day || d < first_day) continue;
    if (!std::isfinite(amount[i])) {
      throw InvalidInput("compute_rfm: purchase " + std::to_string(i) + " has a non-finite amount");
    }
    Aggregate& a = agg[static_cast<std::size_t>(c)];
    a.last = std::max(a.last, d);
    ++a.count;
    a.sum += amount[i];
  }

  RfmTable t;
  t.bins = options.bins;
  t.recency_days.assign(customer_count, -1);
  t.frequency.resize(customer_count);
  t.monetary.resize(customer_count);
  std::vector<std::size_t> active_ids;
  for (std::size_t c = 0; c < customer_count; ++c) {
    t.frequency[c] = agg[c].count;
    t.monetary[c] = agg[c].sum;
    if (agg[c].last == kNever) continue;
    t.recency_days[c] = options.as_of_day - agg[c].last;
    active_ids.push_back(c);
  }
  t.active = active_ids.size();

  // Score the active customers on compact arrays, then scatter back.
  std::vector<double> values(t.active);
  t.r_score.assign(customer_count, 0);
  t.f_score.assign(customer_count, 0);
  t.m_score.assign(customer_count, 0);
  const auto score_into = [&](std::vector<std::uint8_t>& dest, bool higher_is_better) {
    const std::vector<std::uint8_t> s = quantile_scores(values, options.bins, higher_is_better);
    for (std::size_t k = 0; k < active_ids.size(); ++k) dest[active_ids[k]] = s[k];
  };
  for (std::size_t k = 0; k < active_ids.size(); ++k) values[k] = t.recency_days[active_ids[k]];
  score_into(t.r_score, false);
  for (std::size_t k = 0; k < active_ids.size(); ++k) values[k] = t.frequency[active_ids[k]];
  score_into(t.f_score, true);
  for (std::size_t k = 0; k < active_ids.size(); ++k) values[k] = t.monetary[active_ids[k]];
  score_into(t.m_score, true);
  return t;
}

RfmTable compute_rfm(const PurchaseLog& log, const RfmOptions& options) {
  return compute_rfm(log.customer, log.day, log.amount, log.customer_count(), options);
}

std::vector<RfmSegmentRule> default_rfm_segments() {
  return {
      {"champions", {5, 5}, {4, 5}, {1, 5}},
      {"loyal", {3, 4}, {4, 5}, {1, 5}},
      {"potential_loyalist", {4, 5}, {2, 3}, {1, 5}},
      {"new", {5, 5}, {1, 1}, {1, 5}},
      {"promising", {4, 4}, {1, 1}, {1, 5}},
      {"need_attention", {3, 3}, {3, 3}, {1, 5}},
      {"about_to_sleep", {3, 3}, {1, 2}, {1, 5}},
      {"cant_lose", {1, 2}, {5, 5}, {1, 5}},
      {"at_risk", {1, 2}, {3, 4}, {1, 5}},
      {"hibernating", {2, 2}, {1, 2}, {1, 5}},
      {"lost", {1, 1}, {1, 2}, {1, 5}},
  };
}

std::vector<RfmSegmentRule> rfm_segments_from_json(const nlohmann::json& json) {
  const nlohmann::json* list = &json;
  if (json.is_object()) {
    if (!json.contains("segments")) {
      throw InvalidInput("rfm_segments_from_json: object has no \"segments\" array");
    }
    list = &json.at("segments");
  }
  if (!list->is_array()) {
    throw InvalidInput("rfm_segments_from_json: expected an array of rules, got " +
                       std::string(list->type_name()));
  }
  std::vector<RfmSegmentRule> rules;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& rule = (*list)[i];
    if (!rule.is_object()) {
      throw InvalidInput("rfm_segments_from_json: rule " + std::to_string(i) + " is not an object");
    }
    if (!rule.contains("name") || !rule.at("name").is_string() ||
        rule.at("name").get<std::string>().empty()) {
      throw InvalidInput("rfm_segments_from_json: rule " + std::to_string(i) +
                         " needs a non-empty string \"name\"");
    }
    rules.push_back({rule.at("name").get<std::string>(), range_from_json(rule, "r", i),
                     range_from_json(rule, "f", i), range_from_json(rule, "m", i)});
  }
  return rules;
}

std::vector<RfmSegmentRule> load_rfm_segments(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ParseError(path.string(), 0, "cannot open file");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ParseError(path.string(), 0, std::string("invalid JSON: ") + e.what());
  }
  return rfm_segments_from_json(json);
}

nlohmann::json rfm_segments_to_json(std::span<const RfmSegmentRule> rules) {
  nlohmann::json list = nlohmann::json::array();
  for (const RfmSegmentRule& rule : rules) {
    list.push_back({{"name", rule.name},
                    {"r", range_to_json(rule.r)},
                    {"f", range_to_json(rule.f)},
                    {"m", range_to_json(rule.m)}});
  }
  return {{"segments", list}};
}

std::vector<std::int32_t> assign_rfm_segments(const RfmTable& table,
                                              std::span<const RfmSegmentRule> rules) {
  const int bins = table.bins;
  check_bins(bins, "assign_rfm_segments");
  // lookup[(r-1)*bins*bins + (f-1)*bins + (m-1)] = first matching rule or -1.
  std::vector<std::int32_t> lookup(static_cast<std::size_t>(bins * bins * bins), -1);
  for (int r = 1; r <= bins; ++r) {
    for (int f = 1; f <= bins; ++f) {
      for (int m = 1; m <= bins; ++m) {
        for (std::size_t k = 0; k < rules.size(); ++k) {
          if (rules[k].r.contains(r) && rules[k].f.contains(f) && rules[k].m.contains(m)) {
            lookup[static_cast<std::size_t>(((r - 1) * bins + (f - 1)) * bins + (m - 1))] =
                static_cast<std::int32_t>(k);
            break;
          }
        }
      }
    }
  }
  std::vector<std::int32_t> out(table.size(), -1);
  for (std::size_t c = 0; c < table.size(); ++c) {
    const int r = table.r_score[c];
    if (r == 0) continue;
    const int f = table.f_score[c];
    const int m = table.m_score[c];
    out[c] = lookup[static_cast<std::size_t>(((r - 1) * bins + (f - 1)) * bins + (m - 1))];
  }
  return out;
}

}  // namespace crm::retention
