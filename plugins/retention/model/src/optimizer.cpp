#include "crm/retention/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

namespace crm::retention {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Checks the box against the dimension and returns explicit bounds (infinite
// where the box is empty).
Box normalised_box(const Box& box, std::size_t n, const char* where) {
  Box out;
  if (box.lower.empty() && box.upper.empty()) {
    out.lower.assign(n, -kInf);
    out.upper.assign(n, kInf);
    return out;
  }
  if (box.lower.size() != n || box.upper.size() != n) {
    throw InvalidInput(std::string(where) + ": box has " + std::to_string(box.lower.size()) + "/" +
                       std::to_string(box.upper.size()) + " bounds but the problem has dimension " +
                       std::to_string(n));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!(box.lower[i] < box.upper[i])) {
      throw InvalidInput(std::string(where) + ": empty box in coordinate " + std::to_string(i));
    }
  }
  return box;
}

void clamp_into(std::vector<double>& x, const Box& box) {
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::clamp(x[i], box.lower[i], box.upper[i]);
}

double dot(std::span<const double> a, std::span<const double> b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

double max_abs(std::span<const double> v) {
  double m = 0.0;
  for (const double e : v) m = std::max(m, std::fabs(e));
  return m;
}

// One evaluated point along the search line.
struct LinePoint {
  double alpha = 0.0;
  double f = kInf;
  double slope = 0.0;  // directional derivative g . d
  std::vector<double> x;
  std::vector<double> g;
};

// Evaluates f and its gradient along x + alpha d, counting evaluations.
class LineFunction {
 public:
  LineFunction(const ObjectiveWithGradient& f, const std::vector<double>& x,
               const std::vector<double>& d, const Box& box, int& evaluations)
      : f_(f), x_(x), d_(d), box_(box), evaluations_(evaluations) {}

  LinePoint at(double alpha) const {
    LinePoint p;
    p.alpha = alpha;
    p.x.resize(x_.size());
    for (std::size_t i = 0; i < x_.size(); ++i) {
      // Clamping only removes rounding overshoot at the maximal step.
      p.x[i] = std::clamp(x_[i] + alpha * d_[i], box_.lower[i], box_.upper[i]);
    }
    p.g.assign(x_.size(), 0.0);
    ++evaluations_;
    p.f = f_(p.x, p.g);
    if (std::isnan(p.f)) p.f = kInf;
    p.slope = std::isfinite(p.f) ? dot(p.g, d_) : kInf;
    return p;
  }

 private:
  const ObjectiveWithGradient& f_;
  const std::vector<double>& x_;
  const std::vector<double>& d_;
  const Box& box_;
  int& evaluations_;
};

// Safeguarded minimiser of the cubic (or quadratic) interpolating two points;
// falls back to bisection when the interpolant is unusable.
double interpolate(const LinePoint& lo, const LinePoint& hi) {
  const double a = lo.alpha;
  const double b = hi.alpha;
  double t = 0.5 * (a + b);
  if (std::isfinite(hi.f) && std::isfinite(hi.slope)) {
    // Cubic through (a, f_a, f'_a), (b, f_b, f'_b) (Nocedal & Wright 3.59).
    const double d1 = lo.slope + hi.slope - 3.0 * (lo.f - hi.f) / (a - b);
    const double disc = d1 * d1 - lo.slope * hi.slope;
    if (disc >= 0.0) {
      const double d2 = std::copysign(std::sqrt(disc), b - a);
      const double denom = hi.slope - lo.slope + 2.0 * d2;
      if (denom != 0.0) t = b - (b - a) * (hi.slope + d2 - d1) / denom;
    }
  } else if (std::isfinite(hi.f)) {
    // Quadratic from f_a, f'_a, f_b.
    const double denom = 2.0 * (hi.f - lo.f - lo.slope * (b - a));
    if (denom > 0.0) t = a - lo.slope * (b - a) * (b - a) / denom;
  }
  const double lo_edge = std::min(a, b) + 0.1 * std::fabs(b - a);
  const double hi_edge = std::max(a, b) - 0.1 * std::fabs(b - a);
  if (!std::isfinite(t) || t < lo_edge || t > hi_edge) t = 0.5 * (a + b);
  return t;
}

// Strong-Wolfe line search (Nocedal & Wright algorithms 3.5 and 3.6) on
// alpha in (0, alpha_max]. Returns the accepted point, or a point with
// alpha == 0 when no decrease could be found.
LinePoint line_search(const LineFunction& line, const LinePoint& start, double alpha_init,
                      double alpha_max) {
  constexpr double kC1 = 1e-4;
  constexpr double kC2 = 0.9;
  constexpr int kMaxSteps = 40;
  const double f0 = start.f;
  const double slope0 = start.slope;
  const auto armijo = [&](const LinePoint& p) { return p.f <= f0 + kC1 * p.alpha * slope0; };
  const auto curvature = [&](const LinePoint& p) { return std::fabs(p.slope) <= -kC2 * slope0; };

  const auto zoom = [&](LinePoint lo, LinePoint hi) {
    for (int i = 0; i < kMaxSteps; ++i) {
      const double alpha = interpolate(lo, hi);
      if (alpha == lo.alpha || alpha == hi.alpha) break;  // interval below resolution
      LinePoint p = line.at(alpha);
      if (!armijo(p) || p.f >= lo.f) {
        hi = std::move(p);
      } else {
        if (curvature(p)) return p;
        if (p.slope * (hi.alpha - lo.alpha) >= 0.0) hi = lo;
        lo = std::move(p);
      }
    }
    return lo;  // best Armijo point found (start itself if none)
  };

  LinePoint prev = start;
  double alpha = std::min(alpha_init, alpha_max);
  for (int i = 0; i < kMaxSteps; ++i) {
    LinePoint p = line.at(alpha);
    if (!std::isfinite(p.f)) {
      // Undefined region (overflow): shrink toward the last good point.
      alpha = prev.alpha + 0.25 * (alpha - prev.alpha);
      continue;
    }
    if (!armijo(p) || (i > 0 && p.f >= prev.f)) return zoom(prev, std::move(p));
    if (curvature(p)) return p;
    if (p.slope >= 0.0) return zoom(std::move(p), prev);
    if (alpha >= alpha_max) return p;  // Armijo holds at the box edge
    prev = std::move(p);
    alpha = std::min(2.0 * alpha, alpha_max);
  }
  return prev;
}

std::vector<double> projected_gradient(const std::vector<double>& x, const std::vector<double>& g,
                                       const Box& box) {
  std::vector<double> pg = g;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if ((x[i] <= box.lower[i] && g[i] > 0.0) || (x[i] >= box.upper[i] && g[i] < 0.0)) pg[i] = 0.0;
  }
  return pg;
}

}  // namespace

