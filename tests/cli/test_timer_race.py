"""Two `crm run-due` processes on one database: every due timer fires once,
and what it resumes happens once."""
import json
import os
import sqlite3
import subprocess
import time

from conftest import CRM

WORKFLOW = {
    "name": "race_follow_up",
    "description": "A follow-up task one second after a customer is created.",
    "trigger": {"event": "customer.created"},
    "steps": [
        {"type": "wait", "duration": "1s"},
        {"type": "action", "action": "create_task",
         "params": {"title": "Follow up {{customer.name}}", "owner": "sales", "due": "1d"}},
    ],
}

ROUNDS = 4
CUSTOMERS = 150  # per round: one instance, one timer each


def run_due_twice_at_once(crm):
    env = {**os.environ, "CRM_PLUGIN_PATH": ""}
    hosts = [subprocess.Popen([CRM, "--db", crm.db, "--format", "json", "run-due"],
                              cwd=crm.workdir, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = []
    for p in hosts:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outs.append(json.loads(out))
    return outs


def test_two_run_due_processes_fire_each_timer_once(crm):
    crm.run("workflows", "install", crm.write("race.json", json.dumps(WORKFLOW)))
    fired = []
    for r in range(ROUNDS):
        rows = "".join(f"R{r}C{i},Race {r}-{i}\n" for i in range(CUSTOMERS))
        crm.run("import", "customers", crm.write(f"c{r}.csv", "external_id,name\n" + rows))
        time.sleep(1.5)  # the waits are due
        outs = run_due_twice_at_once(crm)
        fired.append(sum(o["fired"] for o in outs))
        assert all(o["failed"] == 0 for o in outs), outs
    # A timer both processes fired counts in both outputs.
    assert fired == [CUSTOMERS] * ROUNDS

    with sqlite3.connect(crm.db) as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM timers GROUP BY status"))
        assert statuses == {"fired": ROUNDS * CUSTOMERS}
        # What each timer resumed: one "resumed" history row per instance,
        # one task per customer, each instance completed.
        resumed = db.execute(
            "SELECT i.id, (SELECT COUNT(*) FROM workflow_history h "
            "              WHERE h.instance_id = i.id AND h.outcome = 'resumed') "
            "FROM workflow_instances i").fetchall()
        assert len(resumed) == ROUNDS * CUSTOMERS
        assert [n for _, n in resumed] == [1] * len(resumed)
        states = dict(db.execute("SELECT state, COUNT(*) FROM workflow_instances GROUP BY state"))
        assert states == {"completed": ROUNDS * CUSTOMERS}
        per_customer = db.execute(
            "SELECT c.external_id, COUNT(t.id) FROM customers c "
            "LEFT JOIN tasks t ON t.customer_id = c.id GROUP BY c.id").fetchall()
        assert len(per_customer) == ROUNDS * CUSTOMERS
        assert [n for _, n in per_customer] == [1] * len(per_customer)
        audited = db.execute(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'task.create'").fetchone()[0]
        assert audited == ROUNDS * CUSTOMERS
