// Churn and retention measures from a purchase log: cohort tables, period
// churn and retention rates, repeat-purchase rate, per-customer activity
// (tenure, inter-purchase time) and a combined churn-risk score.
//
// "Active in a period" means at least one purchase in it. Several purchases on
// one day are one transaction, as in transactions.hpp. Day ranges are
// half-open [start, end) unless stated.

#ifndef CRM_RETENTION_CHURN_HPP_
#define CRM_RETENTION_CHURN_HPP_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "crm/retention/purchases.hpp"

namespace crm::retention {

// Calendar period of a cohort table.
enum class CohortPeriod {
  kDay,
  kWeek,   // weeks start on Monday
  kMonth,  // calendar months
};

// Index of the period containing `day` (days since 1970-01-01): the day
// itself, the Monday-based week number (week 0 starts on 1969-12-29) or
// year * 12 + month - 1. Consecutive periods have consecutive indices.
std::int32_t period_index(int day, CohortPeriod period) noexcept;

// First day of period `index` (inverse of period_index).
int period_start_day(std::int32_t index, CohortPeriod period) noexcept;

// Customers grouped by the period of their first purchase.
struct CohortTable {
  CohortPeriod period = CohortPeriod::kMonth;
  std::vector<std::int32_t> cohort;   // period index of each cohort, ascending
  std::vector<int> cohort_start_day;  // first day of each cohort period
  std::vector<std::int64_t> size;     // customers acquired in the cohort period
  // active[c][k]: customers of cohort c with a purchase in period cohort[c] + k,
  // for k = 0 .. last period - cohort[c]; active[c][0] == size[c].
  std::vector<std::vector<std::int64_t>> active;

  // active[c][k] / size[c]: the share of the cohort active k periods after
  // acquisition. Throws InvalidInput if c or k is out of range.
  double retention(std::size_t c, std::size_t k) const;
};

// The most cells (the lengths of all cohort rows) a cohort table may have:
// 80 MB of counts, some hundred MB once printed. Customers acquired every
// week for 85 years, or every day for 12, fit; a table beyond that is a
// data error or wants a longer period.
inline constexpr std::int64_t kMaxCohortCells = 10'000'000;

// Builds the cohort table from purchases up to and including as_of_day (all
// purchases if not given); the last period is that of as_of_day (or of the
// latest purchase). Only periods in which customers were acquired get a
// row. Throws InvalidInput if the log is inconsistent, or, before
// allocating, if the table would have more than kMaxCohortCells cells.
CohortTable cohort_table(const PurchaseLog& log, CohortPeriod period,
                         std::optional<int> as_of_day = std::nullopt);

// Churn between two consecutive windows [previous_start, current_start) and
// [current_start, current_end).
struct PeriodChurn {
  std::int64_t base_customers = 0;  // customers active in the previous window
  std::int64_t retained = 0;        // of those, active again in the current window
  double retention_rate = 0.0;      // retained / base_customers
  double churn_rate = 0.0;          // 1 - retention_rate
};

// Computes PeriodChurn. Throws InvalidInput unless previous_start <
// current_start < current_end, or if nobody was active in the previous window
// (the rates would be 0/0).
PeriodChurn period_churn(const PurchaseLog& log, int previous_start, int current_start,
                         int current_end);

// Share of customers with at least one transaction up to as_of_day (inclusive)
// who made at least two (on distinct days). Throws InvalidInput if no customer
// bought by as_of_day.
double repeat_purchase_rate(const PurchaseLog& log, int as_of_day);

// Per-customer activity as of a day (purchases after it are ignored), one
// entry per customer index. Customers without a purchase by then have
// transactions 0, first/last day kNoDay, tenure/days_since_last -1 and a NaN
// mean gap.
struct CustomerActivity {
  static constexpr std::int32_t kNoDay = std::numeric_limits<std::int32_t>::min();
  std::vector<std::int32_t> first_day;
  std::vector<std::int32_t> last_day;
  std::vector<std::int32_t> transactions;       // distinct purchase days
  std::vector<std::int32_t> tenure_days;        // as_of_day - first_day
  std::vector<std::int32_t> days_since_last;    // as_of_day - last_day
  std::vector<double> mean_interpurchase_days;  // (last - first) / (transactions - 1); NaN if < 2

  std::size_t size() const noexcept { return first_day.size(); }
};

// Computes CustomerActivity. Throws InvalidInput if the log is inconsistent.
CustomerActivity customer_activity(const PurchaseLog& log, int as_of_day);

// Weights and scales of the churn-risk score.
struct ChurnRiskOptions {
  double weight_dropout = 0.5;     // weight of 1 - P(alive) (model-based dropout)
  double weight_overdue = 0.3;     // weight of the overdue term
  double weight_complaints = 0.2;  // weight of the complaint term
  double complaint_half = 1.0;     // complaint count at which the complaint term is 0.5
  // Inter-purchase time (days) assumed for customers with fewer than two
  // transactions. NaN (default): the median over customers who have one.
  double fallback_interpurchase_days = std::numeric_limits<double>::quiet_NaN();
};

// Churn-risk score in [0, 1]:
//   score = (w_d (1 - p_alive) + w_o overdue + w_c complaints_term) / (w_d + w_o + w_c)
//   overdue = 1 - 2^(-days_since_last / mean_interpurchase_days)
//             (0 right after a purchase, 0.5 after one typical gap, 0.75 after two),
//   complaints_term = complaints / (complaints + complaint_half).
// Recency is judged against the customer's OWN rhythm: 60 days of silence is
// alarming for a weekly buyer and normal for a quarterly one. The dropout term
// brings in the BG/NBD view (bgnbd_p_alive), which also accounts for how many
// purchases support that rhythm.
// Throws InvalidInput if p_alive is outside [0, 1], days_since_last < 0,
// mean_interpurchase_days <= 0, complaints < 0, a weight is negative, all
// weights are zero, complaint_half <= 0, or any of these is not finite.
double churn_risk_score(double p_alive, double days_since_last, double mean_interpurchase_days,
                        double complaints, const ChurnRiskOptions& options = {});

// Scores for every customer index of `activity`; p_alive and complaints are
// per customer index too (complaints may be empty: none). Customers without a
// transaction get NaN. Throws InvalidInput on length mismatch, if a fallback
// inter-purchase time is needed but no customer has two transactions and none
// was given, or as churn_risk_score.
std::vector<double> churn_risk_scores(std::span<const double> p_alive,
                                      const CustomerActivity& activity,
                                      std::span<const double> complaints,
                                      const ChurnRiskOptions& options = {});

}  // namespace crm::retention

#endif  // CRM_RETENTION_CHURN_HPP_