MinimizeResult minimize_bfgs(const ObjectiveWithGradient& f, std::vector<double> x0,
                             const Box& box_in, const MinimizeOptions& options) {
  const std::size_t n = x0.size();
  if (n == 0) throw InvalidInput("minimize_bfgs: empty starting point");
  const Box box = normalised_box(box_in, n, "minimize_bfgs");
  clamp_into(x0, box);

  MinimizeResult result;
  result.method = Method::kBfgs;
  result.x = std::move(x0);
  result.gradient.assign(n, 0.0);
  result.evaluations = 1;
  result.value = f(result.x, result.gradient);
  if (!std::isfinite(result.value)) {
    throw FitError("minimize_bfgs: objective is not finite at the starting point");
  }

  // Inverse Hessian approximation, row-major n x n.
  std::vector<double> h(n * n, 0.0);
  const auto reset_h = [&](double scale) {
    std::fill(h.begin(), h.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i) h[i * n + i] = scale;
  };
  reset_h(1.0);
  bool h_scaled = false;
  int small_decreases = 0;

  for (int iter = 1; iter <= options.max_iterations; ++iter) {
    result.iterations = iter - 1;
    const std::vector<double> pg = projected_gradient(result.x, result.gradient, box);
    const double pg_norm = max_abs(pg);
    if (pg_norm < options.gradient_tolerance) {
      result.converged = true;
      result.message = "projected gradient below tolerance";
      return result;
    }
    // Search direction on the free coordinates.
    std::vector<double> d(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      if (pg[i] == 0.0) continue;
      for (std::size_t j = 0; j < n; ++j) d[i] -= h[i * n + j] * pg[j];
    }
    if (!(dot(d, pg) < 0.0)) {
      // Not a descent direction (stale curvature): restart from steepest descent.
      reset_h(1.0);
      h_scaled = false;
      for (std::size_t i = 0; i < n; ++i) d[i] = -pg[i];
    }
    // Largest step that stays inside the box.
    double alpha_max = kInf;
    for (std::size_t i = 0; i < n; ++i) {
      if (d[i] > 0.0) alpha_max = std::min(alpha_max, (box.upper[i] - result.x[i]) / d[i]);
      if (d[i] < 0.0) alpha_max = std::min(alpha_max, (box.lower[i] - result.x[i]) / d[i]);
    }
    // Before curvature is known, limit the first step to a unit move.
    const double alpha_init = h_scaled ? 1.0 : std::min(1.0, 1.0 / max_abs(d));

    LinePoint start;
    start.f = result.value;
    start.slope = dot(result.gradient, d);
    start.x = result.x;
    start.g = result.gradient;
    const LineFunction line(f, result.x, d, box, result.evaluations);
    LinePoint next = line_search(line, start, alpha_init, alpha_max);

    if (next.alpha == 0.0 || !(next.f <= result.value)) {
      if (h_scaled) {
        // Retry once along steepest descent before giving up.
        reset_h(1.0);
        h_scaled = false;
        continue;
      }
      result.iterations = iter;
      if (pg_norm < 1000.0 * options.gradient_tolerance) {
        result.converged = true;
        result.message = "line search cannot improve; gradient within 1000x tolerance";
      } else {
        result.message = "line search failed to find a decrease";
      }
      return result;
    }

    std::vector<double> s(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = next.x[i] - result.x[i];
      y[i] = next.g[i] - result.gradient[i];
    }
    const double decrease = result.value - next.f;
    result.x = std::move(next.x);
    result.gradient = std::move(next.g);
    result.value = next.f;

    const double sy = dot(s, y);
    if (sy > 1e-12 * std::sqrt(dot(s, s) * dot(y, y))) {
      if (!h_scaled) {
        // Shanno-Phua scaling of the initial inverse Hessian.
        reset_h(sy / dot(y, y));
        h_scaled = true;
      }
      // H <- (I - rho s y') H (I - rho y s') + rho s s'
      const double rho = 1.0 / sy;
      std::vector<double> hy(n, 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) hy[i] += h[i * n + j] * y[j];
      }
      const double yhy = dot(y, hy);
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          h[i * n + j] +=
              -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
      }
    }

    small_decreases =
        decrease <= options.function_tolerance * std::max(1.0, std::fabs(result.value))
            ? small_decreases + 1
            : 0;
    if (small_decreases >= 3 && max_abs(projected_gradient(result.x, result.gradient, box)) <
                                    1000.0 * options.gradient_tolerance) {
      result.iterations = iter;
      result.converged = true;
      result.message = "relative decrease below function tolerance";
      return result;
    }
  }
  result.iterations = options.max_iterations;
  result.message = "iteration limit reached (" + std::to_string(options.max_iterations) + ")";
  return result;
}

