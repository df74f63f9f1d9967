#!/usr/bin/env bash
# Runs rfm_duckdb.mjs, first installing its one dependency (@duckdb/node-api,
# version pinned in package.json / package-lock.json) into node_modules/ here
# if it is missing. Needs node (>= 18) and npm.
# Usage: bench/retention/duckdb/rfm_duckdb.sh PURCHASES.csv AS_OF WINDOW_DAYS SAMPLE_KEYS.txt
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
  command -v npm >/dev/null || { echo "rfm_duckdb.sh: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }
  echo "rfm_duckdb.sh: installing @duckdb/node-api into $here/node_modules" >&2
  (cd "$here" && npm ci --no-audit --no-fund >&2)
fi
exec node "$here/rfm_duckdb.mjs" "$@"
