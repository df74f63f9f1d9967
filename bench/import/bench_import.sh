#!/usr/bin/env bash
# Import N customers from one CSV file with `crm import customers` and with the
# sqlite3 shell's `.import` into a table of the same columns; print rows/s
# and the ratio. Usage: bench/import/bench_import.sh [BUILD_DIR] [ROWS]
set -euo pipefail
build=${1:-build}
rows=${2:-1000000}
crm="$build/bin/crm"
work=$(mktemp -d /tmp/crm-bench-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing: apt-get install sqlite3" >&2; exit 1; }

"$crm" sample customers --count "$rows" --out "$work/customers.csv" >/dev/null
header=$(head -1 "$work/customers.csv")
cols=$(echo "$header" | sed 's/,/ TEXT, /g; s/$/ TEXT/')

now() { date +%s.%N; }

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
printf 'rows                     %d\n' "$rows"
printf 'crm import customers     %8.2f s  %10.0f rows/s  (validates, normalises, indexes 4 keys, audits each row)\n' "$ours" "$(echo "$rows / $ours" | bc -l)"
printf 'sqlite3 .import          %8.2f s  %10.0f rows/s  (text columns, no index, no checks)\n' "$shell" "$(echo "$rows / $shell" | bc -l)"
printf 'ratio crm/sqlite3 time   %8.2f\n' "$(echo "$ours / $shell" | bc -l)"
