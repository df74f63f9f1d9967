#include "crm/retention/churn.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "bucket.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

// 1970-01-01 was a Thursday; Monday 1969-12-29 is day -3.
constexpr int kFirstMonday = -3;

std::int32_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return static_cast<std::int32_t>(q);
}

void check_finite(double v, const char* what) {
  if (!std::isfinite(v)) {
    throw InvalidInput(std::string("churn_risk_score: ") + what + " must be finite");
  }
}

void validate_options(const ChurnRiskOptions& o) {
  for (const double w : {o.weight_dropout, o.weight_overdue, o.weight_complaints}) {
    if (!(w >= 0.0) || !std::isfinite(w)) {
      throw InvalidInput("churn_risk_score: weights must be finite and >= 0");
    }
  }
  if (!(o.weight_dropout + o.weight_overdue + o.weight_complaints > 0.0)) {
    throw InvalidInput("churn_risk_score: at least one weight must be positive");
  }
  if (!(o.complaint_half > 0.0) || !std::isfinite(o.complaint_half)) {
    throw InvalidInput("churn_risk_score: complaint_half must be finite and > 0");
  }
}

}  // namespace

std::int32_t period_index(int day, CohortPeriod period) noexcept {
  switch (period) {
    case CohortPeriod::kDay:
      return day;
    case CohortPeriod::kWeek:
      return floor_div(std::int64_t{day} - kFirstMonday, 7);
    case CohortPeriod::kMonth: {
      const CivilDate d = civil_from_days(day);
      return d.year * 12 + static_cast<std::int32_t>(d.month) - 1;
    }
  }
  return day;
}

int period_start_day(std::int32_t index, CohortPeriod period) noexcept {
  switch (period) {
    case CohortPeriod::kDay:
      return index;
    case CohortPeriod::kWeek:
      return index * 7 + kFirstMonday;
    case CohortPeriod::kMonth: {
      const int year = floor_div(index, 12);
      const auto month = static_cast<unsigned>(index - year * 12 + 1);
      const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                            std::chrono::day{1}};
      return std::chrono::sys_days{ymd}.time_since_epoch().count();
    }
  }
  return index;
}

double CohortTable::retention(std::size_t c, std::size_t k) const {
  if (c >= active.size() || k >= active[c].size()) {
    throw InvalidInput("CohortTable::retention: cohort " + std::to_string(c) + ", offset " +
                       std::to_string(k) + " out of range");
  }
  return static_cast<double>(active[c][k]) / static_cast<double>(size[c]);
}

