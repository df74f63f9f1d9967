#include "crm/retention/bgnbd.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>

#include "crm/retention/errors.hpp"
#include "crm/retention/special_functions.hpp"

namespace crm::retention {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Maps distinct 64-bit keys to dense indices 0, 1, 2, ... in order of first
// appearance, with an open-addressing hash table. Used for the distinct times
// (keys: bit patterns of doubles) and the distinct packed histories. Data on a
// day grid have few of either, so the table stays in cache while a million
// rows are looked up; this is cheaper than sorting the rows.
class DenseIndex {
 public:
  std::uint32_t index_of(std::uint64_t key) {
    if (2 * (keys_.size() + 1) > slots_.size()) grow();
    std::size_t h = hash(key) & (slots_.size() - 1);
    while (true) {
      const std::uint32_t slot = slots_[h];
      if (slot == kEmpty) {
        slots_[h] = static_cast<std::uint32_t>(keys_.size());
        keys_.push_back(key);
        return slots_[h];
      }
      if (keys_[slot] == key) return slot;
      h = (h + 1) & (slots_.size() - 1);
    }
  }
  const std::vector<std::uint64_t>& keys() const noexcept { return keys_; }

 private:
  static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();
  static std::size_t hash(std::uint64_t x) noexcept {
    x ^= x >> 33;  // murmur3 finaliser
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
  void grow() {
    std::vector<std::uint32_t> bigger(std::max<std::size_t>(64, slots_.size() * 2), kEmpty);
    for (std::uint32_t i = 0; i < keys_.size(); ++i) {
      std::size_t h = hash(keys_[i]) & (bigger.size() - 1);
      while (bigger[h] != kEmpty) h = (h + 1) & (bigger.size() - 1);
      bigger[h] = i;
    }
    slots_ = std::move(bigger);
  }
  std::vector<std::uint32_t> slots_;
  std::vector<std::uint64_t> keys_;
};

std::uint64_t bits_of(double v) {
  return std::bit_cast<std::uint64_t>(v == 0.0 ? 0.0 : v);  // fold -0.0 into 0.0
}

// The likelihood's sufficient data: weighted rows (t_x index, T index) grouped
// by frequency x, plus the table of distinct times they index.
struct CompressedHistories {
  struct Group {
    double x;
    std::size_t begin;
    std::size_t end;
  };
  std::vector<double> times;
  std::vector<std::uint32_t> recency_index;
  std::vector<std::uint32_t> age_index;
  std::vector<double> weight;
  std::vector<Group> groups;  // sorted by x
  double total_weight = 0.0;
  double weighted_frequency = 0.0;  // sum of w x
  double weighted_age = 0.0;        // sum of w T
};

CompressedHistories compress(const HistoryView& data) {
  CompressedHistories out;
  const std::size_t n = data.size();
  DenseIndex times;
  std::vector<std::uint32_t> rec(n);
  std::vector<std::uint32_t> age(n);
  double max_x = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    rec[i] = times.index_of(bits_of(data.recency[i]));
    age[i] = times.index_of(bits_of(data.age[i]));
    max_x = std::max(max_x, data.frequency[i]);
    const double w = data.weight_at(i);
    out.total_weight += w;
    out.weighted_frequency += w * data.frequency[i];
    out.weighted_age += w * data.age[i];
  }
  out.times.reserve(times.keys().size());
  for (const std::uint64_t k : times.keys()) out.times.push_back(std::bit_cast<double>(k));

  const auto emit = [&out](double x, std::uint32_t rec_index, std::uint32_t age_index, double w) {
    if (w == 0.0) return;
    if (out.groups.empty() || out.groups.back().x != x) {
      out.groups.push_back({x, out.weight.size(), out.weight.size()});
    }
    out.recency_index.push_back(rec_index);
    out.age_index.push_back(age_index);
    out.weight.push_back(w);
    out.groups.back().end = out.weight.size();
  };

