#!/usr/bin/env bash
# Installs the SDK into a scratch prefix, builds a copy of
# examples/plugin-template against it by running the template README's
# commands as written (with the scratch prefix for /opt/crm), and checks that
# the build is optimised, that the installed `crm` finds its bundled plugins
# without flags, that `cmake --install` of the plugin puts it where that
# `crm` finds it, and that the plugin and its workflow action work.
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
crm="$work/prefix/bin/crm"
ls "$work"/prefix/lib/crm/plugins/*.so >/dev/null || { echo "no bundled plugin installed" >&2; exit 1; }

# The template holds no SQL on the kernel's tables: it uses the repositories.
if grep -nEi '\b(select|insert|update|delete)\b.*\b(from|into|set)\b|query_each|execute\(' \
    "$src"/examples/plugin-template/*.cpp; then
  echo "the plugin template runs SQL; it should use the repositories" >&2
  exit 1
fi

cp -r "$src/examples/plugin-template" "$work/template"
/usr/bin/python3 - "$work" <<'PY'
import re, subprocess, sys
work = sys.argv[1]
readme = open(work + "/template/README.md", encoding="utf-8").read()
[block] = re.findall(r"```sh\n(.*?)```", readme, re.S)
lines = [l for l in block.splitlines() if l.strip()]
assert any(" init" in l for l in lines) and any("cmake --install" in l for l in lines), lines
for line in lines:
    line = line.replace("/opt/crm", work + "/prefix").replace("/tmp/birthdays.db", work + "/readme.db")
    p = subprocess.run(["bash", "-c", line], cwd=work + "/template", capture_output=True, text=True)
    assert p.returncode == 0, (line, p.stdout, p.stderr)
    if "birthdays upcoming" in line:
        assert p.stdout.startswith("ID  NAME  BIRTHDAY  IN DAYS"), (line, p.stdout)
cache = open(work + "/template/build/CMakeCache.txt").read()
assert "CMAKE_BUILD_TYPE:STRING=Release" in cache, "the template does not build Release by default"
PY
installed="$work/prefix/lib/crm/plugins/crm_birthdays.so"
[ -f "$installed" ] || { echo "cmake --install of the plugin did not put it in $installed" >&2; exit 1; }

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
# Installed, the plugin is found without --plugin-dir, beside the bundled ones.
plugins = run("plugins", "list")
by_name = {p["name"]: p for p in plugins}
assert by_name["birthdays"]["path"] == work + "/prefix/lib/crm/plugins/crm_birthdays.so", plugins
bundled = [p for p in plugins if p["name"] != "birthdays"]
assert "retention" in {p["name"] for p in bundled}, plugins
for p in plugins:
    assert p["path"].startswith(work + "/prefix/lib/crm/plugins/"), p
    assert p["status"] == "started", p
# --plugin-dir comes first: the build tree's copy wins, the installed one is a duplicate.
plugins = run("--plugin-dir", work + "/template/build", "plugins", "list")
mine = [p for p in plugins if p["name"] == "birthdays"]
assert [p["status"] for p in mine] == ["started", "duplicate"], mine
assert mine[0]["path"].startswith(work + "/template/build/"), mine
services = run("services", "list")
assert services == [{"name": "care.birthday_calendar", "type": "care::BirthdayCalendar",
                     "provider": "birthdays"}], services
bad = subprocess.run([crm, "--db", "t.db", "birthdays", "upcoming", "--days", "ten"], cwd=work,
                     capture_output=True, text=True)
assert bad.returncode != 0, bad
assert bad.stderr == ("crm: error: 'birthdays upcoming': --days must be of type integer, "
                      "got 'ten'\n"), bad.stderr
up = run("birthdays", "upcoming", "--days", "0")
assert [c["name"] for c in up] == ["Ada Lovelace"], up
assert up[0]["in_days"] == 0, up
up = run("birthdays", "upcoming", "--days", "40")
assert [(c["name"], c["in_days"]) for c in up] == [("Ada Lovelace", 0), ("Alan Turing", 40)], up
# The plugin's workflow action, called by a workflow: only Ada is greeted.
with open(work + "/greet.json", "w") as f:
    json.dump({"name": "greet", "allow_parallel": True, "steps": [
        {"type": "action", "action": "birthdays.days_until", "save_as": "birthday"},
        {"type": "branch", "condition": {"field": "vars.birthday.in_days", "op": "eq", "value": 0},
         "then": [{"type": "action", "action": "add_tag", "params": {"tag": "birthday-today"}}]}]}, f)
subprocess.check_call([crm, "--db", "t.db", "workflows", "install", work + "/greet.json"], cwd=work,
                      stdout=subprocess.DEVNULL)
for customer in ("1", "2"):
    inst = run("workflows", "start", "greet", "--customer", customer)
    assert inst["state"] == "completed", inst
    assert (inst["variables"]["birthday"]["in_days"] == 0) == (customer == "1"), inst
tags = {c["name"]: c["tags"] for c in run("customers", "list")}
assert tags == {"Ada Lovelace": ["birthday-today"], "Alan Turing": []}, tags
print("out-of-tree plugin ok; bundled plugins:", sorted(p["name"] for p in bundled))
PY

# The installed demo finds the installed README plugin and names the installed crm.
"$crm" --db "$work/demo.db" demo --customers 100 > demo.out
grep -q "^complaint_follow_up .* started " demo.out || { echo "demo: README plugin not started" >&2; exit 1; }
grep -q "^\$ $crm --db $work/demo.db --plugin-dir $work/prefix/lib/crm/examples customers show 8\$" demo.out ||
  { echo "demo: printed commands do not name the installed crm and plugin directory" >&2; exit 1; }
grep -q "Call back about the complaint" demo.out || { echo "demo: no task of the README plugin" >&2; exit 1; }