CohortTable cohort_table(const PurchaseLog& log, CohortPeriod period,
                         std::optional<int> as_of_day) {
  log.validate();
  const detail::CustomerBuckets buckets = detail::bucket_by_customer(log);
  CohortTable t;
  t.period = period;

  // Per customer: cohort period and the distinct active periods.
  std::int32_t last_period = std::numeric_limits<std::int32_t>::min();
  std::vector<std::pair<std::int32_t, std::int32_t>> visits;  // (cohort, period), deduplicated
  for (std::size_t c = 0; c + 1 < buckets.offset.size(); ++c) {
    std::int32_t cohort = 0;
    std::int32_t previous = 0;
    bool seen = false;
    for (std::size_t i = buckets.offset[c]; i < buckets.offset[c + 1]; ++i) {
      const int day = buckets.rows[i].first;
      if (as_of_day && day > *as_of_day) break;  // rows are sorted by day
      const std::int32_t p = period_index(day, period);
      if (!seen) {
        cohort = p;
        seen = true;
      } else if (p == previous) {
        continue;
      }
      visits.emplace_back(cohort, p);
      previous = p;
      last_period = std::max(last_period, p);
    }
  }
  if (visits.empty()) return t;
  if (as_of_day) last_period = std::max(last_period, period_index(*as_of_day, period));

  // Rows only for the periods that acquired someone, each as long as the
  // time from it to the last period: the table is sized by the data, and
  // refused before allocating when that is absurd (one purchase dated
  // centuries off, by day or week).
  std::vector<std::int32_t> cohorts;
  cohorts.reserve(visits.size());
  for (const auto& visit : visits) {
    if (cohorts.empty() || cohorts.back() != visit.first) cohorts.push_back(visit.first);
  }
  std::sort(cohorts.begin(), cohorts.end());
  cohorts.erase(std::unique(cohorts.begin(), cohorts.end()), cohorts.end());
  std::int64_t cells = 0;
  for (const std::int32_t c : cohorts) cells += std::int64_t{last_period} - c + 1;
  if (cells > kMaxCohortCells) {
    static constexpr const char* kNames[] = {"day", "week", "month"};
    throw InvalidInput("cohort_table: " + std::to_string(cohorts.size()) + " cohorts by " +
                       kNames[static_cast<int>(period)] + " from " +
                       format_date(period_start_day(cohorts.front(), period)) + " to " +
                       format_date(period_start_day(last_period, period)) + " would need " +
                       std::to_string(cells) + " cells, more than " +
                       std::to_string(kMaxCohortCells) +
                       "; use a longer period or correct the purchases dated far off");
  }
  t.cohort = cohorts;
  t.cohort_start_day.reserve(cohorts.size());
  t.size.reserve(cohorts.size());
  t.active.reserve(cohorts.size());
  for (const std::int32_t c : cohorts) {
    t.cohort_start_day.push_back(period_start_day(c, period));
    t.active.emplace_back(static_cast<std::size_t>(last_period - c + 1), 0);
  }
  for (const auto& [cohort, p] : visits) {
    const auto row = std::lower_bound(cohorts.begin(), cohorts.end(), cohort) - cohorts.begin();
    ++t.active[static_cast<std::size_t>(row)][static_cast<std::size_t>(p - cohort)];
  }
  for (const auto& row : t.active) t.size.push_back(row[0]);
  return t;
}

PeriodChurn period_churn(const PurchaseLog& log, int previous_start, int current_start,
                         int current_end) {
  if (!(previous_start < current_start && current_start < current_end)) {
    throw InvalidInput("period_churn: need previous_start < current_start < current_end, got " +
                       format_date(previous_start) + ", " + format_date(current_start) + ", " +
                       format_date(current_end));
  }
  log.validate();
  std::vector<std::uint8_t> state(log.customer_count(), 0);  // bit 0: previous, bit 1: current
  for (std::size_t i = 0; i < log.size(); ++i) {
    const int d = log.day[i];
    const auto c = static_cast<std::size_t>(log.customer[i]);
    if (d >= previous_start && d < current_start) state[c] |= 1;
    if (d >= current_start && d < current_end) state[c] |= 2;
  }
  PeriodChurn out;
  for (const std::uint8_t s : state) {
    if (s & 1) ++out.base_customers;
    if (s == 3) ++out.retained;
  }
  if (out.base_customers == 0) {
    throw InvalidInput("period_churn: no customer was active in the base window [" +
                       format_date(previous_start) + ", " + format_date(current_start) + ")");
  }
  out.retention_rate = static_cast<double>(out.retained) / static_cast<double>(out.base_customers);
  out.churn_rate = 1.0 - out.retention_rate;
  return out;
}

CustomerActivity customer_activity(const PurchaseLog& log, int as_of_day) {
  log.validate();
  const detail::CustomerBuckets buckets = detail::bucket_by_customer(log);
  const std::size_t n = log.customer_count();
  CustomerActivity a;
  a.first_day.assign(n, CustomerActivity::kNoDay);
  a.last_day.assign(n, CustomerActivity::kNoDay);
  a.transactions.assign(n, 0);
  a.tenure_days.assign(n, -1);
  a.days_since_last.assign(n, -1);
  a.mean_interpurchase_days.assign(n, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < n; ++c) {
    std::int32_t count = 0;
    std::int32_t last = CustomerActivity::kNoDay;
    for (std::size_t i = buckets.offset[c]; i < buckets.offset[c + 1]; ++i) {
      const std::int32_t day = buckets.rows[i].first;
      if (day > as_of_day) break;
      if (day == last) continue;
      if (count == 0) a.first_day[c] = day;
      ++count;
      last = day;
    }
    if (count == 0) continue;
    a.last_day[c] = last;
    a.transactions[c] = count;
    a.tenure_days[c] = as_of_day - a.first_day[c];
    a.days_since_last[c] = as_of_day - last;
    if (count >= 2) {
      a.mean_interpurchase_days[c] = static_cast<double>(last - a.first_day[c]) / (count - 1);
    }
  }
  return a;
}

