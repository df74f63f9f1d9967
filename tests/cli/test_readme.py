"""The README's commands, run as written: every `crm` line of its shell
blocks in one scratch directory, with the freshly built `crm` first on the
PATH, each checked for its exit status and the values it reports. Also the
sample data they rely on: customer 97 duplicates 42, `sample purchases`
agrees with `sample interactions`, and the lifetime-value fit on it."""
import csv
import json
import math
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import CRM

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def shell_blocks(text):
    """The ```sh blocks of a Markdown text, each as its list of lines."""
    return [b.splitlines() for b in re.findall(r"```sh\n(.*?)```", text, re.S)]


def everyday_lines():
    section = README.read_text(encoding="utf-8").split("## Everyday commands", 1)[1]
    [block, *_] = shell_blocks(section)
    return [l for l in block if l.strip()]


def shell_env():
    env = {k: v for k, v in os.environ.items() if k != "CRM_DB"}
    env["PATH"] = str(Path(CRM).resolve().parent) + os.pathsep + env.get("PATH", "")
    env["CRM_PLUGIN_PATH"] = ""
    return env


def sh(line, cwd, **kw):
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=shell_env(), capture_output=True,
                          text=True, timeout=120, **kw)


def crm_json(cwd, *args):
    p = subprocess.run([CRM, "--format", "json", *args], cwd=cwd, env=shell_env(),
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run_watch(line, cwd):
    """A long-running line: it must still be running after two seconds and
    stop cleanly on Ctrl-C."""
    p = subprocess.Popen(["bash", "-c", "exec " + line], cwd=cwd, env=shell_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        assert p.poll() is None, p.communicate()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, out, err


def test_everyday_commands_run_as_written(tmp_path):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    lines = everyday_lines()
    assert lines[0].startswith("crm init") and len(lines) >= 20
    out = {}
    for line in lines:
        assert line.startswith("crm "), line
        command = line.split("#", 1)[0].strip()
        if "--watch" in command:
            code, stdout, stderr = run_watch(line.split("#", 1)[0], tmp_path)
            assert code in (0, -signal.SIGINT, 130), (line, code, stderr)
            out[command] = stdout
            continue
        p = sh(line, tmp_path)
        assert p.returncode == 0, f"{line}\n{p.stderr}"
        assert p.stderr == "", f"{line}\n{p.stderr}"
        out[command] = p.stdout

    def said(prefix):
        [text] = [t for c, t in out.items() if c.startswith(prefix)]
        return text

    assert said("crm init") == "database crm.db ready (kernel schema v8)\n"
    customers = read_csv(tmp_path / "customers.csv")
    interactions = read_csv(tmp_path / "interactions.csv")
    purchases = read_csv(tmp_path / "purchases.csv")
    bought = [r for r in interactions if r["kind"] == "purchase"]
    assert len(customers) == 1000
    assert said("crm sample customers") == "wrote 1000 customers to customers.csv\n"
    assert said("crm sample interactions") == \
        f"wrote {len(interactions)} interactions to interactions.csv\n"
    assert said("crm sample purchases") == f"wrote {len(bought)} purchases to purchases.csv\n"
    assert len(purchases) == len(bought) > 1000
    # The sample's `city` column is a custom attribute: the import says so, once.
    assert said("crm import customers") == (
        "customers.csv:1: warning: unknown column 'city', kept as a custom attribute\n"
        "customers.csv: read 1000, inserted 1000, updated 0, skipped 0\n")
    assert said("crm import interactions") == (f"interactions.csv: read {len(interactions)}, "
                                                f"inserted {len(interactions)}, updated 0, skipped 0\n")
    listed = said("crm customers list --owner alice")
    alice = [l for l in listed.splitlines() if re.match(r"\d+ +C\d{6} ", l)]
    owned = [str(i + 1) for i, r in enumerate(customers) if r["owner"] == "alice"]
    assert [l.split()[0] for l in alice] == owned[:50] and all(" alice " in l for l in alice)
    assert listed.splitlines()[-1] == "showing 50 of 250 customers matching; --limit/--offset for more"  # the default --limit

    c42, c97 = customers[41], customers[96]
    assert said("crm customers show 42").startswith(f"Customer 42: {c42['name']} (")
    dups = said("crm customers duplicates")
    assert re.search(rf"^email +{re.escape(c42['email'])} +42, 97$", dups, re.M), dups
    assert re.search(r"^phone +\d+ +42, 97$", dups, re.M), dups
    assert said("crm customers merge 42 97") == "merged customer 97 into 42\n"
    moved = sum(1 for r in interactions if r["external_id"] in ("C000042", "C000097"))
    timeline = crm_json(tmp_path, "customers", "show", "42")["timeline"]
    # (and the complaint the README records later)
    assert sum(1 for e in timeline if e["type"] == "interaction") == moved + 1
    assert c97["email"] == c42["email"].upper()

    owned_by_alice = sum(1 for i in range(1000) if customers[i]["owner"] == "alice" and i != 96)
    assert said("crm customers reassign").startswith(f"handed {owned_by_alice} customers ")
    plugins = json.loads(said("crm --format json plugins list"))
    assert {p["name"]: p["status"] for p in plugins}.get("retention") == "started"
    assert said("crm workflows install") == "installed workflow complaint_handling version 1\n"
    assert said("crm workflows export").startswith(
        'flowchart TD\n  n0(["on interaction.recorded<br/>if (event.payload.kind = complaint)')

    # The complaint started the workflow: support's task names the customer
    # and the channel, no placeholder left empty; a day later it escalated.
    tasks = said("crm tasks list")
    assert f"Answer the phone complaint of {c42['name']}" in tasks, tasks
    assert re.search(r"^timers due by \S+: fired 1, failed 0, without handler 0$",
                     said("crm run-due --now"), re.M)
    after = crm_json(tmp_path, "tasks", "list", "--customer", "42")
    titles = sorted(t["title"] for t in after)
    assert titles == [f"Answer the phone complaint of {c42['name']}",
                      f"ESCALATED: phone complaint of {c42['name']}"]
    assert [t["owner"] for t in sorted(after, key=lambda t: t["title"])] == ["support", "supervisor"]

    rfm = said("crm segment rfm")
    scored = int(re.match(r"RFM as of 2026-01-01 \((\d+) customers scored", rfm).group(1))
    buyers = {r["external_id"] for r in bought} - {"C000097"}
    assert scored == len(buyers)
    assert re.search(r"^BG/NBD on \d+ customers \(purchases.csv\): r=", said("crm clv fit"), re.M)


def test_every_crm_line_of_the_readme_is_run():
    """The test above runs the Everyday block; no other block of the README
    holds a `crm` line it would miss (the demo is tested in test_demo.py)."""
    everyday = everyday_lines()
    for block in shell_blocks(README.read_text(encoding="utf-8")):
        for line in block:
            if line.startswith("crm "):
                assert line in everyday, line


def test_readme_build_commands_use_the_presets():
    presets = json.loads((ROOT / "CMakePresets.json").read_text())
    configure = {p["name"]: p for p in presets["configurePresets"]}
    demo = configure["demo"]["cacheVariables"]
    assert (demo["CRM_BUILD_TESTS"], demo["CRM_BUILD_BENCH"], demo["CMAKE_BUILD_TYPE"]) == \
        ("OFF", "OFF", "Release")
    assert "CRM_BUILD_TESTS" not in configure["default"]["cacheVariables"]  # tests on
    assert {b["name"] for b in presets["buildPresets"]} >= {"default", "demo"}
    blocks = ["\n".join(b) for b in shell_blocks(README.read_text(encoding="utf-8"))]
    run_demo = next(b for b in blocks if " demo --reset" in b)
    binary_dir = configure["demo"]["binaryDir"].replace("${sourceDir}/", "")
    assert "cmake --preset demo && cmake --build --preset demo && " \
        f"{binary_dir}/bin/crm --db /tmp/crm-demo.db demo --reset" in run_demo
    run_tests = next(b for b in blocks if "ctest" in b)
    assert "cmake --preset default && cmake --build --preset default && ctest --preset default" \
        in run_tests


def test_sample_customer_97_is_42_entered_again(tmp_path):
    assert sh("crm sample customers --count 200 --out c.csv", tmp_path).returncode == 0
    rows = read_csv(tmp_path / "c.csv")
    c42, c97, c139, c194 = rows[41], rows[96], rows[138], rows[193]
    first, last = c42["name"].split(" ")
    assert c97["name"] == f"{last}, {first}"
    assert c97["email"] == c42["email"].upper() != c42["email"]
    assert re.sub(r"\D", "", c97["phone"]).lstrip("0") == re.sub(r"\D", "", c42["phone"])
    assert c97["phone"] != c42["phone"]
    assert c194["email"] == c139["email"].upper()
    # Every other customer has an e-mail of its own.
    emails = [r["email"].lower() for r in rows]
    assert len(set(emails)) == len(rows) - 2
    # Deterministic: the same seed, the same file; another seed, other people.
    assert sh("crm sample customers --count 200 --out again.csv", tmp_path).returncode == 0
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
    assert sh("crm sample customers --count 200 --seed 7 --out other.csv", tmp_path).returncode == 0
    assert read_csv(tmp_path / "other.csv")[41]["name"] != c42["name"]


def test_sample_purchases_are_the_purchases_of_the_interactions(tmp_path):
    for kind in ("interactions", "purchases"):
        p = sh(f"crm sample {kind} --count 300 --seed 9 --out {kind}.csv", tmp_path)
        assert p.returncode == 0, p.stderr
    interactions = read_csv(tmp_path / "interactions.csv")
    expected = [{"customer_id": r["external_id"], "date": r["occurred_at"][:10],
                 "amount": r["amount"]} for r in interactions if r["kind"] == "purchase"]
    assert read_csv(tmp_path / "purchases.csv") == expected
    assert min(r["date"] for r in expected) >= "2024-01-01"
    assert max(r["date"] for r in expected) <= "2025-12-31"
    assert len({r["customer_id"] for r in expected}) < 300  # some never buy
    # --count and --seed are honoured.
    sh("crm sample purchases --count 300 --seed 10 --out other.csv", tmp_path)
    assert read_csv(tmp_path / "other.csv") != expected
    sh("crm sample purchases --count 30 --seed 9 --out few.csv", tmp_path)
    assert read_csv(tmp_path / "few.csv") == [r for r in expected if r["customer_id"] <= "C000030"]
    bad = sh("crm sample purchases --count -3", tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "crm: error: --count must be 0 or more, got -3"


def test_clv_fit_on_the_sample_purchases(tmp_path):
    """The fit the README runs: finite parameters near those the sample was
    drawn with (rate r/alpha = 0.1 a week, dropout a/(a+b) = 0.21), and the
    same fit whether read from purchases.csv or from the imported store."""
    for kind in ("customers", "interactions", "purchases"):
        assert sh(f"crm sample {kind} --count 1000 --out {kind}.csv", tmp_path).returncode == 0
    from_file = crm_json(tmp_path, "clv", "fit", "--transactions", "purchases.csv",
                         "--calibration-end", "2025-06-30")
    bg, gg = from_file["bgnbd"], from_file["gamma_gamma"]
    for v in (bg["r"], bg["alpha"], bg["a"], bg["b"], gg["p"], gg["q"], gg["v"]):
        assert math.isfinite(v) and v > 0, from_file
    assert 0.05 < bg["r"] / bg["alpha"] < 0.2, bg
    assert 0.08 < bg["a"] / (bg["a"] + bg["b"]) < 0.4, bg
    assert from_file["repeat_buyers"] > 200

    db = str(tmp_path / "store.db")
    for args in (["init"], ["import", "customers", "customers.csv"],
                 ["import", "interactions", "interactions.csv"]):
        assert subprocess.run([CRM, "--db", db, *args], cwd=tmp_path, env=shell_env(),
                              capture_output=True).returncode == 0
    from_store = crm_json(tmp_path, "--db", db, "clv", "fit", "--calibration-end", "2025-06-30")
    assert from_store["customers"] == from_file["customers"]
    for k in ("r", "alpha", "a", "b"):
        assert math.isclose(from_store["bgnbd"][k], bg[k], rel_tol=1e-6), (k, from_store, bg)


def test_an_imported_complaint_starts_complaint_handling(crm):
    """Recording a complaint starts the README's workflow, whether imported
    or added: a task with the channel and the customer's name, none for a
    call, none for a lost customer; a day later the escalation."""
    crm.run("workflows", "install", str(ROOT / "examples" / "workflows" / "complaint_handling.json"))
    crm.run("import", "customers", crm.write("c.csv", "external_id,name,stage\n"
                                                      "K1,Karl Berg,customer\n"
                                                      "K2,Lena Ito,lost\n"
                                                      "K3,Omar Wang,customer\n"))
    crm.run("import", "interactions",
            crm.write("i.csv", "external_id,occurred_at,channel,kind,notes\n"
                               "K1,2026-01-12T14:30:00Z,email,complaint,late delivery\n"
                               "K2,2026-01-12T15:00:00Z,phone,complaint,rude agent\n"
                               "K3,2026-01-12T16:00:00Z,phone,call,order status\n"))
    tasks = crm.json("tasks", "list")
    assert [(t["customer_id"], t["title"], t["owner"]) for t in tasks] == [
        (1, "Answer the email complaint of Karl Berg", "support")]
    assert "{{" not in tasks[0]["title"]
    crm.run("interactions", "add", "--customer", "3", "--channel", "chat", "--kind", "complaint")
    [task] = crm.json("tasks", "list", "--customer", "3")
    assert task["title"] == "Answer the chat complaint of Omar Wang"
    due = task["due_at"]
    p = crm.run("run-due", "--now", due)  # at the deadline: late, escalated
    assert "fired 2, failed 0" in p.stdout, p.stdout
    titles = sorted(t["title"] for t in crm.json("tasks", "list") if t["owner"] == "supervisor")
    assert titles == ["ESCALATED: chat complaint of Omar Wang",
                      "ESCALATED: email complaint of Karl Berg"]
