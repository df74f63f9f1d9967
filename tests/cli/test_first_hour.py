"""The first hour with `crm`: mistyped commands, CSV column typos, and the
error contract (stderr, exit status, configuration errors, no nan/inf,
non-negative counts, --out without --force, the customers list footer)."""
import json
import pathlib
import re
import subprocess

from conftest import CRM, Crm

ROOT = pathlib.Path(__file__).resolve().parents[2]


def err(p):
    return p.stderr.strip()


# --- command words -------------------------------------------------------

def test_mistyped_first_word_names_it_and_suggests_the_command(crm):
    p = crm.run("custmers", "list", check=False)
    assert p.returncode == 109 and p.stdout == ""
    assert err(p) == "crm: error: unknown command 'custmers'; did you mean 'crm customers'?"


def test_mistyped_second_word_suggests_among_that_level(crm):
    p = crm.run("customers", "lst", check=False)
    assert p.returncode == 109
    assert err(p) == "crm: error: unknown command 'customers lst'; did you mean 'crm customers list'?"
    # The nearest word of the level, not of the whole tree: "shwo" -> show.
    p = crm.run("customers", "shwo", "1", check=False)
    assert err(p).endswith("did you mean 'crm customers show'?")
    p = crm.run("workflows", "instnaces", check=False)
    assert err(p).endswith("did you mean 'crm workflows instances'?")


def test_unknown_word_without_a_near_one_lists_the_level_and_points_at_plugins(crm):
    p = crm.run("frobnicate", check=False)
    assert p.returncode == 109
    line = err(p)
    assert line.startswith("crm: error: unknown command 'frobnicate'; the commands are ")
    assert "customers, demo, import, init" in line
    assert line.endswith("a plugin's command is there only when its plugin is loaded: "
                         "see 'crm plugins list'")
    assert len(line.splitlines()) == 1
    p = crm.run("tasks", "zzz", check=False)
    assert "'crm tasks' has cancel, complete, list" in err(p)


def test_group_without_its_command_names_the_choices(crm):
    p = crm.run("customers", check=False)
    assert p.returncode == 106
    assert err(p) == ("crm: error: 'crm customers' needs one more word, one of: "
                      "duplicates, erase, export, list, merge, reassign, show, tables")
    p = crm.run(check=False)
    assert p.returncode == 106 and err(p).startswith("crm: error: no command given; try 'crm --help'")
    # Help still works on a group.
    assert crm.run("customers", "--help").returncode == 0


def test_command_of_a_plugin_that_did_not_load_points_at_it(crm):
    # A plugin stopped by its configuration: the command names the file, the
    # key and the value, not "unknown command".
    cfg = crm.write("c.json", json.dumps({"plugins": {"retention": {"channel_costs": {"phone": "x"}}}}))
    p = crm.run("--config", cfg, "clv", "fit", check=False)
    assert p.returncode == 1
    last = p.stderr.strip().splitlines()[-1]
    assert last == (f"crm: error: configuration {cfg}: key plugins.retention: plugin 'retention' "
                    "failed: channel_costs: channel costs are configured in the kernel's channel "
                    'catalogue, the configuration\'s top-level "channels" key ({"channels": '
                    '{"visit": {"cost": "5.00 USD"}}})')
    # `plugins list` still runs, so the failure can be looked at.
    listed = {r["name"]: r["status"] for r in crm.json("--config", cfg, "plugins", "list")}
    assert listed["retention"] == "failed"
    # The same command with the plugin loaded is known.
    ok = crm.run("clv", "fit", check=False)
    assert "unknown command" not in ok.stderr


def test_missing_plugin_dir_is_an_error_naming_it(crm, tmp_path):
    p = crm.run("--plugin-dir", str(tmp_path / "nope"), "plugins", "list", check=False)
    assert p.returncode == 1
    assert err(p) == f"crm: error: --plugin-dir {tmp_path / 'nope'}: no such directory"
    f = crm.write("afile", "")
    p = crm.run("--plugin-dir", f, "plugins", "list", check=False)
    assert err(p) == f"crm: error: --plugin-dir {f}: not a directory"


