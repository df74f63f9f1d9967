#!/usr/bin/env bash
# `crm segment rfm` end to end on one SQLite file, beside pandas and DuckDB
# doing the same scoring of the same purchases, RUNS times; prints every run,
# the medians and the median of the per-run ratios, with the build's flags.
#
# Usage: bench/retention/bench_segment_rfm.sh [BUILD_DIR] [CUSTOMERS] [PURCHASES] [RUNS]
#        (defaults: build 1000000 10000000 3)
#
# The data set (`crm sample customers`, then PURCHASES purchases of them from
# make_purchases.py, both imported by `crm import`) takes minutes to build, so
# it is kept in $CRM_BENCH_WORK (default /tmp/crm-bench-segment) and reused
# while its inputs are the same. Every timed run starts from a copy of it.
#
# Timed, each as a whole process on a copy of the file:
#   crm dry run   `crm segment rfm --as-of 2023-12-31 --window 365 --dry-run`
#                 (read the purchases, score, report; writes nothing)
#   crm first     the same without --dry-run on a file never scored: every
#                 scored customer gets a segment, each change audited and
#                 published, the scores and the history stored, in one
#                 transaction
#   crm again     the same command once more (the scores rewritten, no change)
#   pandas        rfm_sqlite_pandas.py: read_sql_query, groupby + tie-stable
#                 quintiles + segment rules, to_sql of the score table
#   DuckDB        duckdb/rfm_duckdb.mjs on the same purchases exported to CSV
#                 (DuckDB's SQLite reader is an extension it downloads on
#                 first use, which this machine cannot; the export is not
#                 timed): read_csv into a table, then the RFM query
# Every side must report the same segment counts (crm and pandas) and the
# same score sums (crm's stored table, pandas and DuckDB), or the run fails.
set -euo pipefail
build=${1:-build}
customers=${2:-1000000}
purchases=${3:-10000000}
runs=${4:-3}
as_of=2023-12-31
window=365
crm="$build/bin/crm"
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
work=${CRM_BENCH_WORK:-/tmp/crm-bench-segment}
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing: apt-get install sqlite3" >&2; exit 1; }
[ -x "$crm" ] || { echo "$crm not found: build the crm target first" >&2; exit 1; }
$py -c 'import pandas' 2>/dev/null || { echo "pandas missing: apt-get install python3-pandas" >&2; exit 1; }
mkdir -p "$work"

"$here/../build_info.sh" "$build"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