MinimizeResult minimize_nelder_mead(const Objective& f, std::vector<double> x0, const Box& box_in,
                                    const MinimizeOptions& options) {
  const std::size_t n = x0.size();
  if (n == 0) throw InvalidInput("minimize_nelder_mead: empty starting point");
  const Box box = normalised_box(box_in, n, "minimize_nelder_mead");
  clamp_into(x0, box);

  MinimizeResult result;
  result.method = Method::kNelderMead;
  const auto eval = [&](std::vector<double>& x) {
    clamp_into(x, box);
    ++result.evaluations;
    const double v = f(x);
    return std::isnan(v) ? kInf : v;
  };

  std::vector<std::vector<double>> simplex(n + 1, x0);
  std::vector<double> values(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    simplex[i + 1][i] += 0.25;
    // Step inward instead when the vertex would leave the box.
    if (simplex[i + 1][i] > box.upper[i]) simplex[i + 1][i] = x0[i] - 0.25;
  }
  for (std::size_t i = 0; i <= n; ++i) values[i] = eval(simplex[i]);

  std::vector<std::size_t> order(n + 1);
  const long max_steps = 10L * options.max_iterations;
  for (long step = 0; step < max_steps; ++step) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    const std::size_t best = order.front();
    const std::size_t worst = order.back();
    const std::size_t second_worst = order[n - 1];
    result.iterations = static_cast<int>(step);

    double x_spread = 0.0;
    double f_spread = 0.0;
    for (std::size_t i = 0; i <= n; ++i) {
      f_spread = std::max(f_spread, std::fabs(values[i] - values[best]));
      for (std::size_t j = 0; j < n; ++j) {
        x_spread = std::max(x_spread, std::fabs(simplex[i][j] - simplex[best][j]));
      }
    }
    if (std::isfinite(values[best]) && x_spread <= options.x_tolerance &&
        f_spread <= options.function_tolerance * std::max(1.0, std::fabs(values[best])) * 10.0) {
      result.converged = true;
      result.message = "simplex converged";
      break;
    }

    std::vector<double> centroid(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == worst) continue;
      for (std::size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / static_cast<double>(n);
    }
    const auto along = [&](double t) {
      std::vector<double> p(n);
      for (std::size_t j = 0; j < n; ++j)
        p[j] = centroid[j] + t * (simplex[worst][j] - centroid[j]);
      return p;
    };
    std::vector<double> reflected = along(-1.0);
    const double f_reflected = eval(reflected);
    if (f_reflected < values[best]) {
      std::vector<double> expanded = along(-2.0);
      const double f_expanded = eval(expanded);
      if (f_expanded < f_reflected) {
        simplex[worst] = std::move(expanded);
        values[worst] = f_expanded;
      } else {
        simplex[worst] = std::move(reflected);
        values[worst] = f_reflected;
      }
      continue;
    }
    if (f_reflected < values[second_worst]) {
      simplex[worst] = std::move(reflected);
      values[worst] = f_reflected;
      continue;
    }
    const bool outside = f_reflected < values[worst];
    std::vector<double> contracted = along(outside ? -0.5 : 0.5);
    const double f_contracted = eval(contracted);
    if (f_contracted < std::min(f_reflected, values[worst])) {
      simplex[worst] = std::move(contracted);
      values[worst] = f_contracted;
      continue;
    }
    // Shrink toward the best vertex.
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == best) continue;
      for (std::size_t j = 0; j < n; ++j) {
        simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
      }
      values[i] = eval(simplex[i]);
    }
  }
  const std::size_t best =
      static_cast<std::size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  result.x = simplex[best];
  result.value = values[best];
  if (!result.converged) {
    result.message = "step limit reached (" + std::to_string(max_steps) + ")";
  }
  return result;
}

