#!/usr/bin/env bash
# Installs the SDK into a scratch prefix, builds examples/plugin-template
# against it as an outside project would, and checks that the installed `crm`
# finds its bundled plugins without flags and loads the new plugin.
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples/plugin-template" -B "$work/template" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/template" >/dev/null
crm="$work/prefix/bin/crm"
cd "$work"
"$crm" --db t.db init >/dev/null
today=$(date -u +%m-%d)
printf 'external_id,name,birthday\nX1,Ada Lovelace,1990-%s\nX2,Alan Turing,1990-01-01\n' "$today" > c.csv
"$crm" --db t.db import customers c.csv >/dev/null
/usr/bin/python3 - "$crm" "$work" <<'PY'
import json, subprocess, sys
crm, work = sys.argv[1], sys.argv[2]
def run(*args):
    return json.loads(subprocess.check_output([crm, "--db", "t.db", "--format", "json", *args], cwd=work))
plugins = run("--plugin-dir", work + "/template", "plugins", "list")
mine = [p for p in plugins if p["name"] == "birthdays"]
assert mine and mine[0]["status"] == "started", plugins
bundled = [p for p in plugins if p["name"] != "birthdays"]
for p in bundled:
    assert p["path"].startswith(work + "/prefix/lib"), p
    assert p["status"] == "started", p
up = run("--plugin-dir", work + "/template", "birthdays", "upcoming", "--days", "0")
assert [c["name"] for c in up] == ["Ada Lovelace"], up
assert up[0]["in_days"] == 0, up
print("out-of-tree plugin ok; bundled plugins:", sorted(p["name"] for p in bundled))
PY