base="$work/base-$customers-$purchases.db"
if [ ! -f "$base" ]; then
  echo "building the data set in $work (once; minutes)"
  rm -f "$work"/base-* "$work"/*.csv
  "$crm" sample customers --count "$customers" --out "$work/customers.csv" --force >/dev/null
  $py "$here/make_purchases.py" "$work/customers.csv" "$purchases" "$work/purchases.csv"
  "$crm" --db "$base.tmp" init >/dev/null
  "$crm" --db "$base.tmp" import customers "$work/customers.csv" >/dev/null
  t0=$(date +%s.%N)
  "$crm" --db "$base.tmp" import interactions "$work/purchases.csv" >/dev/null
  echo "imported $purchases purchases in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-6) s"
  sqlite3 "$base.tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  sqlite3 -csv -header "$base.tmp" \
    "SELECT customer_id, date(occurred_at, 'unixepoch') AS date, amount_minor / 100.0 AS amount
     FROM interactions WHERE kind = 'purchase' AND amount_minor IS NOT NULL" >"$work/export.csv"
  mv "$base.tmp" "$base"
  rm -f "$base.tmp"-* "$work/purchases.csv"
fi
: >"$work/no-keys.txt"
# A data set made by an older build gets this build's migrations now, not
# inside the first timed run.
"$crm" --db "$base" init >/dev/null

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
value() { sed -n "s/^$1=//p" "$2"; }
# "name=count" lines of the SEGMENT / CUSTOMERS table crm prints, sorted.
crm_segments() { awk 'NR > 2 && NF == 2 { print $1 "=" $2 }' "$1" | sort; }
pandas_segments() { sed -n 's/^segment\.//p' "$1" | sort; }
fresh() { rm -f "$work"/run.db*; cp "$base" "$work/run.db"; }
rfm() { "$crm" --db "$work/run.db" segment rfm --as-of "$as_of" --window "$window" "$@"; }

declare -a dry first again pd_read pd_score pd_write pd_total duck_read duck_compute
for run in $(seq 1 "$runs"); do
  fresh
  t=$(now); rfm --dry-run >"$work/dry.txt"; dry+=("$(elapsed "$t")")
  t=$(now); rfm >"$work/first.txt"; first+=("$(elapsed "$t")")
  t=$(now); rfm >"$work/again.txt"; again+=("$(elapsed "$t")")
  grep -q " 0 changed segment" "$work/again.txt" || { echo "the second run changed segments" >&2; exit 1; }
  sums=$(sqlite3 "$work/run.db" "SELECT count(*) || ' ' || sum(r) || ' ' || sum(f) || ' ' || sum(m) || ' ' || sum(frequency)
                                 FROM retention_rfm WHERE as_of = '$as_of'")

  fresh
  $py "$here/rfm_sqlite_pandas.py" "$work/run.db" "$as_of" "$window" >"$work/pandas.txt"
  pd_read+=("$(value read_s "$work/pandas.txt")")
  pd_score+=("$(value score_s "$work/pandas.txt")")
  pd_write+=("$(value write_s "$work/pandas.txt")")
  pd_total+=("$(echo "${pd_read[-1]} + ${pd_score[-1]}" | bc -l)")
  "$here/duckdb/rfm_duckdb.sh" "$work/export.csv" "$as_of" "$window" "$work/no-keys.txt" >"$work/duck.txt"
  duck_read+=("$(value read_seconds "$work/duck.txt")")
  duck_compute+=("$(value compute_seconds "$work/duck.txt")")

  # The same answer on every side.
  diff <(crm_segments "$work/dry.txt") <(pandas_segments "$work/pandas.txt") >/dev/null ||
    { echo "crm and pandas disagree on the segment counts" >&2; diff <(crm_segments "$work/dry.txt") <(pandas_segments "$work/pandas.txt") >&2; exit 1; }
  diff <(crm_segments "$work/dry.txt") <(crm_segments "$work/first.txt") >/dev/null ||
    { echo "the dry run and the run disagree" >&2; exit 1; }
  for side in pandas duck; do
    f="$work/$side.txt"
    theirs="$(value scored "$f")$(value active "$f") $(value sum_r "$f") $(value sum_f "$f") $(value sum_m "$f") $(value sum_frequency "$f")"
    [ "$theirs" = "$sums" ] || { echo "crm's stored scores ($sums) differ from $side's ($theirs)" >&2; exit 1; }
  done

  printf 'run %d: crm dry run %.2f s, first %.2f s, again %.2f s | pandas read %.2f + score %.2f (+ write %.2f) s | DuckDB read %.2f + compute %.2f s\n' \
    "$run" "${dry[-1]}" "${first[-1]}" "${again[-1]}" "${pd_read[-1]}" "${pd_score[-1]}" "${pd_write[-1]}" "${duck_read[-1]}" "${duck_compute[-1]}"
done

ratio() { # median over the runs of ${!1}[i] / ${!2}[i]
  local -n a=$1 b=$2
  local r=() i
  for i in "${!a[@]}"; do r+=("$(echo "${a[$i]} / ${b[$i]}" | bc -l)"); done
  median "${r[@]}"
}
pd_all=()
for i in "${!pd_total[@]}"; do pd_all+=("$(echo "${pd_total[$i]} + ${pd_write[$i]}" | bc -l)"); done
echo "scored: $(echo "$sums" | cut -d' ' -f1) customers; $(value rows "$work/pandas.txt") purchases read"
printf 'medians of %d runs: crm dry run %.2f s, first %.2f s, again %.2f s; pandas read %.2f, score %.2f, write %.2f s; DuckDB read %.2f, compute %.2f s\n' \
  "$runs" "$(median "${dry[@]}")" "$(median "${first[@]}")" "$(median "${again[@]}")" "$(median "${pd_read[@]}")" \
  "$(median "${pd_score[@]}")" "$(median "${pd_write[@]}")" "$(median "${duck_read[@]}")" "$(median "${duck_compute[@]}")"
printf 'pandas read+score / crm first run: %.1f; / crm dry run: %.1f; pandas read+score+write / crm first: %.1f\n' \
  "$(ratio pd_total first)" "$(ratio pd_total dry)" "$(ratio pd_all first)"