def test_version_prints_the_project_version(tmp_path):
    version = re.search(r"project\(crm VERSION ([0-9.]+)",
                        (ROOT / "CMakeLists.txt").read_text()).group(1)
    p = subprocess.run([CRM, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0
    assert re.fullmatch(rf"crm {re.escape(version)} \(plugin API \d+\.\d+\)\n", p.stdout), p.stdout


# --- CSV import ----------------------------------------------------------

def test_unknown_column_is_warned_once_with_the_nearest_known_one(crm):
    rows = "".join(f"K{i},Name {i},k{i}@example.org,Graz\n" for i in range(5))
    f = crm.write("c.csv", "external_id,name,emial,city\n" + rows)
    p = crm.run("import", "customers", f)
    warnings = [l for l in p.stdout.splitlines() if "warning" in l]
    assert warnings == [
        f"{f}:1: warning: unknown column 'emial', kept as a custom attribute; did you mean 'email'?",
        f"{f}:1: warning: unknown column 'city', kept as a custom attribute"]
    assert f"{f}: read 5, inserted 5, updated 0, skipped 0" in p.stdout
    body = crm.json("import", "customers", "--mode", "upsert", f)
    assert body["unknown_columns"] == [{"column": "emial", "nearest": "email"},
                                       {"column": "city", "nearest": ""}]


def test_interaction_typo_is_warned(crm):
    crm.run("import", "customers", crm.write("c.csv", "external_id,name\nA,Anna\n"))
    f = crm.write("i.csv", "external_id,date,channel,kind,amout\nA,2026-01-02,store,purchase,9.5\n"
                           "A,2026-01-03,store,purchase,3\n")
    p = crm.run("import", "interactions", f)
    assert p.stdout.count("warning") == 1
    assert (f"{f}:1: warning: unknown column 'amout', kept as a payload entry; "
            "did you mean 'amount'?") in p.stdout


def test_strict_refuses_unknown_columns_unless_named(crm):
    f = crm.write("c.csv", "external_id,name,emial,city\nA,Anna,a@x.org,Graz\n")
    p = crm.run("import", "customers", "--strict", f, check=False)
    assert p.returncode == 1
    assert err(p) == (f"crm: error: {f}:1: unknown columns 'emial' (did you mean 'email'?), "
                      "'city': --strict takes only known columns and those named with --attributes")
    assert crm.json("customers", "list") == []
    p = crm.run("import", "customers", "--strict", "--attributes", "emial, City", f)
    assert "warning" not in p.stdout and "inserted 1" in p.stdout
    # --attributes alone silences the warning for the named column only.
    g = crm.write("d.csv", "external_id,name,city,region\nB,Ben,Linz,AT-4\n")
    p = crm.run("import", "customers", "--attributes", "city", g)
    assert [l for l in p.stdout.splitlines() if "warning" in l] == [
        f"{g}:1: warning: unknown column 'region', kept as a custom attribute"]


def test_missing_required_column_is_reported_once(crm):
    crm.run("import", "customers", crm.write("c.csv", "external_id,name\nA,Anna\n"))
    f = crm.write("i.csv", "external_id,channel,kind\n" + "A,store,purchase\n" * 50)
    p = crm.run("import", "interactions", f, check=False)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.strip().splitlines() == [
        f"crm: error: {f}:1: no 'occurred_at' (or 'date') column"]


def test_shown_row_errors_are_capped_with_the_total(crm):
    f = crm.write("c.csv", "external_id,name\nOK,Good\n" + "".join(f"B{i},\n" for i in range(25)))
    p = crm.run("import", "customers", f)
    lines = p.stdout.splitlines()
    errors = [l for l in lines if l.startswith(f"{f}:") and "name is empty" in l]
    assert len(errors) == 20
    assert errors[0].startswith(f"{f}:3:") and errors[-1].startswith(f"{f}:22:")
    assert lines[-1] == "... and 5 more errors (--format json lists the first 25)"
    assert len(crm.json("import", "customers", "--dry-run", "--mode", "upsert", f)["errors"]) == 25


def test_every_row_existing_hints_at_upsert(crm):
    f = crm.write("c.csv", "external_id,name\nA,Anna\nB,Ben\n")
    crm.run("import", "customers", f)
    p = crm.run("import", "customers", f, check=False)
    assert p.returncode == 1 and p.stdout == ""  # a failed command reports on stderr
    lines = p.stderr.strip().splitlines()
    assert lines[0] == f"{f}: read 2, inserted 0, updated 0, skipped 2"
    assert lines[-1] == ("every row names a customer that exists already: "
                         "use --mode upsert (or --mode update) to update them")
    # Not when some rows failed for another reason.
    g = crm.write("d.csv", "external_id,name\nA,Anna\nC,\n")
    p = crm.run("import", "customers", g, check=False)
    assert p.returncode == 1 and "--mode upsert" not in p.stderr
    assert crm.json("import", "customers", "--mode", "upsert", f)["updated"] == 2


# --- error contract ------------------------------------------------------

def test_workflow_start_whose_instance_failed_exits_non_zero(crm):
    crm.write("wf.json", json.dumps({
        "name": "tagger", "steps": [{"type": "action", "action": "add_tag", "params": {"tag": "x"}}]}))
    crm.run("workflows", "install", "wf.json")
    p = crm.run("workflows", "start", "tagger", check=False)
    assert p.returncode == 1 and p.stdout == ""
    assert err(p).splitlines()[-1] == "instance 1 of workflow tagger failed: action 'add_tag' needs a customer"
    j = crm.run("--format", "json", "workflows", "start", "tagger", check=False)
    assert j.returncode == 1 and json.loads(j.stdout)["state"] == "failed"
    crm.run("import", "customers", crm.write("c.csv", "external_id,name\nA,Anna\n"))
    ok = crm.run("workflows", "start", "tagger", "--customer", "1")
    assert ok.returncode == 0 and "(completed)" in ok.stdout


def test_configuration_errors_name_the_file_and_the_key(crm):
    cases = [
        ('{"plugins": {"retention": }', ":1:27: not valid JSON: syntax error while parsing value"),
        ('[1, 2]', ": expected a JSON object, got array"),
        ('{"plugin": {}}', ": unknown key 'plugin' (expected plugins, time_zone, calendar, channels)"),
        ('{"plugins": []}', ": key plugins: expected an object, got array"),
        ('{"plugins": {"retention": 3}}', ": key plugins.retention: expected an object, got number"),
        ('{"plugins": {"retention": {"channel_costs": {"phone": "x"}}}}',
         ": key plugins.retention: plugin 'retention' failed: "
         "channel_costs: channel costs are configured in the kernel's channel catalogue"),
        ('{"channels": {"visit": {"cost": 5}}}',
         ": key channels.visit.cost: expected \"AMOUNT CURRENCY\" (\"0.05 USD\"), got 5"),
        ('{"plugins": {"retention": {"chanel_costs": {}}}}',
         ": key plugins.retention: plugin 'retention' failed: chanel_costs: unknown key"),
        ('{"plugins": {"retention": {"rfm_segments": 5}}}',
         ": key plugins.retention: plugin 'retention' failed: rfm_segments: expected an array"),
    ]
    for text, tail in cases:
        f = crm.write("cfg.json", text)
        p = crm.run("--config", f, "customers", "list", check=False)
        assert p.returncode == 1, text
        last = p.stderr.strip().splitlines()[-1]
        assert last.startswith(f"crm: error: configuration {f}"), (text, p.stderr)
        assert tail in last, (text, last)
        assert "json.exception" not in p.stderr, p.stderr
    p = crm.run("--config", str(crm.workdir / "none.json"), "customers", "list", check=False)
    assert err(p) == f"crm: error: configuration {crm.workdir / 'none.json'}: cannot read the file"
    # A section for a plugin that is not there is a warning with the nearest name.
    f = crm.write("cfg.json", '{"plugins": {"retentoin": {}}}')
    p = crm.run("--config", f, "customers", "list")
    assert err(p) == (f"crm: warning: configuration {f}: key plugins.retentoin: no plugin named "
                      "'retentoin' was found (did you mean 'retention'?)")
    # plugins list still runs with a plugin that refused its section.
    f = crm.write("cfg.json", '{"plugins": {"retention": {"channel_costs": 1}}}')
    p = crm.run("--config", f, "--format", "json", "plugins", "list")
    [rec] = [r for r in json.loads(p.stdout) if r["name"] == "retention"]
    assert rec["status"] == "failed" and "channel_costs" in rec["error"]


def test_no_nan_or_inf_is_printed(crm):
    for fmt in ("text", "json"):
        p = crm.run("--format", fmt, "clv", "historic", "--margin", "1e308", "--retention", "1",
                    "--discount-rate", "0", "--horizon", "10", check=False)
        assert p.returncode == 1 and p.stdout == "", (fmt, p.stdout)
        assert err(p) == ("crm: error: 'clv historic' computed a value that is not a finite number "
                          "(at /clv); the inputs are out of the range it can compute")
    for value in ("nan", "inf", "-inf"):
        p = crm.run("clv", "historic", "--margin", value, "--retention", "0.5", check=False)
        assert p.returncode == 1 and p.stdout == ""
        assert err(p) == f"crm: error: --margin: '{value}' is not a finite number"
    p = crm.run("interactions", "add", "--customer", "1", "--channel", "web", "--kind", "x",
                "--amount", "nan", check=False)
    assert err(p) == ("crm: error: --amount: invalid amount 'nan' in USD: "
                      "expected digits such as 12.50")
    ok = crm.run("clv", "historic", "--margin", "10", "--retention", "0.5", "--horizon", "2")
    assert "historic CLV = 14.55" in ok.stdout  # 10 * (1 + 0.5/1.1)


def test_negative_counts_are_refused_everywhere(crm):
    cases = [
        (("customers", "list", "--limit", "-1"), "--limit must be 0 or more, got -1"),
        (("customers", "list", "--offset", "-3"), "--offset must be 0 or more, got -3"),
        (("workflows", "instances", "--limit", "-2"), "--limit must be 0 or more, got -2"),
        (("sample", "customers", "--count", "-5", "--out", "x.csv"), "--count must be 0 or more, got -5"),
        (("sample", "interactions", "--count", "-1", "--out", "y.csv"), "--count must be 0 or more, got -1"),
        (("clv", "historic", "--margin", "1", "--retention", "0.5", "--horizon", "-1"),
         "--horizon must be 0 or more, got -1"),
        (("segment", "rfm", "--window", "-7"), "--window must be 0 or more, got -7"),
        (("churn", "winback", "--days", "-1"), "--days must be 0 or more, got -1"),
    ]
    for args, msg in cases:
        p = crm.run(*args, check=False)
        assert p.returncode == 1, args
        assert err(p) == f"crm: error: {msg}", (args, p.stderr)
    assert not (crm.workdir / "x.csv").exists()
    assert crm.run("customers", "list", "--limit", "0").returncode == 0


def test_out_file_is_not_overwritten_without_force(crm):
    for what in ("customers", "interactions"):
        out = crm.workdir / f"{what}.csv"
        out.write_text("precious\n")
        p = crm.run("sample", what, "--count", "3", "--out", str(out), check=False)
        assert p.returncode == 1
        assert err(p) == f"crm: error: --out {out} exists already; pass --force to overwrite it"
        assert out.read_text() == "precious\n"
        crm.run("sample", what, "--count", "3", "--out", str(out), "--force")
        assert out.read_text() != "precious\n"
    # The default file name is protected too.
    p = crm.run("sample", "customers", "--count", "2", check=False)
    assert p.returncode == 1 and "customers.csv exists already" in p.stderr


def test_customers_list_footer_counts_the_filtered_customers(crm):
    rows = "".join(f"K{i},Name {i},{'alice' if i % 4 == 0 else 'bob'}\n" for i in range(60))
    crm.run("import", "customers", crm.write("c.csv", "external_id,name,owner\n" + rows))
    last = lambda *a: crm.run("customers", "list", *a).stdout.splitlines()[-1]
    assert last() == "showing 50 of 60 customers; --limit/--offset for more"
    assert last("--limit", "100") == "60 customers"
    assert last("--limit", "all") == "60 customers"
    assert len(crm.json("customers", "list", "--limit", "all")) == 60
    assert last("--owner", "alice") == "15 customers matching"
    assert last("--owner", "alice", "--limit", "4") == (
        "showing 4 of 15 customers matching; --limit/--offset for more")
    assert last("--owner", "alice", "--offset", "13") == (
        "showing 2 of 15 customers matching; --limit/--offset for more")
    assert last("--owner", "carol") == "0 customers matching"
