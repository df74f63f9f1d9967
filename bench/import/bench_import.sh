#!/usr/bin/env bash
# Import N customers from one CSV file with `crm import customers` and with the
# sqlite3 shell's `.import` into a table of the same columns, RUNS times each,
# side by side (crm, then the shell, into fresh databases every run); print
# every run, the medians, rows/s and the median of the per-run ratios, with
# the build's flags.
# Usage: bench/import/bench_import.sh [BUILD_DIR] [ROWS] [RUNS]
set -euo pipefail
build=${1:-build}
rows=${2:-1000000}
runs=${3:-3}
crm="$build/bin/crm"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/crm-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing: apt-get install sqlite3" >&2; exit 1; }
[ -x "$crm" ] || { echo "$crm not found: build the crm target first" >&2; exit 1; }
[ "$runs" -ge 1 ] 2>/dev/null || { echo "RUNS must be a positive integer, got '$runs'" >&2; exit 1; }

"$here/../build_info.sh" "$build"
"$crm" sample customers --count "$rows" --out "$work/customers.csv" >/dev/null
header=$(head -1 "$work/customers.csv")
cols=$(echo "$header" | sed 's/,/ TEXT, /g; s/$/ TEXT/')

now() { date +%s.%N; }
# Median of the numbers given as arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ours_all=() shell_all=() ratio_all=()
for run in $(seq 1 "$runs"); do
  rm -f "$work"/crm.db* "$work"/shell.db*
  "$crm" --db "$work/crm.db" init >/dev/null
  t0=$(now)
  "$crm" --db "$work/crm.db" import customers "$work/customers.csv" >/dev/null
  t1=$(now)
  ours=$(echo "$t1 - $t0" | bc -l)

  t0=$(now)
  sqlite3 "$work/shell.db" <<SQL >/dev/null
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE customers ($cols);
.mode csv
.import --skip 1 $work/customers.csv customers
SQL
  t1=$(now)
  shell=$(echo "$t1 - $t0" | bc -l)

  check=$(sqlite3 "$work/crm.db" "SELECT COUNT(*) FROM customers")
  [ "$check" = "$rows" ] || { echo "crm imported $check rows, expected $rows" >&2; exit 1; }
  check=$(sqlite3 "$work/shell.db" "SELECT COUNT(*) FROM customers")
  [ "$check" = "$rows" ] || { echo "sqlite3 imported $check rows, expected $rows" >&2; exit 1; }
  ratio=$(echo "$ours / $shell" | bc -l)
  printf 'run %d: crm %.2f s, sqlite3 %.2f s, ratio %.2f\n' "$run" "$ours" "$shell" "$ratio"
  ours_all+=("$ours") shell_all+=("$shell") ratio_all+=("$ratio")
done

ours=$(median "${ours_all[@]}")
shell=$(median "${shell_all[@]}")
printf 'rows                     %d, median of %d runs\n' "$rows" "$runs"
printf 'crm import customers     %8.2f s  %10.0f rows/s  (validates, normalises, indexes 4 keys, audits each row)\n' "$ours" "$(echo "$rows / $ours" | bc -l)"
printf 'sqlite3 .import          %8.2f s  %10.0f rows/s  (text columns, no index, no checks)\n' "$shell" "$(echo "$rows / $shell" | bc -l)"
printf 'ratio crm/sqlite3 time   %8.2f  (median of the per-run ratios)\n' "$(median "${ratio_all[@]}")"