  // Pack (x, T index, t_x index) into one 64-bit key when the fields fit:
  // merging duplicates is then a hash lookup per row, and sorting the (far
  // fewer) distinct keys groups them by x.
  constexpr int kTimeBits = 20;
  const bool packable = max_x < double(1 << 23) && out.times.size() <= (1u << kTimeBits);
  if (packable) {
    DenseIndex rows;
    std::vector<double> row_weight;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t key = (static_cast<std::uint64_t>(data.frequency[i]) << (2 * kTimeBits)) |
                                (static_cast<std::uint64_t>(age[i]) << kTimeBits) | rec[i];
      const std::uint32_t r = rows.index_of(key);
      if (r == row_weight.size()) row_weight.push_back(0.0);
      row_weight[r] += data.weight_at(i);
    }
    const std::vector<std::uint64_t>& keys = rows.keys();
    std::vector<std::uint32_t> order(keys.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&keys](std::uint32_t l, std::uint32_t r) { return keys[l] < keys[r]; });
    constexpr std::uint64_t kTimeMask = (1u << kTimeBits) - 1;
    for (const std::uint32_t r : order) {
      const std::uint64_t key = keys[r];
      emit(static_cast<double>(key >> (2 * kTimeBits)), static_cast<std::uint32_t>(key & kTimeMask),
           static_cast<std::uint32_t>((key >> kTimeBits) & kTimeMask), row_weight[r]);
    }
  } else {
    // Too many distinct values to pack: keep every row, grouped by x.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
      return data.frequency[l] < data.frequency[r];
    });
    for (const std::size_t i : order) emit(data.frequency[i], rec[i], age[i], data.weight_at(i));
  }
  return out;
}

// Mean negative log-likelihood over log-parameters theta = ln(r, alpha, a, b)
// and its gradient. Per customer (FHL 2005 eq. 6 rearranged):
//   ll = C_x + r ln(alpha) - (r+x) ln(alpha+T) + [x>0] softplus(d),
//   C_x = lnG(r+x) - lnG(r) + lnG(b+x) - lnG(b) - lnG(a+b+x) + lnG(a+b),
//   d   = ln(a/(b+x-1)) - (r+x) (ln(alpha+t_x) - ln(alpha+T)),
// where softplus(d) = ln(1 + e^d) adds the "dropped out at t_x" branch and
// sigmoid(d) is that branch's posterior weight. Everything that depends on x
// only is computed once per x group, everything that depends on one time once
// per distinct time, leaving one exp and one log1p per compressed row.
class BgNbdObjective {
 public:
  explicit BgNbdObjective(const CompressedHistories& data)
      : data_(data), log_time_(data.times.size()), inv_time_(data.times.size()) {}

