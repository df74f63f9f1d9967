"""Two `crm` processes on one database over many due timers at once: every
timer fires exactly once, and what it resumes happens exactly once (counted
in its side effects: tasks, audit rows, history rows). Also the CLI of the
typed instance states and of named conditions."""
import json
import os
import sqlite3
import subprocess
import time

from conftest import CRM

WORKFLOW = {
    "name": "many_follow_ups",
    "description": "A follow-up task one second after a customer is created.",
    "trigger": {"event": "customer.created"},
    "steps": [
        {"type": "wait", "duration": "1s"},
        {"type": "action", "action": "create_task",
         "params": {"title": "Follow up {{customer.external_id}}", "owner": "sales", "due": "1d"}},
    ],
}

CUSTOMERS = 10000


def test_two_run_due_processes_over_10000_due_timers_fire_each_once(crm):
    crm.run("workflows", "install", crm.write("many.json", json.dumps(WORKFLOW)))
    rows = "".join(f"M{i},Many {i}\n" for i in range(CUSTOMERS))
    crm.run("import", "customers", crm.write("c.csv", "external_id,name\n" + rows))
    with sqlite3.connect(crm.db) as db:
        assert db.execute("SELECT COUNT(*) FROM timers WHERE status = 'pending'").fetchone()[0] \
            == CUSTOMERS
    time.sleep(1.5)  # every wait is due
    env = {**os.environ, "CRM_PLUGIN_PATH": ""}
    hosts = [subprocess.Popen([CRM, "--db", crm.db, "--format", "json", "run-due"],
                              cwd=crm.workdir, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = []
    for p in hosts:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    # A timer both fired would count in both outputs.
    assert sum(o["fired"] for o in outs) == CUSTOMERS
    assert all(o["failed"] == 0 for o in outs), outs

    with sqlite3.connect(crm.db) as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM timers GROUP BY status"))
        assert statuses == {"fired": CUSTOMERS}
        # Side effects, one per customer: its task, the task's audit row,
        # and one "resumed" history row of its instance.
        per_customer = db.execute(
            "SELECT c.external_id, COUNT(t.id), MIN(t.title) FROM customers c "
            "LEFT JOIN tasks t ON t.customer_id = c.id GROUP BY c.id").fetchall()
        assert len(per_customer) == CUSTOMERS
        assert [n for _, n, _ in per_customer] == [1] * CUSTOMERS
        assert all(title == f"Follow up {ext}" for ext, _, title in per_customer)
        assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'task.create'") \
            .fetchone()[0] == CUSTOMERS
        resumed = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT instance_id) FROM workflow_history "
            "WHERE outcome = 'resumed'").fetchone()
        assert resumed == (CUSTOMERS, CUSTOMERS)
        states = dict(db.execute("SELECT state, COUNT(*) FROM workflow_instances GROUP BY state"))
        assert states == {"completed": CUSTOMERS}


