#!/usr/bin/env python3
"""The pandas side of bench_segment_rfm.sh: RFM segments from a crm SQLite file.

Usage: rfm_sqlite_pandas.py CRM.db AS_OF(YYYY-MM-DD) WINDOW_DAYS

What a competent pandas user writes for `crm segment rfm --as-of AS_OF
--window WINDOW_DAYS` on the same file, timed in three parts:

- read: `read_sql_query` of the purchases (customer id, time, amount in
  minor units; the query reads the covering index the kernel keeps);
- score: UTC day of each purchase, the window filter, groupby customer for
  last day / count / sum, recency, the tie-stable quintile scores
  1 + floor(5 * below / n) of docs/retention.md (below = rank(method="min")
  - 1; `qcut` over ranks would split ties by row order, which is not the
  rule), and the default segment of each customer (first matching rule of
  the R x F grid of rfm.hpp), by `np.select`;
- write: the score table written back into the same file with `to_sql`
  (replacing a table `pandas_rfm`), in one transaction.

It prints KEY=VALUE lines: the seconds of each part, the number of
customers scored, the sums of R, F, M and frequency, and the count of each
segment, which bench_segment_rfm.sh compares with crm's output.
"""
import sqlite3
import sys
import time

import numpy as np
import pandas as pd

BINS = 5
# name, R range, F range (M is [1, 5] in every default rule): rfm.cpp's
# default_rfm_segments, first match wins.
RULES = [
    ("champions", (5, 5), (4, 5)), ("loyal", (3, 4), (4, 5)),
    ("potential_loyalist", (4, 5), (2, 3)), ("new", (5, 5), (1, 1)),
    ("promising", (4, 4), (1, 1)), ("need_attention", (3, 3), (3, 3)),
    ("about_to_sleep", (3, 3), (1, 2)), ("cant_lose", (1, 2), (5, 5)),
    ("at_risk", (1, 2), (3, 4)), ("hibernating", (2, 2), (1, 2)), ("lost", (1, 1), (1, 2)),
]


def tie_stable(values, n, ascending=True):
    below = values.rank(method="min", ascending=ascending) - 1
    return (1 + (BINS * below) // n).astype("int8")


def score(df, as_of_day, window):
    df["day"] = df["occurred_at"] // 86400
    recent = df[df["day"] <= as_of_day]
    if window > 0:
        recent = recent[recent["day"] > as_of_day - window]
    table = recent.groupby("customer_id", sort=False).agg(
        last=("day", "max"), frequency=("day", "size"), monetary=("amount_minor", "sum"))
    table["recency_days"] = as_of_day - table["last"]
    table["monetary"] = table["monetary"] / 100.0
    n = len(table)
    table["r"] = tie_stable(table["recency_days"], n, ascending=False)
    table["f"] = tie_stable(table["frequency"], n)
    table["m"] = tie_stable(table["monetary"], n)
    r, f = table["r"].to_numpy(), table["f"].to_numpy()
    conditions = [(r >= lo_r) & (r <= hi_r) & (f >= lo_f) & (f <= hi_f)
                  for _, (lo_r, hi_r), (lo_f, hi_f) in RULES]
    table["segment"] = np.select(conditions, [name for name, _, _ in RULES], default="")
    return table.drop(columns="last")


def main():
    path, as_of_text, window = sys.argv[1], sys.argv[2], int(sys.argv[3])
    as_of_day = int(pd.Timestamp(as_of_text).value // 86_400_000_000_000)
    con = sqlite3.connect(path)

    start = time.perf_counter()
    df = pd.read_sql_query(
        "SELECT customer_id, occurred_at, amount_minor FROM interactions "
        "WHERE kind = 'purchase' AND amount_minor IS NOT NULL", con)
    read = time.perf_counter() - start

    start = time.perf_counter()
    table = score(df, as_of_day, window)
    scored = time.perf_counter() - start

    start = time.perf_counter()
    with con:
        table.to_sql("pandas_rfm", con, if_exists="replace", index=True)
    write = time.perf_counter() - start
    con.close()

    print(f"rows={len(df)}")
    print(f"read_s={read:.3f}")
    print(f"score_s={scored:.3f}")
    print(f"write_s={write:.3f}")
    print(f"scored={len(table)}")
    for col in ("r", "f", "m", "frequency"):
        print(f"sum_{col}={int(table[col].sum())}")
    for name, count in table["segment"].value_counts().sort_index().items():
        print(f"segment.{name or '(no rule)'}={count}")


if __name__ == "__main__":
    main()