double repeat_purchase_rate(const PurchaseLog& log, int as_of_day) {
  const CustomerActivity a = customer_activity(log, as_of_day);
  std::int64_t buyers = 0;
  std::int64_t repeaters = 0;
  for (const std::int32_t t : a.transactions) {
    if (t >= 1) ++buyers;
    if (t >= 2) ++repeaters;
  }
  if (buyers == 0) {
    throw InvalidInput("repeat_purchase_rate: no customer bought on or before " +
                       format_date(as_of_day));
  }
  return static_cast<double>(repeaters) / static_cast<double>(buyers);
}

double churn_risk_score(double p_alive, double days_since_last, double mean_interpurchase_days,
                        double complaints, const ChurnRiskOptions& o) {
  validate_options(o);
  check_finite(p_alive, "p_alive");
  check_finite(days_since_last, "days_since_last");
  check_finite(mean_interpurchase_days, "mean_interpurchase_days");
  check_finite(complaints, "complaints");
  if (p_alive < 0.0 || p_alive > 1.0) {
    throw InvalidInput("churn_risk_score: p_alive must be in [0, 1], got " +
                       std::to_string(p_alive));
  }
  if (days_since_last < 0.0) throw InvalidInput("churn_risk_score: days_since_last must be >= 0");
  if (!(mean_interpurchase_days > 0.0)) {
    throw InvalidInput("churn_risk_score: mean_interpurchase_days must be > 0");
  }
  if (complaints < 0.0) throw InvalidInput("churn_risk_score: complaints must be >= 0");
  const double overdue = 1.0 - std::exp2(-days_since_last / mean_interpurchase_days);
  const double complaint_term = complaints / (complaints + o.complaint_half);
  const double total = o.weight_dropout + o.weight_overdue + o.weight_complaints;
  const double score = (o.weight_dropout * (1.0 - p_alive) + o.weight_overdue * overdue +
                        o.weight_complaints * complaint_term) /
                       total;
  return std::clamp(score, 0.0, 1.0);
}

std::vector<double> churn_risk_scores(std::span<const double> p_alive,
                                      const CustomerActivity& activity,
                                      std::span<const double> complaints,
                                      const ChurnRiskOptions& o) {
  validate_options(o);
  const std::size_t n = activity.size();
  if (p_alive.size() != n || (!complaints.empty() && complaints.size() != n)) {
    throw InvalidInput("churn_risk_scores: " + std::to_string(n) + " customers but " +
                       std::to_string(p_alive.size()) + " P(alive) values and " +
                       std::to_string(complaints.size()) + " complaint counts");
  }
  double fallback = o.fallback_interpurchase_days;
  if (std::isnan(fallback)) {
    std::vector<double> gaps;
    for (const double g : activity.mean_interpurchase_days) {
      if (!std::isnan(g) && g > 0.0) gaps.push_back(g);
    }
    if (!gaps.empty()) {
      const auto mid = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
      std::nth_element(gaps.begin(), mid, gaps.end());
      fallback = *mid;
      if (gaps.size() % 2 == 0) fallback = 0.5 * (fallback + *std::max_element(gaps.begin(), mid));
    }
  }
  std::vector<double> out(n, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < n; ++c) {
    if (activity.transactions[c] == 0) continue;
    double gap = activity.mean_interpurchase_days[c];
    if (std::isnan(gap) || !(gap > 0.0)) {
      if (std::isnan(fallback)) {
        throw InvalidInput("churn_risk_scores: customer " + std::to_string(c) +
                           " has fewer than two transactions and no customer has two to take a "
                           "typical inter-purchase time from; set fallback_interpurchase_days");
      }
      gap = fallback;
    }
    out[c] = churn_risk_score(p_alive[c], activity.days_since_last[c], gap,
                              complaints.empty() ? 0.0 : complaints[c], o);
  }
  return out;
}

}  // namespace crm::retention
