#!/usr/bin/env python3
"""Writes N purchases of the customers of a `crm sample customers` file as an
interactions CSV for `crm import interactions`, for bench_segment_rfm.sh.

Usage: make_purchases.py CUSTOMERS.csv N OUT.csv [SEED]

The same shape as bench_rfm's synthetic data, so the figures compare: every
customer buys once, the other N - customers purchases go to skewed random
customers (index = floor(customers * u^2): a few buy often, most rarely);
times uniform over 2022-2023 (UTC); amounts lognormal with a median of
45.00 USD in quarter-dollar steps, so every side's sums are exact. Rows come
in random order, as a real log's customers do. Deterministic for a seed.
"""
import sys

import numpy as np
import pandas as pd


def main():
    customers_csv, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    keys = pd.read_csv(customers_csv, usecols=["external_id"], dtype=str)["external_id"].to_numpy()
    m = len(keys)
    if n < m:
        sys.exit(f"make_purchases.py: N ({n}) must be at least the number of customers ({m})")
    rng = np.random.default_rng(seed)
    who = np.concatenate([np.arange(m), (m * rng.random(n - m) ** 2).astype(np.int64)])
    rng.shuffle(who)
    start = np.datetime64("2022-01-01T00:00:00", "s")
    span = int((np.datetime64("2024-01-01T00:00:00", "s") - start).astype(np.int64))
    when = start + rng.integers(0, span, n).astype("timedelta64[s]")
    quarters = np.maximum(1, np.round(4 * 45.0 * np.exp(0.8 * rng.standard_normal(n))))
    frame = pd.DataFrame({
        "external_id": keys[who],
        "occurred_at": np.datetime_as_string(when, unit="s"),
        "channel": "store",
        "kind": "purchase",
        "direction": "inbound",
        "amount": quarters / 4,
    })
    frame["occurred_at"] += "Z"
    frame.to_csv(out, index=False, float_format="%.2f")
    print(f"wrote {n} purchases of {m} customers to {out}")


if __name__ == "__main__":
    main()
