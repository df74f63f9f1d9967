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
later=$(date -u -d "+40 days" +%m-%d)  # never today (1992: a leap year, for 29 February)
printf 'external_id,name,birthday\nX1,Ada Lovelace,1992-%s\nX2,Alan Turing,1992-%s\n' "$today" "$later" > c.csv
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
assert "retention" in [p["name"] for p in bundled], plugins  # the loop below checks nothing without it
for p in bundled:
    assert p["path"].startswith(work + "/prefix/lib"), p
    assert p["status"] == "started", p
up = run("--plugin-dir", work + "/template", "birthdays", "upcoming", "--days", "0")
assert [c["name"] for c in up] == ["Ada Lovelace"], up
assert up[0]["in_days"] == 0, up
# The plugin's workflow action, called by a workflow: only Ada is greeted.
with open(work + "/greet.json", "w") as f:
    json.dump({"name": "greet", "allow_parallel": True, "steps": [
        {"type": "action", "action": "birthdays.days_until", "save_as": "birthday"},
        {"type": "branch", "condition": {"field": "vars.birthday.in_days", "op": "eq", "value": 0},
         "then": [{"type": "action", "action": "add_tag", "params": {"tag": "birthday-today"}}]}]}, f)
subprocess.check_call([crm, "--db", "t.db", "--plugin-dir", work + "/template", "workflows", "install",
                       work + "/greet.json"], cwd=work, stdout=subprocess.DEVNULL)
for customer in ("1", "2"):
    inst = run("--plugin-dir", work + "/template", "workflows", "start", "greet", "--customer", customer)
    assert inst["state"] == "completed", inst
    assert (inst["variables"]["birthday"]["in_days"] == 0) == (customer == "1"), inst
tags = {c["name"]: c["tags"] for c in run("customers", "list")}
assert tags == {"Ada Lovelace": ["birthday-today"], "Alan Turing": []}, tags
print("out-of-tree plugin ok; bundled plugins:", sorted(p["name"] for p in bundled))
PY
