#!/usr/bin/env python3
"""Reference RFM scoring with pandas, for bench_rfm.

Usage: rfm_pandas.py PURCHASES.csv AS_OF(YYYY-MM-DD) WINDOW_DAYS

PURCHASES.csv has the columns customer_id,date,amount. The script reads it
(timed as "read": read_csv + to_datetime), then computes RFM as of AS_OF over
the last WINDOW_DAYS days (timed as "compute"): filter the window, groupby
customer for last date / count / sum, recency in days, and quintile scores the
usual pandas way, qcut over rank(method="first") (recency reversed).

It then computes the tie-stable scores of crm_retention_model
(1 + floor(5 * below / n) via rank(method="min"); timed separately as
"compute_tie_stable") and prints their sums so that the C++ benchmark can
check both implementations agree. Output lines: KEY=VALUE.
"""
import sys
import time

import numpy as np
import pandas as pd


def main():
    path, as_of_text, window = sys.argv[1], sys.argv[2], int(sys.argv[3])
    as_of = pd.Timestamp(as_of_text)

    start = time.perf_counter()
    df = pd.read_csv(path, dtype={"customer_id": str, "amount": float})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    read = time.perf_counter() - start

    start = time.perf_counter()
    recent = df[(df["date"] <= as_of) & (df["date"] > as_of - pd.Timedelta(days=window))]
    rfm = recent.groupby("customer_id").agg(last=("date", "max"), frequency=("date", "size"),
                                            monetary=("amount", "sum"))
    rfm["recency"] = (as_of - rfm["last"]).dt.days
    labels = [1, 2, 3, 4, 5]
    rfm["R"] = pd.qcut(rfm["recency"].rank(method="first"), 5, labels=labels[::-1]).astype(int)
    rfm["F"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=labels).astype(int)
    rfm["M"] = pd.qcut(rfm["monetary"].rank(method="first"), 5, labels=labels).astype(int)
    compute = time.perf_counter() - start

    start = time.perf_counter()
    n = len(rfm)

    def stable(rank_min):
        return 1 + (5 * (rank_min.to_numpy(dtype=np.int64) - 1)) // n

    r_s = stable(rfm["recency"].rank(method="min", ascending=False))
    f_s = stable(rfm["frequency"].rank(method="min"))
    m_s = stable(rfm["monetary"].rank(method="min"))
    stable_time = time.perf_counter() - start

    print(f"rows={len(df)}")
    print(f"active={n}")
    print(f"read_seconds={read:.6f}")
    print(f"compute_seconds={compute:.6f}")
    print(f"compute_tie_stable_seconds={stable_time:.6f}")
    print(f"sum_r={int(r_s.sum())}")
    print(f"sum_f={int(f_s.sum())}")
    print(f"sum_m={int(m_s.sum())}")
    print(f"sum_frequency={int(rfm['frequency'].sum())}")
    print(f"sum_monetary={rfm['monetary'].sum():.2f}")


if __name__ == "__main__":
    main()
