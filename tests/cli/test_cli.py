"""End-to-end behaviour of the `crm` command."""
import json
import os
import sqlite3
import subprocess

from conftest import CRM, Crm

CUSTOMERS = """external_id,name,email,phone,owner,tags,consent_email,city
A1,"Meyer, Anna",anna@example.org,+43 660 111,alice,vip;b2b,yes,Graz
A2,Ben Novak,ben@example.org,0043 660 222,alice,,no,Linz
A3,Chen Wang,ANNA@example.org ,0660 333,bob,,yes,Wien
"""


def test_init_creates_schema_and_is_idempotent(tmp_path):
    c = Crm(tmp_path)
    first = json.loads(c.run("--format", "json", "init").stdout)
    again = json.loads(c.run("--format", "json", "init").stdout)
    assert first["schema_version"] == again["schema_version"] == 8
    tables = {r[0] for r in sqlite3.connect(c.db).execute("SELECT name FROM sqlite_master")}
    assert {"customers", "interactions", "tasks", "audit_log", "timers"} <= tables
    mode = sqlite3.connect(c.db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_missing_database_is_one_clear_line(tmp_path):
    p = subprocess.run([CRM, "--db", str(tmp_path / "nope.db"), "customers", "list"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stderr.strip().splitlines() == [
        f"crm: error: no database at {tmp_path / 'nope.db'}: run `crm init` first or pass --db PATH"]
    assert not (tmp_path / "nope.db").exists()


def test_crm_db_environment_variable(tmp_path):
    env = dict(os.environ, CRM_DB=str(tmp_path / "env.db"))
    subprocess.run([CRM, "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    assert (tmp_path / "env.db").exists()


def test_import_customers_summary_and_attributes(crm):
    f = crm.write("c.csv", CUSTOMERS)
    r = crm.json("import", "customers", f)
    assert (r["read"], r["inserted"], r["updated"], r["skipped"], r["errors"]) == (3, 3, 0, 0, [])
    shown = crm.json("customers", "show", "1")["customer"]
    assert shown["name"] == "Meyer, Anna"
    assert shown["tags"] == ["vip", "b2b"]
    assert shown["consent"] == {"email": True}
    assert shown["attributes"] == {"city": "Graz"}


def test_birthday_is_a_date_or_null_in_show_and_a_bad_one_names_line_and_column(crm):
    f = crm.write("b.csv",
                  "external_id,name,birthday\n"
                  "D1,Leap Day,2000-02-29\n"
                  "D2,No Birthday,\n"
                  "D3,Month Thirteen,1990-13-01\n"
                  "D4,No Leap,2001-02-29\n")
    r = crm.json("import", "customers", f)
    assert r["inserted"] == 2
    assert r["errors"] == [{"line": 4, "message": "birthday: invalid date 1990-13-01"},
                           {"line": 5, "message": "birthday: invalid date 2001-02-29"}]
    assert crm.json("customers", "show", "1")["customer"]["birthday"] == "2000-02-29"
    assert crm.json("customers", "show", "2")["customer"]["birthday"] is None
    assert "  birthday: 2000-02-29\n" in crm.run("customers", "show", "1").stdout
    assert "birthday" not in crm.run("customers", "show", "2").stdout.split("Timeline")[0]
    # The column keeps its text form; no birthday is NULL, not "".
    rows = sqlite3.connect(crm.db).execute("SELECT birthday FROM customers ORDER BY id").fetchall()
    assert rows == [("2000-02-29",), (None,)]


def test_bad_rows_reported_with_line_numbers(crm):
    f = crm.write("bad.csv",
                  'external_id,name,birthday\n'
                  'B1,Good One,1990-01-01\n'
                  'B2,"Multi\nline name",1991-02-02\n'
                  'B3,,1990-01-01\n'
                  'B4,Bad Date,1990-02-30\n'
                  'B5,Too,many,fields\n'
                  'B1,Same External Id,\n')
    r = crm.json("import", "customers", f)
    assert r["inserted"] == 2 and r["skipped"] == 4
    lines = [e["line"] for e in r["errors"]]
    assert lines == [5, 6, 7, 8]
    msgs = [e["message"] for e in r["errors"]]
    assert "name is empty" in msgs[0]
    assert "1990-02-30" in msgs[1]
    assert "expected 3 fields, got 4" in msgs[2]
    assert "B1" in msgs[3]


def test_strict_and_dry_run_write_nothing(crm):
    f = crm.write("c.csv", CUSTOMERS + "A4,,x\n")
    strict = crm.run("--format", "json", "import", "customers", "--strict", "--attributes", "city",
                     f, check=False)
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["committed"] is False
    dry = crm.json("import", "customers", "--dry-run", f)
    assert dry["inserted"] == 3 and dry["committed"] is False
    assert crm.json("customers", "list") == []


def test_nothing_imported_exits_non_zero(crm):
    f = crm.write("c.csv", "external_id,name\nX,\nY,\n")
    p = crm.run("import", "customers", f, check=False)
    assert p.returncode == 1
    assert "skipped 2" in p.stderr and p.stdout == ""


def test_malformed_csv_names_file_and_line(crm):
    f = crm.write("broken.csv", 'external_id,name\nA,"unterminated\n')
    p = crm.run("import", "customers", f, check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == f"crm: error: {f}:2: unterminated quoted field"


def test_update_by_email_updates_only_given_cells(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    f = crm.write("u.csv", "email,owner,segment\nben@example.org,carol,gold\nnew@example.org,dave,\n")
    r = crm.run("--format", "json", "import", "customers", "--mode", "update", "--match", "email", f,
                check=False)
    assert r.returncode == 0, r.stderr  # one row updated: a partial import succeeds
    body = json.loads(r.stdout)
    assert body["updated"] == 1 and body["skipped"] == 1
    assert "no customer with email 'new@example.org'" in body["errors"][0]["message"]
    ben = crm.json("customers", "show", "2")["customer"]
    assert (ben["owner"], ben["segment"], ben["name"]) == ("carol", "gold", "Ben Novak")


def test_import_interactions_and_timeline(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    f = crm.write("i.csv",
                  "external_id,occurred_at,channel,kind,amount,agent,commitments,store\n"
                  "A1,2025-03-01T10:00:00Z,store,purchase,19.90,,,Graz-1\n"
                  "A1,2025-02-01,phone,call,,alice,call back Friday;send brochure,\n"
                  "ZZ,2025-02-01,phone,call,,alice,,\n")
    r = crm.json("import", "interactions", f)
    assert r["inserted"] == 2 and r["errors"][0]["line"] == 4
    timeline = crm.json("customers", "show", "1")["timeline"]
    inter = [t for t in timeline if t["type"] == "interaction"]
    assert [t["kind"] for t in inter] == ["call", "purchase"]  # oldest first
    assert inter[0]["commitments"] == ["call back Friday", "send brochure"]
    assert inter[1]["amount"] == "19.90 USD" and inter[1]["payload"] == {"store": "Graz-1"}


def test_duplicates_merge_and_reassign(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    dups = crm.json("customers", "duplicates")
    assert {"reason": "email", "value": "anna@example.org", "ids": [1, 3]} in dups
    merged = crm.json("customers", "merge", "1", "3")
    assert merged == {"kept": 1, "merged": 3}
    assert crm.json("customers", "duplicates") == []
    p = crm.run("customers", "show", "3", check=False)
    assert p.returncode == 1 and p.stderr.strip() == "crm: error: customer 3 not found"
    handed = crm.json("customers", "reassign", "--from", "alice", "--to", "erin")
    assert handed["customers"] == 2
    timeline = crm.json("customers", "show", "1")["timeline"]
    handovers = [t for t in timeline if t.get("action") == "customer.handover"]
    assert handovers[0]["details"] == {"from": "alice", "to": "erin"}


def test_unknown_ids_and_bad_options_fail_cleanly(crm):
    for args, msg in [(("customers", "show", "abc"), "customer 'abc' is not a positive integer id"),
                      (("customers", "merge", "1", "1"), "into itself"),
                      (("customers", "reassign", "--from", "x", "--to", "y"), "owner 'x' has no customers"),
                      (("import", "customers", "--mode", "sideways", "c.csv"), "invalid import mode")]:
        p = crm.run(*args, check=False)
        assert p.returncode != 0, args
        assert msg in p.stderr, (args, p.stderr)
        assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_plugins_list_json_fields(crm):
    fixtures = os.environ["CRM_FIXTURE_PLUGIN_DIR"]
    plugins = crm.json("--plugin-dir", fixtures, "plugins", "list")
    assert plugins, "no plugins listed"
    for p in plugins:
        assert set(p) >= {"name", "version", "api_version", "requires", "status", "error", "path"}
    by_name = {p["name"]: p for p in plugins}
    assert by_name["good"]["status"] == "started" and by_name["good"]["error"] == ""
    assert by_name["needs_good"]["requires"] == ["good"]
    assert by_name["wrong_api"]["status"] == "refused"
    # The same directory through the environment variable.
    env_list = crm.json("plugins", "list", env={"CRM_PLUGIN_PATH": fixtures})
    assert any(p["name"] == "good" and p["status"] == "started" for p in env_list)


def test_demo_runs_end_to_end(tmp_path):
    db = tmp_path / "demo.db"
    p = subprocess.run([CRM, "--db", str(db), "demo", "--customers", "100", "--reset"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "inserted 100" in p.stdout
    assert "Timeline" in p.stdout and "promised: 10% discount on the next order" in p.stdout
    # The workflow act: the complaint's task, late after 30 simulated hours,
    # escalated to the supervisor with a due time counted from the deadline.
    assert "Answer the complaint of" in p.stdout
    assert "fired 1, failed 0" in p.stdout
    escalated = [l.split() for l in p.stdout.splitlines()
                 if "ESCALATED: complaint of" in l and " open " in l]
    assert len(escalated) == 1 and "supervisor" in escalated[0]
    assert "flowchart TD" in p.stdout
    again = subprocess.run([CRM, "--db", str(db), "demo"], capture_output=True, text=True)
    assert again.returncode == 1 and "already has customers" in again.stderr
