"""More of the workflow engine through the `crm` command: a step waiting for
a plugin that is not loaded, the bounds of definitions (durations, nesting,
types), `workflows show|actions|uninstall`, `tasks cancel` and every
`workflows instances` filter, each asserted by its values."""
import datetime as dt
import json
import os

import pytest

PLUGIN_DIR = os.environ.get("CRM_BIRTHDAYS_PLUGIN_DIR", "")


def with_plugin(*args):
    return ("--plugin-dir", PLUGIN_DIR, *args)


def add_customers(crm, rows):
    lines = ["external_id,name,email,birthday"] + [",".join(r) for r in rows]
    crm.run("import", "customers", crm.write("c.csv", "\n".join(lines) + "\n"))


def install(crm, definition, *extra):
    path = crm.write(definition["name"] + ".json", json.dumps(definition))
    crm.run(*extra, "workflows", "install", path)


# --- a plugin that is not loaded ---

BIRTHDAY_FLOW = {
    "name": "birthday_check",
    "steps": [
        {"type": "action", "action": "add_tag", "params": {"tag": "checking"}},
        {"type": "action", "action": "birthdays.days_until", "save_as": "birthday"},
        {"type": "branch",
         "condition": {"field": "vars.birthday.in_days", "op": "eq", "value": 0},
         "then": [{"type": "action", "action": "add_tag", "params": {"tag": "birthday_today"}}]},
    ],
}


@pytest.mark.skipif(not PLUGIN_DIR, reason="CRM_BIRTHDAYS_PLUGIN_DIR is not set")
def test_step_of_an_unloaded_plugin_waits_naming_it_and_goes_on_once_loaded(crm):
    today = dt.datetime.now(dt.timezone.utc).date()
    add_customers(crm, [("B1", "Bea", "bea@example.org", f"1992-{today:%m-%d}")])
    install(crm, BIRTHDAY_FLOW, *with_plugin())

    # Without the plugin: the instance waits at the plugin's step, not failed.
    started = crm.json("workflows", "start", "birthday_check", "--customer", "1")
    assert started["state"] == "waiting"
    assert started["position"] == "$.steps[1]"
    assert started["wait"] == {"kind": "plugin", "plugin": "birthdays",
                               "action": "birthdays.days_until"}
    assert started["error"] == ""
    text = crm.run("workflows", "instances").stdout
    assert "plugin birthdays (not loaded)" in text
    history = crm.json("workflows", "history", str(started["id"]))["history"]
    assert (history[-1]["type"], history[-1]["outcome"], history[-1]["detail"]["plugin"]) == \
        ("action", "waiting", "birthdays")

    # run-due without it says what waits for which plugin, and leaves it.
    out = crm.json("run-due")
    assert out["waiting_for_plugins"] == {"birthdays": 1} and out["recovered"] == 0
    p = crm.run("run-due")
    assert p.stdout.splitlines()[-1] == "waiting for plugin birthdays (not loaded): 1 instance"
    assert crm.json("workflows", "instances")[0]["state"] == "waiting"

    # With the plugin: the next run-due carries on from that step.
    out = crm.json(*with_plugin("run-due"))
    assert out["recovered"] == 1 and "waiting_for_plugins" not in out
    [inst] = crm.json("workflows", "instances")
    assert inst["state"] == "completed"
    assert inst["variables"]["birthday"] == {"in_days": 0}
    tags = crm.json("customers", "show", "1")["customer"]["tags"]
    assert "checking" in tags and "birthday_today" in tags
    assert crm.run("run-due").stdout.count("waiting for plugin") == 0


def test_validate_names_the_plugin_an_unknown_action_belongs_to(crm):
    path = crm.write("b.json", json.dumps(BIRTHDAY_FLOW))
    p = crm.run("workflows", "validate", path, check=False)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        f"{path}: $.steps[1].action: unknown action 'birthdays.days_until': it is registered "
        "by the birthdays plugin, which is not loaded"]


def test_run_due_refuses_a_stale_time_out_of_range(crm):
    for bad in ("0", "86401"):
        p = crm.run("run-due", "--stale", bad, check=False)
        assert p.returncode != 0
        assert p.stderr.strip() == "crm: error: --stale must be from 1 to 86400 seconds"


# --- bounds of a definition ---

@pytest.mark.parametrize("duration, message", [
    ("9223372036854775807s",
     "'9223372036854775807s' is longer than the longest duration, 100 years (36500d)"),
    ("300000000000w", "'300000000000w' is longer than the longest duration, 100 years (36500d)"),
    ("P-3D", "must not be negative ('P-3D')"),
    ("0m", "must be longer than zero ('0m')"),
    ("99999999999999999999s", "duration '99999999999999999999s' is too large"),
])
def test_durations_out_of_bounds_are_refused_with_their_path(crm, duration, message):
    path = crm.write("d.json", json.dumps({
        "name": "d", "steps": [{"type": "action", "action": "log", "params": {"message": "x"}},
                               {"type": "wait", "duration": duration}]}))
    p = crm.run("workflows", "validate", path, check=False)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [f"{path}: $.steps[1].duration: {message}"]
    p = crm.run("workflows", "install", path, check=False)
    assert p.returncode == 1 and crm.json("workflows", "list") == []


