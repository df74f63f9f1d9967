#!/usr/bin/env python3
"""Reference RFM scoring with pandas, for bench_rfm.

Usage: rfm_pandas.py PURCHASES.csv AS_OF(YYYY-MM-DD) WINDOW_DAYS SAMPLE_KEYS.txt

PURCHASES.csv has the columns customer_id,date,amount. The script reads it
(timed as "read": read_csv + to_datetime), then computes the RFM table of
crm_retention_model as of AS_OF over the last WINDOW_DAYS days (timed as
"compute"): filter the window, groupby the customer key (strings, as read)
for last date / count / sum, recency in days, and the tie-stable quintile
scores 1 + floor(5 * below / n), where below = rank(method="min") - 1
(recency ranked descending, so the most recent buyers score 5).

It prints the sums of the scores, frequency and monetary over every scored
customer, and one line per key of SAMPLE_KEYS.txt (one key a line), so that
bench_rfm can check the results against its own. Output lines: KEY=VALUE;
samples as sample.KEY=R,F,M,RECENCY,FREQUENCY,MONETARY or sample.KEY=none
for a customer not scored.
"""
import sys
import time

import pandas as pd

BINS = 5


def tie_stable(values, n, ascending=True):
    below = values.rank(method="min", ascending=ascending) - 1
    return (1 + (BINS * below) // n).astype("int8")


def rfm(df, as_of, window):
    recent = df[(df["date"] <= as_of) & (df["date"] > as_of - pd.Timedelta(days=window))]
    # sort=False: first-appearance order, as ours; sorting 1M string keys is
    # work the result does not need.
    table = recent.groupby("customer_id", sort=False).agg(
        last=("date", "max"), frequency=("date", "size"), monetary=("amount", "sum"))
    table["recency"] = (as_of - table["last"]).dt.days
    n = len(table)
    table["R"] = tie_stable(table["recency"], n, ascending=False)
    table["F"] = tie_stable(table["frequency"], n)
    table["M"] = tie_stable(table["monetary"], n)
    return table


def main():
    path, as_of_text, window, sample_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    as_of = pd.Timestamp(as_of_text)

    start = time.perf_counter()
    df = pd.read_csv(path, dtype={"customer_id": str, "amount": float})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    read = time.perf_counter() - start

    start = time.perf_counter()
    table = rfm(df, as_of, window)
    compute = time.perf_counter() - start

    print(f"rows={len(df)}")
    print(f"active={len(table)}")
    print(f"read_seconds={read:.6f}")
    print(f"compute_seconds={compute:.6f}")
    print(f"sum_r={int(table['R'].sum())}")
    print(f"sum_f={int(table['F'].sum())}")
    print(f"sum_m={int(table['M'].sum())}")
    print(f"sum_frequency={int(table['frequency'].sum())}")
    print(f"sum_monetary={table['monetary'].sum():.2f}")
    with open(sample_path, encoding="utf-8") as f:
        keys = [line.strip() for line in f if line.strip()]
    for key in keys:
        if key in table.index:
            row = table.loc[key]
            print(f"sample.{key}={int(row['R'])},{int(row['F'])},{int(row['M'])},"
                  f"{int(row['recency'])},{int(row['frequency'])},{row['monetary']:.2f}")
        else:
            print(f"sample.{key}=none")


if __name__ == "__main__":
    main()
