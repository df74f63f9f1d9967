// A second, deliberately plain implementation of the BG/NBD and Gamma-Gamma
// predictions, to check the plugin's figures against: the closed forms of
// Fader, Hardie & Lee (2005), eq. (10) and (11), with the Gauss
// hypergeometric function summed as its power series term by term, and the
// Gamma-Gamma posterior mean of Fader & Hardie (2013). No code of the
// retention model library is used.
#pragma once

#include <cmath>
#include <stdexcept>

namespace crm::test {

struct BgNbdReference {
  double r, alpha, a, b;

  // 2F1(a1, a2; b1; z) for 0 <= z < 1 by its series sum_n (a1)_n (a2)_n / (b1)_n z^n / n!.
  static double hyp2f1(double a1, double a2, double b1, double z) {
    double term = 1.0, sum = 1.0;
    for (int n = 0; n < 1000000; ++n) {
      term *= (a1 + n) * (a2 + n) / ((b1 + n) * (n + 1.0)) * z;
      sum += term;
      if (std::fabs(term) < 1e-17 * std::fabs(sum)) return sum;
    }
    throw std::runtime_error("hyp2f1 series did not converge");
  }

  // P(alive | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
  double p_alive(double x, double tx, double T) const {
    if (x == 0) return 1.0;
    return 1.0 / (1.0 + a / (b + x - 1) * std::pow((alpha + T) / (alpha + tx), r + x));
  }

  // E[Y(t) | x, t_x, T]: expected purchases in (T, T + t].
  double expected(double x, double tx, double T, double t) const {
    const double z = t / (alpha + T + t);
    const double f = hyp2f1(r + x, b + x, a + b + x - 1, z);
    const double alive_part =
        (a + b + x - 1) / (a - 1) * (1 - std::pow((alpha + T) / (alpha + T + t), r + x) * f);
    return alive_part * p_alive(x, tx, T);
  }

  // margin * spend * sum_{k=1..K} (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k.
  double clv(double x, double tx, double T, double spend, int periods, double discount,
             double margin) const {
    double total = 0, previous = 0;
    for (int k = 1; k <= periods; ++k) {
      const double e = expected(x, tx, T, k);
      total += (e - previous) / std::pow(1 + discount, k);
      previous = e;
    }
    return margin * spend * total;
  }
};

// Gamma-Gamma expected spend per transaction: p (v + x m) / (p x + q - 1),
// which for x = 0 is the population mean p v / (q - 1).
inline double gamma_gamma_spend(double p, double q, double v, double x, double mean_spend) {
  return p * (v + x * mean_spend) / (p * x + q - 1);
}

}  // namespace crm::test
