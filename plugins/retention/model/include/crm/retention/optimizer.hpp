// Small dense minimisers for maximum likelihood fits with a handful of
// parameters: a box-constrained BFGS with analytic gradients and a
// Nelder-Mead simplex fallback.
//
// The models in this library optimise over log-transformed parameters, so the
// boxes only keep the parameters finite (e.g. ln r in [-20, 20]); they are not
// meant to express hard modelling constraints.
//
// Objectives should be scaled to O(1) (e.g. the mean negative log-likelihood
// per customer): the tolerances below are absolute on that scale.

#ifndef CRM_RETENTION_OPTIMIZER_HPP_
#define CRM_RETENTION_OPTIMIZER_HPP_

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crm/retention/errors.hpp"

namespace crm::retention {

// Objective returning f(x) and writing the gradient df/dx into `gradient`
// (same length as x). May return +infinity or NaN for points where the
// objective is undefined; the line search then backs off.
using ObjectiveWithGradient =
    std::function<double(std::span<const double> x, std::span<double> gradient)>;

// Objective without gradient (for Nelder-Mead).
using Objective = std::function<double(std::span<const double> x)>;

// Box constraints lower[i] <= x[i] <= upper[i]. Empty vectors mean unbounded;
// otherwise both must have the dimension of x and lower[i] < upper[i].
struct Box {
  std::vector<double> lower;
  std::vector<double> upper;
};

struct MinimizeOptions {
  // Maximum number of BFGS iterations (line searches); Nelder-Mead gets 10x
  // this many steps, since each of its steps makes less progress.
  int max_iterations = 500;
  // Converged when the largest component of the projected gradient is below
  // this (components at an active bound pushing outward are ignored).
  double gradient_tolerance = 1e-8;
  // Also converged when f decreases by less than this (relative to max(1,|f|))
  // for 3 iterations in a row while the gradient is within 1000x tolerance:
  // the objective's own rounding noise then dominates.
  double function_tolerance = 1e-15;
  // Nelder-Mead: converged when all simplex vertices are within this of the
  // best vertex (max-norm in x) and their f values within function_tolerance.
  double x_tolerance = 1e-10;
  // Let minimize() retry with Nelder-Mead when BFGS fails.
  bool nelder_mead_fallback = true;
};

enum class Method { kBfgs, kNelderMead };

struct MinimizeResult {
  std::vector<double> x;         // best point found
  double value = 0.0;            // f(x)
  std::vector<double> gradient;  // gradient at x (empty after Nelder-Mead)
  int iterations = 0;            // BFGS iterations or Nelder-Mead steps, summed over methods
  int evaluations = 0;           // objective evaluations, summed over methods
  bool converged = false;
  Method method = Method::kBfgs;  // method that produced x
  std::string message;            // why it stopped
};

// Minimises f from x0 by BFGS (inverse-Hessian update) with a strong-Wolfe line
// search, projected onto `box` (an active-set treatment: coordinates sitting on
// a bound with the gradient pushing outward are frozen for the iteration).
// x0 is clamped into the box first. Never throws for non-convergence: check
// result.converged. Throws InvalidInput for inconsistent dimensions or bounds,
// FitError if f is not finite at the (clamped) starting point.
MinimizeResult minimize_bfgs(const ObjectiveWithGradient& f, std::vector<double> x0,
                             const Box& box = {}, const MinimizeOptions& options = {});

// Minimises f from x0 by the Nelder-Mead simplex method (standard coefficients
// 1, 2, 0.5, 0.5); vertices are clamped into `box`; the initial simplex steps
// 0.25 along each axis (suited to log-parameters). Never throws for
// non-convergence. Throws InvalidInput for inconsistent dimensions or bounds.
MinimizeResult minimize_nelder_mead(const Objective& f, std::vector<double> x0, const Box& box = {},
                                    const MinimizeOptions& options = {});

// BFGS first; if it does not converge and options.nelder_mead_fallback is set,
// Nelder-Mead from BFGS's best point, then BFGS again to polish. Returns a
// converged result or throws FitError naming `context` (e.g. "BG/NBD fit") and
// the last method's reason, iterations and value.
MinimizeResult minimize(const ObjectiveWithGradient& f, std::vector<double> x0, const Box& box,
                        const MinimizeOptions& options, std::string_view context);

}  // namespace crm::retention

#endif  // CRM_RETENTION_OPTIMIZER_HPP_