  double operator()(std::span<const double> theta, std::span<double> grad) {
    const double r = std::exp(theta[0]);
    const double alpha = std::exp(theta[1]);
    const double a = std::exp(theta[2]);
    const double b = std::exp(theta[3]);
    const double log_alpha = theta[1];
    for (std::size_t k = 0; k < data_.times.size(); ++k) {
      log_time_[k] = std::log(alpha + data_.times[k]);
      inv_time_[k] = 1.0 / (alpha + data_.times[k]);
    }
    const double lg_r = log_gamma(r);
    const double lg_b = log_gamma(b);
    const double lg_ab = log_gamma(a + b);
    const double ps_r = digamma(r);
    const double ps_b = digamma(b);
    const double ps_ab = digamma(a + b);
    const double log_a = theta[2];

    double ll = 0.0;
    double d_r = 0.0;
    double d_alpha = 0.0;
    double d_a = 0.0;
    double d_b = 0.0;
    for (const CompressedHistories::Group& g : data_.groups) {
      const double x = g.x;
      const double rx = r + x;
      const double c_x =
          x == 0.0 ? 0.0
                   : log_gamma(rx) - lg_r + log_gamma(b + x) - lg_b - log_gamma(a + b + x) + lg_ab;
      const double dr_x = x == 0.0 ? 0.0 : digamma(rx) - ps_r;
      const double dab_x = x == 0.0 ? 0.0 : ps_ab - digamma(a + b + x);
      const double db_x = x == 0.0 ? 0.0 : digamma(b + x) - ps_b;

      double s_w = 0.0, s_lt = 0.0, s_inv_t = 0.0;
      double s_sp = 0.0, s_w2 = 0.0, s_w2_dl = 0.0, s_w2_dinv = 0.0;
      if (x == 0.0) {
        for (std::size_t i = g.begin; i < g.end; ++i) {
          const double w = data_.weight[i];
          const std::uint32_t t = data_.age_index[i];
          s_w += w;
          s_lt += w * log_time_[t];
          s_inv_t += w * inv_time_[t];
        }
      } else {
        const double la = log_a - std::log(b + x - 1.0);
        for (std::size_t i = g.begin; i < g.end; ++i) {
          const double w = data_.weight[i];
          const std::uint32_t t = data_.age_index[i];
          const std::uint32_t tx = data_.recency_index[i];
          const double dl = log_time_[tx] - log_time_[t];
          const double d = la - rx * dl;
          const double e = std::exp(-std::fabs(d));
          // log(1 + e) rather than log1p(e): absolute error below 2.3e-16 per
          // row, which is all a sum of log-likelihoods needs, at half the cost.
          const double sp = std::max(d, 0.0) + std::log(1.0 + e);
          const double w2 = d >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
          s_w += w;
          s_lt += w * log_time_[t];
          s_inv_t += w * inv_time_[t];
          s_sp += w * sp;
          s_w2 += w * w2;
          s_w2_dl += w * w2 * dl;
          s_w2_dinv += w * w2 * (inv_time_[tx] - inv_time_[t]);
        }
      }
      ll += s_w * (c_x + r * log_alpha) - rx * s_lt + s_sp;
      d_r += s_w * (dr_x + log_alpha) - s_lt - s_w2_dl;
      d_alpha += s_w * r / alpha - rx * (s_inv_t + s_w2_dinv);
      d_a += s_w * dab_x + s_w2 / a;
      d_b += s_w * (dab_x + db_x);
      if (x > 0.0) d_b -= s_w2 / (b + x - 1.0);
    }
    const double scale = -1.0 / data_.total_weight;
    grad[0] = scale * r * d_r;
    grad[1] = scale * alpha * d_alpha;
    grad[2] = scale * a * d_a;
    grad[3] = scale * b * d_b;
    return scale * ll;
  }

 private:
  const CompressedHistories& data_;
  std::vector<double> log_time_;
  std::vector<double> inv_time_;
};

// C/eps [1 - (1-z)^eps 2F1(P, eps; C; z)] with eps = a-1, C = a+b+x-1,
// P = a+b-1-r, z = t/(alpha+T+t): Euler's transformation of the bracket of
// eq. 10 (and of eq. 7 with x = T = 0), i.e. the expected number of purchases
// in (T, T+t] of a customer known to be alive at T. Since
// 2F1(P, eps; C; z) - 1 = eps S with S = sum_{n>=1} (P)_n (a)_{n-1} z^n/((C)_n n!),
// the bracket divided by eps is -expm1(eps L)/eps - e^(eps L) S, L = ln(1-z),
// which has no 0/0 at a = 1.
double alive_expectation(const BgNbdParams& p, double x, double age, double t) {
  if (t == 0.0) return 0.0;
  const double base = p.alpha + age;
  const double z = t / (base + t);
  const double log1mz = std::log(base) - std::log(base + t);
  const double eps = p.a - 1.0;
  const double c = p.a + p.b + x - 1.0;
  const double pp = p.a + p.b - 1.0 - p.r;
  if (std::fabs(eps) < 1e-3 || z <= 0.99) {
    double term = pp / c * z;
    double sum = term;
    constexpr long kMaxTerms = 10'000'000;
    long n = 1;
    for (; n < kMaxTerms && term != 0.0; ++n) {
      const double dn = static_cast<double>(n);
      const double ratio = (pp + dn) * (p.a + dn - 1.0) / ((c + dn) * (dn + 1.0)) * z;
      term *= ratio;
      sum += term;
      if (std::fabs(ratio) < 1.0 && std::fabs(term) <= 0.5 * kEps * std::fabs(sum)) break;
    }
    if (n == kMaxTerms) {
      throw NumericalError("BG/NBD expectation: series did not converge for t = " +
                           std::to_string(t) + ", T = " + std::to_string(age));
    }
    const double em = eps == 0.0 ? log1mz : std::expm1(eps * log1mz) / eps;
    return c * (-em - std::exp(eps * log1mz) * sum);
  }
  return c / eps * (1.0 - std::exp(eps * log1mz) * hyp2f1(pp, eps, c, z));
}

