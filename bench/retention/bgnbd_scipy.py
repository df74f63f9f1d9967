#!/usr/bin/env python3
"""Reference BG/NBD fit with SciPy, for bench_bgnbd.

Usage: bgnbd_scipy.py HISTORIES.csv:REPEATS [HISTORIES.csv:REPEATS ...]

Each CSV has the columns x,t_x,T (one customer per row). For each file the
script fits the BG/NBD model (Fader, Hardie & Lee 2005) by minimising the same
mean negative log-likelihood as crm_retention_model -- written with
scipy.special.gammaln/betaln, vectorised with NumPy -- over ln(r, alpha, a, b)
with scipy.optimize.minimize (L-BFGS-B, analytic gradient), twice:

  raw         one row per customer, as code written against pandas/lifetimes does;
  compressed  identical (x, t_x, T) rows merged with weights first (np.unique),
              the same trick the C++ library uses.

Each fit is timed REPEATS times and the median is reported (bench_bgnbd
takes the median of as many runs of its own fit). Reading the CSV is not
timed. Output: one line per fit,
  RESULT file=<path> variant=<raw|compressed> rows=<n> seconds=<s> r=.. alpha=.. a=.. b=.. ll=.. nit=..
"""
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln


def make_objective(x, tx, T, w):
    W = w.sum()
    pos = x > 0

    def f(theta):
        r, alpha, a, b = np.exp(theta)
        log_at = np.log(alpha + T)
        log_atx = np.log(alpha + tx)
        c = (gammaln(r + x) - gammaln(r) + betaln(a, b + x) - betaln(a, b))
        d = np.where(pos, np.log(a) - np.log(np.where(pos, b + x - 1, 1.0))
                     - (r + x) * (log_atx - log_at), -np.inf)
        sp = np.where(pos, np.logaddexp(0.0, d), 0.0)
        w2 = np.where(pos, 1.0 / (1.0 + np.exp(-d)), 0.0)
        ll = w * (c + r * np.log(alpha) - (r + x) * log_at + sp)
        d_r = digamma(r + x) - digamma(r) + np.log(alpha) - log_at - w2 * (log_atx - log_at)
        d_alpha = r / alpha - (r + x) * (1.0 / (alpha + T) + w2 * (1.0 / (alpha + tx) - 1.0 / (alpha + T)))
        d_a = digamma(a + b) - digamma(a + b + x) + w2 / a
        d_b = (digamma(a + b) - digamma(a + b + x) + digamma(b + x) - digamma(b)
               - np.where(pos, w2 / np.where(pos, b + x - 1, 1.0), 0.0))
        grad = np.array([r * (w * d_r).sum(), alpha * (w * d_alpha).sum(),
                         a * (w * d_a).sum(), b * (w * d_b).sum()])
        return -ll.sum() / W, -grad / W

    return f, W


def fit(x, tx, T, w):
    f, W = make_objective(x, tx, T, w)
    alpha0 = (w * T).sum() / (w * x).sum()
    theta0 = np.log([1.0, alpha0, 1.0, 1.0])
    res = minimize(f, theta0, jac=True, method="L-BFGS-B",
                   bounds=[(-20, 20)] * 4, options=dict(gtol=1e-9, ftol=1e-15, maxiter=1000))
    return np.exp(res.x), -res.fun * W, res.nit


def median_time(repeats, fn):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def fit_compressed(data):
    rows, counts = np.unique(data, axis=0, return_counts=True)
    return fit(rows[:, 0], rows[:, 1], rows[:, 2], counts.astype(float)) + (len(rows),)


def main():
    for arg in sys.argv[1:]:
        path, repeats = arg.rsplit(":", 1)
        repeats = int(repeats)
        data = np.loadtxt(path, delimiter=",", skiprows=1)
        x, tx, T = data[:, 0], data[:, 1], data[:, 2]
        # Warm up NumPy/SciPy code paths on a small slice (not timed).
        fit(x[:1000], tx[:1000], T[:1000], np.ones(min(1000, len(x))))

        raw, (params, ll, nit) = median_time(repeats, lambda: fit(x, tx, T, np.ones(len(x))))
        print(f"RESULT file={path} variant=raw rows={len(x)} seconds={raw:.6f} "
              f"r={params[0]:.6f} alpha={params[1]:.6f} a={params[2]:.6f} b={params[3]:.6f} "
              f"ll={ll:.4f} nit={nit}", flush=True)

        comp, (params, ll, nit, distinct) = median_time(repeats, lambda: fit_compressed(data))
        print(f"RESULT file={path} variant=compressed rows={distinct} seconds={comp:.6f} "
              f"r={params[0]:.6f} alpha={params[1]:.6f} a={params[2]:.6f} b={params[3]:.6f} "
              f"ll={ll:.4f} nit={nit}", flush=True)


if __name__ == "__main__":
    main()
