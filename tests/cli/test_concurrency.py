"""Several `crm` processes on one database at once: agents recording calls,
readers listing customers, an import and a `run-due --watch` host. Every
command must succeed and every write must be there."""
import datetime
import json
import os
import sqlite3
import subprocess
import threading

from conftest import CRM

WRITERS = 6
WRITES_PER_WRITER = 12
READERS = 2
READS_PER_READER = 12
IMPORTED = 3000


def run(db, *args):
    env = {**os.environ, "CRM_PLUGIN_PATH": ""}
    return subprocess.run([CRM, "--db", db, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def run_all_at_once(jobs):
    """Runs each job (a list of argument lists, run one after the other) in
    its own thread, all starting together; returns [(args, CompletedProcess)]."""
    results = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def worker(commands):
        start.wait()
        for args in commands:
            p = run(*args)
            with lock:
                results.append((args, p))

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def failures(results):
    return [(a, p.returncode, p.stderr.strip()) for a, p in results if p.returncode != 0]


def test_many_crm_init_on_a_new_file_all_succeed_and_migrate_once(tmp_path):
    for attempt in range(4):  # the race is a matter of milliseconds: several new files
        db = str(tmp_path / f"new{attempt}.db")
        results = run_all_at_once([[(db, "--format", "json", "init")] for _ in range(10)])
        assert failures(results) == []
        assert {json.loads(p.stdout)["schema_version"] for _, p in results} == {8}
        con = sqlite3.connect(db)
        # Versions 1 and 2, each once.
        assert con.execute("SELECT component, COUNT(*) FROM schema_migrations WHERE component = "
                           "'kernel' GROUP BY component").fetchall() == [("kernel", 8)]
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_agents_readers_an_import_and_the_watch_host_at_once(crm, tmp_path):
    db = crm.db
    base = crm.write("base.csv", "external_id,name,owner\n" +
                     "".join(f"B{i},Base {i},alice\n" for i in range(1, 7)))
    assert crm.json("import", "customers", base)["inserted"] == 6
    big = crm.write("big.csv", "external_id,name,email,tags\n" +
                    "".join(f"I{i},Imported {i},i{i}@example.org,new\n"
                            for i in range(IMPORTED)))
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=4))
    until = until.strftime("%Y-%m-%dT%H:%M:%SZ")

    jobs = []
    for w in range(WRITERS):
        jobs.append([(db, "interactions", "add", "--customer", str(w + 1), "--channel", "phone",
                      "--kind", "call", "--agent", f"agent{w}", "--notes", f"w{w}-{n}")
                     for n in range(WRITES_PER_WRITER)])
    for r in range(READERS):
        jobs.append([(db, "--format", "json", "customers", "list", "--limit", "10000")
                     if n % 2 == 0 else (db, "--format", "json", "customers", "show", str(r + 1))
                     for n in range(READS_PER_READER)])
    jobs.append([(db, "--format", "json", "import", "customers", big)])
    jobs.append([(db, "--format", "json", "run-due", "--watch", "--until", until)])
    results = run_all_at_once(jobs)

    assert failures(results) == []
    for args, p in results:
        if "--format" in args:
            json.loads(p.stdout)  # every reader got a whole document
    con = sqlite3.connect(db)
    notes = {r[0] for r in con.execute("SELECT notes FROM interactions WHERE kind = 'call'")}
    assert notes == {f"w{w}-{n}" for w in range(WRITERS) for n in range(WRITES_PER_WRITER)}
    per_agent = dict(con.execute("SELECT agent, COUNT(*) FROM interactions GROUP BY agent"))
    assert per_agent == {f"agent{w}": WRITES_PER_WRITER for w in range(WRITERS)}
    assert con.execute("SELECT COUNT(*) FROM customers WHERE external_id LIKE 'I%'").fetchone() == (
        IMPORTED,)
    assert con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'interaction.record'"
                       ).fetchone() == (WRITERS * WRITES_PER_WRITER,)