// ln of the odds a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x) that the customer
// dropped out right after the last purchase rather than being alive.
double log_dropout_odds(const BgNbdParams& p, const CustomerHistory& h) {
  return std::log(p.a) - std::log(p.b + h.frequency - 1.0) +
         (p.r + h.frequency) * (std::log(p.alpha + h.age) - std::log(p.alpha + h.recency));
}

double p_alive_unchecked(const BgNbdParams& p, const CustomerHistory& h) {
  if (h.frequency == 0.0) return 1.0;
  return logistic(-log_dropout_odds(p, h));
}

void validate_horizon(double t, const char* where) {
  if (!(t >= 0.0) || !std::isfinite(t)) {
    throw InvalidInput(std::string(where) + ": horizon t must be finite and >= 0, got " +
                       std::to_string(t));
  }
}

}  // namespace

void validate(const BgNbdParams& p, const char* where) {
  for (const double v : {p.r, p.alpha, p.a, p.b}) {
    if (!(v > 0.0) || !std::isfinite(v)) {
      throw InvalidInput(std::string(where) +
                         ": BG/NBD parameters must be positive and finite (r = " +
                         std::to_string(p.r) + ", alpha = " + std::to_string(p.alpha) +
                         ", a = " + std::to_string(p.a) + ", b = " + std::to_string(p.b) + ")");
    }
  }
}

BgNbdFit fit_bgnbd(const HistoryView& data, const BgNbdFitOptions& options) {
  validate_history(data, "fit_bgnbd");
  if (options.initial) validate(*options.initial, "fit_bgnbd (initial values)");
  const CompressedHistories compressed = compress(data);
  if (!(compressed.total_weight > 0.0)) {
    throw FitError("fit_bgnbd: no customers to fit (empty input or all weights zero)");
  }
  if (!(compressed.weighted_frequency > 0.0)) {
    throw FitError("fit_bgnbd: degenerate data: none of the " +
                   std::to_string(compressed.total_weight) +
                   " customers made a repeat purchase, so purchase rates and dropout are not "
                   "identified");
  }

  BgNbdParams start;
  if (options.initial) {
    start = *options.initial;
  } else {
    // r = 1 and the mean rate sum(x)/sum(T) give alpha = sum(T)/sum(x).
    start.alpha = std::clamp(compressed.weighted_age / compressed.weighted_frequency, 1e-3, 1e6);
  }
  std::vector<double> theta0 = {std::log(start.r), std::log(start.alpha), std::log(start.a),
                                std::log(start.b)};
  const Box box{std::vector<double>(4, options.log_lower),
                std::vector<double>(4, options.log_upper)};

  BgNbdObjective objective(compressed);
  const ObjectiveWithGradient f = [&objective](std::span<const double> th, std::span<double> g) {
    return objective(th, g);
  };
  const MinimizeResult result = minimize(f, theta0, box, options.minimizer, "fit_bgnbd");

  BgNbdFit fit;
  fit.params = {std::exp(result.x[0]), std::exp(result.x[1]), std::exp(result.x[2]),
                std::exp(result.x[3])};
  fit.log_likelihood = -result.value * compressed.total_weight;
  fit.iterations = result.iterations;
  fit.evaluations = result.evaluations;
  fit.customers = static_cast<std::size_t>(std::llround(compressed.total_weight));
  fit.distinct_histories = compressed.weight.size();
  for (const double v : result.x) {
    // Within a factor e^2 of the box: the optimum is running off to 0 or
    // infinity rather than sitting at an interior maximum.
    if (v <= options.log_lower + 2.0 || v >= options.log_upper - 2.0) fit.at_bound = true;
  }
  return fit;
}