def test_the_database_refuses_a_second_active_instance_of_a_guarded_workflow(crm):
    crm.run("workflows", "install", crm.write("w.json", json.dumps(
        {"name": "guarded", "steps": [{"type": "wait", "duration": "7d"}]})))
    crm.run("workflows", "install", crm.write("p.json", json.dumps(
        {"name": "parallel", "allow_parallel": True,
         "steps": [{"type": "wait", "duration": "7d"}]})))
    crm.run("import", "customers", crm.write("gil.csv", "external_id,name\nG1,Gil\n"))
    crm.run("workflows", "start", "guarded", "--customer", "1")
    crm.run("workflows", "start", "parallel", "--customer", "1")
    again = crm.run("workflows", "start", "guarded", "--customer", "1", check=False)
    assert again.returncode != 0
    assert "already has an active instance for customer 1" in again.stderr
    with sqlite3.connect(crm.db) as db:
        row = db.execute("SELECT workflow, version, customer_id, chain, started_at, updated_at "
                         "FROM workflow_instances WHERE workflow = 'guarded'").fetchone()
        copy = ("INSERT INTO workflow_instances (workflow, version, customer_id, chain, "
                "started_at, updated_at, state, single) VALUES (?,?,?,?,?,?,?,?)")
        # What a second process that skipped the look before writing would
        # write: refused by the index itself.
        try:
            db.execute(copy, (*row, "waiting", 1))
            raise AssertionError("a second active guarded instance was stored")
        except sqlite3.IntegrityError as e:
            assert "UNIQUE" in str(e)
        # An ended one, and one of a parallel workflow, are not guarded.
        db.execute(copy, (*row, "completed", 1))
        prow = db.execute("SELECT workflow, version, customer_id, chain, started_at, updated_at "
                          "FROM workflow_instances WHERE workflow = 'parallel'").fetchone()
        db.execute(copy, (*prow, "waiting", 0))
    listed = crm.json("workflows", "instances", "--state", "waiting")
    assert sorted(i["workflow"] for i in listed) == ["guarded", "parallel", "parallel"]
    bad = crm.run("workflows", "instances", "--state", "asleep", check=False)
    assert bad.returncode != 0
    assert "unknown instance state 'asleep'" in bad.stderr


def test_workflows_conditions_lists_none_without_plugins(crm):
    out = crm.run("workflows", "conditions")
    assert out.stdout == "no named conditions registered\n"
    assert crm.json("workflows", "conditions") == []


def test_the_guard_migration_keeps_the_oldest_of_a_pair_a_race_left(crm):
    """A database from before the unique index, where a race once stored two
    active instances for one customer: the migration guards the oldest and
    lets the other run on, so it applies instead of failing."""
    crm.run("workflows", "install", crm.write("w.json", json.dumps(
        {"name": "guarded", "steps": [{"type": "wait", "duration": "7d"}]})))
    crm.run("workflows", "install", crm.write("p.json", json.dumps(
        {"name": "parallel", "allow_parallel": True,
         "steps": [{"type": "wait", "duration": "7d"}]})))
    crm.run("import", "customers", crm.write("c.csv", "external_id,name\nA1,Ann\nB1,Bob\n"))
    for args in (("guarded", "1"), ("guarded", "2"), ("parallel", "1"), ("parallel", "1")):
        crm.run("workflows", "start", args[0], "--customer", args[1])
    with sqlite3.connect(crm.db) as db:
        # Back to the schema of migration 1, then the race's second instance.
        db.execute("DROP INDEX workflow_instances_one_active")
        db.execute("ALTER TABLE workflow_instances DROP COLUMN single")
        db.execute("DELETE FROM schema_migrations WHERE component = 'workflows' AND version = 2")
        db.execute("INSERT INTO workflow_instances (workflow, version, customer_id, chain, "
                   "started_at, updated_at, state) SELECT workflow, version, customer_id, chain, "
                   "started_at, updated_at, state FROM workflow_instances WHERE id = 1")
        db.execute("INSERT INTO workflow_instances (workflow, version, customer_id, chain, "
                   "started_at, updated_at, state) SELECT workflow, version, customer_id, chain, "
                   "started_at, updated_at, 'completed' FROM workflow_instances WHERE id = 2")
    assert len(crm.json("workflows", "instances")) == 6  # the migration ran
    with sqlite3.connect(crm.db) as db:
        single = db.execute("SELECT id, workflow, customer_id, state, single "
                            "FROM workflow_instances ORDER BY id").fetchall()
    assert single == [
        (1, "guarded", 1, "waiting", 1),
        (2, "guarded", 2, "waiting", 1),
        (3, "parallel", 1, "waiting", 0),
        (4, "parallel", 1, "waiting", 0),
        (5, "guarded", 1, "waiting", 0),    # the newer of the pair runs on, unguarded
        (6, "guarded", 2, "completed", 0),  # ended: nothing to guard
    ]
    # The guard holds from now on.
    again = crm.run("workflows", "start", "guarded", "--customer", "2", check=False)
    assert again.returncode != 0