def test_deep_nesting_is_refused_at_the_limit_without_crashing(crm):
    # Written as text: Python's json module cannot nest this deep itself.
    branch = '{"type": "branch", "condition": true, "then": ['
    steps = branch * 7000 + '{"type": "end"}' + "]}" * 7000
    path = crm.write("deep.json", '{"name": "deep", "steps": [' + steps + "]}")
    p = crm.run("workflows", "validate", path, check=False)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        f"{path}: $.steps[0]{'.then[0]' * 49}: nested deeper than 100 levels of arrays and "
        "objects"]

    cond = '{"not": ' * 30000 + "true" + "}" * 30000
    path = crm.write("nots.json", '{"name": "nots", "trigger": {"event": "complaint.opened", '
                     '"condition": ' + cond + '}, "steps": [{"type": "end"}]}')
    p = crm.run("workflows", "install", path, check=False)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        f"{path}: $.trigger.condition{'.not' * 98}: nested deeper than 100 levels of arrays "
        "and objects"]


def test_wrong_types_are_reported_at_their_path(crm):
    path = crm.write("t.json", json.dumps({
        "name": "t",
        "steps": [{"type": "action", "action": "log", "params": {"message": "x"}},
                  {"type": "wait", "duration": "1h"},
                  {"type": "task", "title": 5, "owner": "support"},
                  {"type": 7}]}))
    p = crm.run("workflows", "validate", path, check=False)
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        f"{path}: $.steps[2].title: expected a string, got number",
        f"{path}: $.steps[3].type: expected a string, got number"]
    assert p.stdout == ""  # a failed command's text goes to stderr only


# --- show, actions, uninstall ---

SHOWN = {
    "name": "shown",
    "description": "for the show test",
    "priority": 7,
    "allow_parallel": True,
    "trigger": {"event": "complaint.opened",
                "condition": {"field": "event.payload.severity", "op": "ge", "value": 3}},
    "steps": [{"type": "wait", "duration": "2h"},
              {"type": "action", "action": "add_tag", "params": {"tag": "seen"}}],
}


def test_workflows_show_prints_the_definition_and_its_version(crm):
    install(crm, SHOWN)
    shown = crm.json("workflows", "show", "shown")
    assert shown == {**SHOWN, "version": 1}
    text = crm.run("workflows", "show", "shown").stdout.splitlines()
    assert text == [
        "workflow shown (version 1, priority 7)",
        "  for the show test",
        '  trigger: complaint.opened if {"field":"event.payload.severity","op":"ge","value":3}',
        "  guards: parallel instances allowed, never re-triggered by its own writes",
        "  steps:",
        "    $.steps[0]  wait 7200s",
        '    $.steps[1]  action add_tag {"tag":"seen"}',
    ]
    # A changed definition is version 2; show prints the current one.
    install(crm, {**SHOWN, "priority": 8})
    assert crm.json("workflows", "show", "shown")["version"] == 2
    assert crm.json("workflows", "show", "shown")["priority"] == 8
    p = crm.run("workflows", "show", "nope", check=False)
    assert p.returncode != 0
    assert p.stderr.strip() == "crm: error: workflow 'nope' is not installed"


def test_workflows_actions_lists_parameters_and_plugin_actions(crm):
    actions = {a["name"]: a for a in crm.json("workflows", "actions")}
    assert actions["add_tag"]["params"] == [
        {"name": "tag", "type": "string", "required": True, "default": None, "help": "tag"}]
    assert [(p["name"], p["required"]) for p in actions["set_field"]["params"]] == [
        ("field", True), ("value", True)]
    create = {p["name"]: p for p in actions["create_task"]["params"]}
    assert create["title"]["required"] and not create["due"]["required"]
    assert "birthdays.days_until" not in actions
    rows = {line.split()[0]: line for line in crm.run("workflows", "actions").stdout.splitlines()}
    assert rows["add_tag"].split()[1] == "tag*"
    assert rows["create_task"].split()[1:5] == ["title*,", "owner*,", "due,", "link"]
    if PLUGIN_DIR:
        loaded = {a["name"]: a for a in crm.json(*with_plugin("workflows", "actions"))}
        assert loaded["birthdays.days_until"]["params"] == []
        assert loaded["birthdays.days_until"]["help"].startswith("days until the customer")