double bgnbd_log_likelihood(const BgNbdParams& p, const CustomerHistory& h) {
  validate(p, "bgnbd_log_likelihood");
  validate_history(h, "bgnbd_log_likelihood");
  const double x = h.frequency;
  double ll = p.r * std::log(p.alpha) - (p.r + x) * std::log(p.alpha + h.age);
  if (x > 0.0) {
    ll += log_gamma(p.r + x) - log_gamma(p.r) + log_gamma(p.b + x) - log_gamma(p.b) -
          log_gamma(p.a + p.b + x) + log_gamma(p.a + p.b);
    ll += log1p_exp(log_dropout_odds(p, h));
  }
  return ll;
}

double bgnbd_log_likelihood(const BgNbdParams& p, const HistoryView& data) {
  validate(p, "bgnbd_log_likelihood");
  validate_history(data, "bgnbd_log_likelihood");
  double total = 0.0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    total += data.weight_at(i) * bgnbd_log_likelihood(p, data[i]);
  }
  return total;
}

double bgnbd_p_alive(const BgNbdParams& p, const CustomerHistory& h) {
  validate(p, "bgnbd_p_alive");
  validate_history(h, "bgnbd_p_alive");
  return p_alive_unchecked(p, h);
}

std::vector<double> bgnbd_p_alive(const BgNbdParams& p, const HistoryView& data) {
  validate(p, "bgnbd_p_alive");
  validate_history(data, "bgnbd_p_alive");
  std::vector<double> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) out[i] = p_alive_unchecked(p, data[i]);
  return out;
}

double bgnbd_expected_purchases(const BgNbdParams& p, double t) {
  validate(p, "bgnbd_expected_purchases");
  validate_horizon(t, "bgnbd_expected_purchases");
  return alive_expectation(p, 0.0, 0.0, t);
}

double bgnbd_conditional_expected_purchases(const BgNbdParams& p, const CustomerHistory& h,
                                            double t) {
  validate(p, "bgnbd_conditional_expected_purchases");
  validate_history(h, "bgnbd_conditional_expected_purchases");
  validate_horizon(t, "bgnbd_conditional_expected_purchases");
  return alive_expectation(p, h.frequency, h.age, t) * p_alive_unchecked(p, h);
}

std::vector<double> bgnbd_conditional_expected_purchases(const BgNbdParams& p,
                                                         const HistoryView& data, double t) {
  validate(p, "bgnbd_conditional_expected_purchases");
  validate_history(data, "bgnbd_conditional_expected_purchases");
  validate_horizon(t, "bgnbd_conditional_expected_purchases");
  std::vector<double> out(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    const CustomerHistory h = data[i];
    out[i] = alive_expectation(p, h.frequency, h.age, t) * p_alive_unchecked(p, h);
  }
  return out;
}

double bgnbd_expected_total_purchases(const BgNbdParams& p, const HistoryView& data, double t) {
  const std::vector<double> each = bgnbd_conditional_expected_purchases(p, data, t);
  double total = 0.0;
  for (std::size_t i = 0; i < each.size(); ++i) total += data.weight_at(i) * each[i];
  return total;
}

std::vector<double> bgnbd_cumulative_forecast(const BgNbdParams& p,
                                              std::span<const double> trial_times,
                                              std::span<const double> times) {
  validate(p, "bgnbd_cumulative_forecast");
  std::vector<double> trials(trial_times.begin(), trial_times.end());
  for (const double v : trials) {
    if (!std::isfinite(v)) throw InvalidInput("bgnbd_cumulative_forecast: non-finite trial time");
  }
  std::sort(trials.begin(), trials.end());
  std::vector<std::pair<double, double>> cohorts;  // (trial time, customers)
  for (const double v : trials) {
    if (cohorts.empty() || cohorts.back().first != v) cohorts.emplace_back(v, 0.0);
    cohorts.back().second += 1.0;
  }
  std::vector<double> out;
  out.reserve(times.size());
  for (const double t : times) {
    if (!std::isfinite(t)) throw InvalidInput("bgnbd_cumulative_forecast: non-finite time");
    double total = 0.0;
    for (const auto& [s, count] : cohorts) {
      if (s >= t) break;
      total += count * alive_expectation(p, 0.0, 0.0, t - s);
    }
    out.push_back(total);
  }
  return out;
}

}  // namespace crm::retention
