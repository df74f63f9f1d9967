// RFM analysis: recency, frequency and monetary value per customer as of a
// date, tie-stable quantile scores, and named segments from score rules.
//
// Scoring rule (tie-stable). With n active customers and `bins` levels, a
// customer whose value is beaten by `below` customers (strictly lower value
// for frequency and monetary; strictly MORE days since the last purchase for
// recency, so the most recent customers score highest) gets
//     score = 1 + floor(bins * below / n),           1 <= score <= bins.
// Customers with equal values therefore always share a score, and a value
// held by many customers takes the score of its lowest rank (like pandas
// rank(method="min")). Unlike qcut over rank(method="first"), the result does
// not depend on input order. The price is that heavily tied data (e.g. half
// the customers with frequency 1) leaves some scores unused.

#ifndef CRM_RETENTION_RFM_HPP_
#define CRM_RETENTION_RFM_HPP_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

#include "crm/retention/purchases.hpp"

namespace crm::retention {

struct RfmOptions {
  int as_of_day = 0;    // analysis date (inclusive), days since 1970-01-01
  int window_days = 0;  // > 0: only purchases with as_of_day - window_days < day <= as_of_day;
                        // 0: every purchase up to as_of_day
  int bins = 5;         // score levels, 2..100 (5 = quintiles)
};

// RFM values and scores, one entry per customer index. Customers without a
// purchase in the window are "inactive": recency_days -1, frequency 0,
// monetary 0, scores 0, and they are not counted in the quantiles.
struct RfmTable {
  std::vector<std::int32_t> recency_days;  // as_of_day - day of last purchase (0 = bought that day)
  std::vector<std::int32_t> frequency;     // number of purchases (rows) in the window
  std::vector<double> monetary;            // sum of amounts in the window
  std::vector<std::uint8_t> r_score;       // 1..bins, 0 if inactive
  std::vector<std::uint8_t> f_score;
  std::vector<std::uint8_t> m_score;
  std::size_t active = 0;  // customers with a purchase in the window
  int bins = 5;

  std::size_t size() const noexcept { return recency_days.size(); }
};

// Computes RFM for customers 0..customer_count-1 from purchase columns
// (customer index, day, amount), in O(purchases + customers): one pass to
// aggregate, then selection (not sorting) to find the bins - 1 score
// thresholds. Purchases after as_of_day or before the window are ignored.
// Throws InvalidInput on column length mismatch, a customer index out of
// range, non-finite amounts, window_days < 0 or bins outside 2..100.
RfmTable compute_rfm(std::span<const std::int32_t> customer, std::span<const std::int32_t> day,
                     std::span<const double> amount, std::size_t customer_count,
                     const RfmOptions& options);

// Same, over a PurchaseLog (customer_count = log.customer_count()).
RfmTable compute_rfm(const PurchaseLog& log, const RfmOptions& options);

// Tie-stable quantile scores (rule in the file comment) of `values`, each in
// 1..bins. higher_is_better = false reverses the order (smaller values score
// higher, as for recency). Runs in O(n * bins). Throws InvalidInput for NaN
// values or bins outside 2..100. An empty input gives an empty result.
std::vector<std::uint8_t> quantile_scores(std::span<const double> values, int bins,
                                          bool higher_is_better);

// Inclusive score range [min, max].
struct ScoreRange {
  int min = 1;
  int max = 5;
  bool contains(int score) const noexcept { return score >= min && score <= max; }
};

// A named segment: customers whose three scores fall in all three ranges.
struct RfmSegmentRule {
  std::string name;
  ScoreRange r;
  ScoreRange f;
  ScoreRange m;
};

// The default segments for 5 bins, a complete partition of the R x F grid
// (monetary is left open, [1, 5], for custom rules to use), first match wins:
//   champions          R 5     F 4-5      loyal            R 3-4  F 4-5
//   potential_loyalist R 4-5   F 2-3      new              R 5    F 1
//   promising          R 4     F 1        need_attention   R 3    F 3
//   about_to_sleep     R 3     F 1-2      cant_lose        R 1-2  F 5
//   at_risk            R 1-2   F 3-4      hibernating      R 2    F 1-2
//   lost               R 1     F 1-2
std::vector<RfmSegmentRule> default_rfm_segments();

// Parses rules from JSON: either an array or an object {"segments": [...]},
// each element {"name": "...", "r": [min, max], "f": [min, max], "m": [min,
// max]} where a range may also be a single integer and an omitted range means
// any score. Order matters: the first matching rule wins.
// Throws InvalidInput naming the element and field on a malformed rule
// (missing/empty name, min > max, non-integer bounds).
std::vector<RfmSegmentRule> rfm_segments_from_json(const nlohmann::json& json);

// Reads rules from a JSON file. Throws ParseError (with the file name) if it
// cannot be opened or is not valid JSON, InvalidInput for malformed rules.
std::vector<RfmSegmentRule> load_rfm_segments(const std::filesystem::path& path);

// Serialises rules in the format rfm_segments_from_json reads ({"segments":
// [...]}, ranges as [min, max]).
nlohmann::json rfm_segments_to_json(std::span<const RfmSegmentRule> rules);

// For each customer, the index into `rules` of the first rule whose ranges
// contain its (r, f, m) scores; -1 for inactive customers and for customers no
// rule matches. Precomputes a bins^3 lookup table, so it costs O(customers).
std::vector<std::int32_t> assign_rfm_segments(const RfmTable& table,
                                              std::span<const RfmSegmentRule> rules);

}  // namespace crm::retention

#endif  // CRM_RETENTION_RFM_HPP_
