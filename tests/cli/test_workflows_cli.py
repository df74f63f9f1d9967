"""The workflow engine through the `crm` command: install, start, tasks,
run-due on a replayed clock, export, and errors that name the JSON path."""
import datetime as dt
import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "workflows"


def parse(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_welcome_series_on_a_replayed_clock(crm):
    crm.run("workflows", "install", str(EXAMPLES / "welcome_series.json"))
    crm.run("import", "customers",
            crm.write("c.csv", "external_id,name,email\nW1,Wanda,wanda@example.org\n"))
    [inst] = crm.json("workflows", "instances", "--customer", "1")
    assert inst["state"] == "waiting" and inst["wait"]["kind"] == "timer"
    created = parse(inst["started_at"])

    # Eleven days on, in one run: the 3-day wait ends on day 3, the wait for
    # a first purchase times out on day 10, the nudge goes out and the call
    # task is due two days after that, timed from day 10, not from the run.
    out = crm.json("run-due", "--now", iso(created + dt.timedelta(days=11)))
    assert out["fired"] == 2 and out["failed"] == 0
    [task] = crm.json("tasks", "list", "--customer", "1")
    assert task["title"] == "Call Wanda: no first purchase yet"
    due = parse(task["due_at"])
    assert abs(due - (created + dt.timedelta(days=12))) <= dt.timedelta(seconds=5), task
    [inst] = crm.json("workflows", "instances", "--customer", "1")
    assert inst["state"] == "waiting"
    # Within seconds, like the task's due time: on the wall clock the instance's
    # start and its first wait are read at different moments of a loaded machine.
    assert abs(parse(inst["wait"]["due"]) - (created + dt.timedelta(days=14))) <= dt.timedelta(seconds=5)
    history = crm.json("workflows", "history", str(inst["id"]))["history"]
    timeout = [h for h in history if h["outcome"] == "timeout"]
    assert len(timeout) == 1
    assert abs(parse(timeout[0]["at"]) - (created + dt.timedelta(days=10))) <= dt.timedelta(seconds=5)

    out = crm.json("run-due", "--now", iso(created + dt.timedelta(days=15)))
    assert out["fired"] == 1
    [inst] = crm.json("workflows", "instances", "--customer", "1")
    assert inst["state"] == "completed"
    shown = crm.json("customers", "show", "1")
    subjects = [e["payload"]["subject"] for e in shown["timeline"]
                if e["type"] == "interaction" and e["kind"] == "message"]
    assert subjects == ["Welcome, Wanda", "A gift for your first order", "Two weeks with us"]


def test_complaint_task_completed_from_the_command_line(crm):
    crm.run("workflows", "install", str(EXAMPLES / "complaint_handling.json"))
    crm.run("import", "customers",
            crm.write("c.csv", "external_id,name,email\nK1,Karl,karl@example.org\n"))
    instance = crm.json("workflows", "start", "complaint_handling", "--customer", "1")["id"]
    [task] = crm.json("tasks", "list", "--customer", "1")
    assert task["owner"] == "support" and task["link"] == {"type": "workflow", "id": instance}
    crm.run("tasks", "complete", str(task["id"]))
    [inst] = crm.json("workflows", "instances", "--customer", "1")
    assert inst["state"] == "waiting" and inst["wait"]["kind"] == "timer"  # the 2-day wait
    # Cancelling it ends its timer: a later run fires nothing of it.
    crm.run("workflows", "cancel", str(inst["id"]))
    assert crm.json("workflows", "instances", "--customer", "1")[0]["state"] == "cancelled"
    again = crm.run("workflows", "cancel", str(inst["id"]), check=False)
    assert again.returncode == 1 and "is cancelled, not active" in again.stderr
    missing = crm.run("workflows", "cancel", "999", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "crm: error: workflow instance 999 not found"
    out = crm.json("run-due", "--now", iso(parse(inst["started_at"]) + dt.timedelta(days=30)))
    assert out["fired"] == 0


def test_invalid_definition_names_every_path(crm):
    bad = crm.write("bad.json", json.dumps({
        "name": "bad",
        "steps": [{"type": "wait", "event": "purchase.*"},
                  {"type": "branch", "condition": {"changed": "stage", "form": "x"}}]}))
    p = crm.run("workflows", "validate", bad, check=False)
    assert p.returncode != 0
    text = p.stdout + p.stderr
    assert "$.steps[0].event" in text and "$.steps[1].condition.form" in text, text
    p = crm.run("workflows", "install", bad, check=False)
    assert p.returncode != 0
    assert crm.json("workflows", "list") == []


def test_export_mermaid_and_dot(crm):
    crm.run("workflows", "install", str(EXAMPLES / "complaint_handling.json"))
    mermaid = crm.run("workflows", "export", "complaint_handling", "--as", "mermaid").stdout
    dot = crm.run("workflows", "export", "complaint_handling", "--as", "dot").stdout
    assert mermaid.startswith("flowchart")
    assert dot.startswith("digraph")
    for text in (mermaid, dot):
        # The escalation task's node: its id, title and owner.
        assert ("escalation: task: ESCALATED: {{event.payload.channel}} complaint of {{customer.name}}"
                in text), text
        assert "owner supervisor, due 4h" in text, text


def test_bad_limit_is_one_clear_line(crm):
    p = crm.run("workflows", "instances", "--limit", "ten", check=False)
    assert p.returncode != 0
    assert "--limit 'ten' is not a whole number" in p.stderr


def test_watch_fires_a_timer_on_its_second_and_stops_at_until(crm):
    crm.run("import", "customers",
            crm.write("c.csv", "external_id,name,email\nT1,Tom,tom@example.org\n"))
    crm.write("nap.json", json.dumps({
        "name": "nap", "steps": [{"type": "wait", "duration": "2s"},
                                 {"type": "action", "action": "add_tag",
                                  "params": {"tag": "woke"}}]}))
    crm.run("workflows", "install", "nap.json")
    inst = crm.json("workflows", "start", "nap", "--customer", "1")
    assert inst["state"] == "waiting"
    due = parse(inst["wait"]["due"])
    until = iso(due + dt.timedelta(seconds=2))
    # --poll 30: only sleeping until the timer's own second, not polling,
    # fires it before --until.
    p = crm.run("run-due", "--watch", "--poll", "30", "--until", until)
    assert "fired 1, failed 0" in p.stdout.splitlines()[0], p.stdout
    assert p.stdout.splitlines()[-1] == f"watched until {until}: fired 1, failed 0"
    [done] = crm.json("workflows", "instances", "--customer", "1")
    assert done["state"] == "completed"
    # It fired on the timer's second (the engine's clock is the wall clock).
    history = crm.json("workflows", "history", str(done["id"]))["history"]
    resumed = [h for h in history if h["outcome"] == "resumed"]
    assert len(resumed) == 1 and parse(resumed[0]["at"]) - due <= dt.timedelta(seconds=2)
    assert "woke" in crm.json("customers", "show", "1")["customer"]["tags"]


def test_watch_refuses_now(crm):
    p = crm.run("run-due", "--watch", "--now", "2030-01-01", check=False)
    assert p.returncode != 0 and "takes no --now" in p.stderr