MinimizeResult minimize(const ObjectiveWithGradient& f, std::vector<double> x0, const Box& box,
                        const MinimizeOptions& options, std::string_view context) {
  MinimizeResult first = minimize_bfgs(f, std::move(x0), box, options);
  if (first.converged) return first;
  std::string history = "BFGS: " + first.message;
  if (options.nelder_mead_fallback) {
    const Objective value_only = [&f](std::span<const double> x) {
      std::vector<double> unused(x.size());
      return f(x, unused);
    };
    MinimizeResult simplex = minimize_nelder_mead(value_only, first.x, box, options);
    history += "; Nelder-Mead: " + simplex.message;
    MinimizeResult polished = minimize_bfgs(f, simplex.x, box, options);
    polished.iterations += first.iterations + simplex.iterations;
    polished.evaluations += first.evaluations + simplex.evaluations;
    if (polished.converged) return polished;
    history += "; BFGS polish: " + polished.message;
    if (simplex.converged) {
      simplex.iterations += first.iterations;
      simplex.evaluations += first.evaluations;
      return simplex;
    }
    first = std::move(polished);
  }
  throw FitError(std::string(context) + ": optimiser did not converge after " +
                 std::to_string(first.iterations) + " iterations (" + history +
                 "); last objective value " + std::to_string(first.value));
}

}  // namespace crm::retention