def test_workflows_uninstall_cancels_active_instances_and_keeps_history(crm):
    add_customers(crm, [("U1", "Uma", "uma@example.org", ""), ("U2", "Ugo", "ugo@example.org", "")])
    install(crm, {"name": "napper", "steps": [{"type": "wait", "duration": "1d"}]})
    install(crm, {"name": "other", "steps": [{"type": "wait", "duration": "1d"}]})
    a = crm.json("workflows", "start", "napper", "--customer", "1")["id"]
    b = crm.json("workflows", "start", "other", "--customer", "2")["id"]
    out = crm.json("workflows", "uninstall", "napper")
    assert out == {"uninstalled": "napper"}
    states = {i["id"]: i["state"] for i in crm.json("workflows", "instances")}
    assert states == {a: "cancelled", b: "waiting"}  # only the uninstalled one's
    assert [w["name"] for w in crm.json("workflows", "list")] == ["other"]
    history = crm.json("workflows", "history", str(a))["history"]
    assert history[-1]["outcome"] == "cancelled"
    # Its timer went with it: a month later nothing fires for it.
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    assert crm.json("run-due", "--now", later.strftime("%Y-%m-%dT%H:%M:%SZ"))["fired"] == 1
    p = crm.run("workflows", "uninstall", "napper", check=False)
    assert p.returncode != 0
    assert p.stderr.strip() == "crm: error: workflow 'napper' is not installed"
    assert crm.run("workflows", "uninstall", "other").stdout == "uninstalled workflow other\n"


# --- tasks cancel ---

def test_tasks_cancel_ends_the_wait_and_the_process_goes_on(crm):
    add_customers(crm, [("T1", "Tia", "tia@example.org", "")])
    install(crm, {"name": "asks", "steps": [
        {"type": "task", "title": "Call {{customer.name}}", "owner": "support", "due": "1d",
         "save_as": "call"},
        {"type": "branch", "condition": {"field": "vars.call.status", "op": "eq",
                                         "value": "cancelled"},
         "then": [{"type": "action", "action": "add_tag", "params": {"tag": "not_called"}}],
         "else": [{"type": "action", "action": "add_tag", "params": {"tag": "called"}}]}]})
    inst = crm.json("workflows", "start", "asks", "--customer", "1")
    [task] = crm.json("tasks", "list", "--customer", "1")
    assert task["title"] == "Call Tia" and task["status"] == "open"
    out = crm.json("tasks", "cancel", str(task["id"]))
    assert out == {"id": task["id"], "status": "cancelled"}
    assert crm.json("tasks", "list", "--customer", "1") == []  # open ones only
    [done] = crm.json("tasks", "list", "--customer", "1", "--status", "all")
    assert done["status"] == "cancelled"
    after = crm.json("workflows", "history", str(inst["id"]))["instance"]
    assert after["state"] == "completed"
    assert after["variables"]["call"]["status"] == "cancelled"
    assert after["variables"]["call"]["task_id"] == task["id"]
    tags = crm.json("customers", "show", "1")["customer"]["tags"]
    assert "not_called" in tags and "called" not in tags
    p = crm.run("tasks", "cancel", "999", check=False)
    assert p.returncode != 0 and "999" in p.stderr


# --- every instances filter ---

def test_every_instances_filter_excludes_what_it_should(crm):
    add_customers(crm, [("F1", "Fay", "fay@example.org", ""), ("F2", "Fin", "fin@example.org", "")])
    install(crm, {"name": "waits", "allow_parallel": True,
                  "steps": [{"type": "wait", "duration": "1d"}]})
    install(crm, {"name": "quick", "allow_parallel": True,
                  "steps": [{"type": "action", "action": "add_tag", "params": {"tag": "q"}}]})
    ids = {}
    ids["w1"] = crm.json("workflows", "start", "waits", "--customer", "1")["id"]
    ids["q1"] = crm.json("workflows", "start", "quick", "--customer", "1")["id"]
    ids["w2"] = crm.json("workflows", "start", "waits", "--customer", "2")["id"]
    ids["q2"] = crm.json("workflows", "start", "quick", "--customer", "2")["id"]
    ids["w2b"] = crm.json("workflows", "start", "waits", "--customer", "2")["id"]
    crm.run("workflows", "cancel", str(ids["w2b"]))

    def listed(*args):
        return [i["id"] for i in crm.json("workflows", "instances", *args)]

    newest_first = sorted(ids.values(), reverse=True)
    assert listed() == newest_first
    assert listed("--customer", "1") == [ids["q1"], ids["w1"]]
    assert listed("--customer", "2") == [ids["w2b"], ids["q2"], ids["w2"]]
    assert listed("--workflow", "quick") == [ids["q2"], ids["q1"]]
    assert listed("--state", "waiting") == [ids["w2"], ids["w1"]]
    assert listed("--state", "completed") == [ids["q2"], ids["q1"]]
    assert listed("--state", "cancelled") == [ids["w2b"]]
    assert listed("--state", "failed") == []
    assert listed("--limit", "2") == newest_first[:2]
    assert listed("--limit", "0") == []
    # Filters combine.
    assert listed("--customer", "2", "--workflow", "waits", "--state", "waiting") == [ids["w2"]]
    assert listed("--customer", "2", "--workflow", "waits", "--limit", "1") == [ids["w2b"]]
    assert listed("--workflow", "nope") == []
    assert crm.run("workflows", "instances", "--workflow", "nope").stdout == "no instances\n"
    rows = crm.run("workflows", "instances", "--state", "waiting").stdout.splitlines()
    assert rows[0].split()[:4] == ["ID", "WORKFLOW", "CUSTOMER", "STATE"]
    assert [r.split()[:4] for r in rows[1:]] == [
        [str(ids["w2"]), "waits", "2", "waiting"], [str(ids["w1"]), "waits", "1", "waiting"]]
