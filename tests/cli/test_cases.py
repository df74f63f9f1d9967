"""`crm cases ...`, links of interactions and tasks, and the timeline."""
import json
import sqlite3

CUSTOMERS = "external_id,name,email,owner\nA1,Ann,ann@example.org,alice\nB1,Ben,ben@example.org,bob\n"


def with_customers(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    return crm.json("interactions", "add", "--customer", "1", "--channel", "phone",
                    "--kind", "complaint", "--notes", "Kettle broken")["id"]


def test_a_case_goes_through_its_life_cycle_and_shows_its_history(crm):
    call = with_customers(crm)
    opened = crm.json("cases", "open", "--customer", "1", "--type", "complaint", "--subject",
                      "Kettle broken", "--channel", "phone", "--priority", "high", "--owner",
                      "support", "--appeal-point", "refund", "--attitude", "non_expert",
                      "--context", '{"serial": "K-1"}', "--interaction", str(call))
    assert opened == {"id": 1, "status": "open"}
    assert crm.run("cases", "assign", "1", "--to", "carol", "--note", "expert").stdout == \
        "case 1 assigned to carol\n"
    assert crm.run("cases", "status", "1", "in_progress").stdout == "case 1 is in_progress\n"
    assert crm.json("cases", "status", "1", "resolved", "--note", "refunded") == \
        {"id": 1, "status": "resolved"}
    shown = crm.json("cases", "show", "1")
    assert shown["status"] == "resolved" and shown["owner"] == "carol"
    assert shown["appeal_point"] == "refund" and shown["attitude"] == "non_expert"
    assert shown["context"] == {"serial": "K-1"} and shown["interactions"] == [call]
    assert shown["closed_at"] is None
    assert [(h["kind"], h["from"], h["to"], h["actor"], h["note"]) for h in shown["history"]] == [
        ("opened", "", "open", "user:cli", ""),
        ("assigned", "support", "carol", "user:cli", "expert"),
        ("status", "open", "in_progress", "user:cli", ""),
        ("status", "in_progress", "resolved", "user:cli", "refunded")]
    text = crm.run("cases", "show", "1").stdout
    assert "  status: resolved (next: in_progress, closed)\n" in text
    assert "  customer: 1 Ann\n" in text
    assert "History (4 entries):" in text
    crm.run("cases", "status", "1", "closed")
    assert crm.json("cases", "show", "1")["closed_at"] is not None
    audit = [r[0] for r in sqlite3.connect(crm.db).execute(
        "SELECT action FROM audit_log WHERE entity = 'case' ORDER BY id")]
    assert audit == ["case.open", "case.assign", "case.status", "case.status", "case.status"]


def test_forbidden_steps_and_bad_input_fail_naming_what(crm):
    with_customers(crm)
    crm.run("cases", "open", "--customer", "1", "--type", "inquiry", "--subject", "Opening hours")
    p = crm.run("cases", "status", "1", "closed", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == ("crm: error: case 1 cannot go from open to closed "
                                "(allowed: in_progress, waiting, resolved, cancelled)")
    crm.run("cases", "status", "1", "cancelled")
    p = crm.run("cases", "status", "1", "open", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == ("crm: error: case 1 cannot go from cancelled to open "
                                "(cancelled is final)")
    p = crm.run("cases", "assign", "1", "--to", "x", check=False)
    assert p.returncode == 1 and "case 1 is cancelled: it cannot be assigned" in p.stderr
    p = crm.run("cases", "status", "1", "done", check=False)
    assert p.returncode == 1 and "invalid case status 'done'" in p.stderr
    p = crm.run("cases", "open", "--customer", "1", "--type", "rant", "--subject", "x",
                check=False)
    assert p.returncode == 1 and "invalid case type 'rant'" in p.stderr
    p = crm.run("cases", "open", "--customer", "9", "--type", "inquiry", "--subject", "x",
                check=False)
    assert p.returncode == 1 and "customer 9 not found" in p.stderr
    p = crm.run("cases", "open", "--customer", "1", "--type", "inquiry", "--subject", "x",
                "--context", "[1]", check=False)
    assert p.returncode == 1 and "--context must be a JSON object" in p.stderr
    p = crm.run("cases", "show", "5", check=False)
    assert p.returncode == 1 and "case 5 not found" in p.stderr
    # Nothing of the refused writes is left.
    assert sqlite3.connect(crm.db).execute("SELECT COUNT(*) FROM case_history").fetchone() == (2,)
    assert len(crm.json("cases", "list", "--status", "all")) == 1


def test_list_filters_and_defaults_to_active_cases(crm):
    with_customers(crm)
    for customer, kind, owner in [("1", "complaint", "support"), ("2", "inquiry", "sales"),
                                  ("1", "repair_request", "support")]:
        crm.run("cases", "open", "--customer", customer, "--type", kind, "--subject", kind,
                "--owner", owner)
    crm.run("cases", "status", "3", "cancelled")
    ids = lambda *a: [c["id"] for c in crm.json("cases", "list", *a)]
    assert ids() == [2, 1]
    assert ids("--status", "all") == [3, 2, 1]
    assert ids("--status", "cancelled") == [3]
    assert ids("--customer", "1", "--status", "all") == [3, 1]
    assert ids("--owner", "sales") == [2]
    assert ids("--type", "complaint") == [1]
    lines = crm.run("cases", "list").stdout.splitlines()
    assert lines[0].split() == ["ID", "CUSTOMER", "TYPE", "PRIORITY", "STATUS", "OWNER",
                                "SUBJECT", "OPENED"]
    assert lines[1].split()[:6] == ["2", "2", "inquiry", "normal", "open", "sales"]
    assert lines[-1] == "2 cases"


def test_interactions_link_to_cases_and_the_timeline_shows_them(crm):
    with_customers(crm)
    crm.run("cases", "open", "--customer", "1", "--type", "complaint", "--subject",
            "Kettle broken")
    second = crm.json("interactions", "add", "--customer", "1", "--channel", "email", "--kind",
                      "message", "--case", "1", "--link", "product:4")["id"]
    assert crm.json("cases", "show", "1")["interactions"] == [second]
    # Another customer's case, an unknown case and a malformed link are refused.
    p = crm.run("interactions", "add", "--customer", "2", "--channel", "phone", "--kind", "call",
                "--case", "1", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == "crm: error: interaction link case:1 belongs to customer 1, not 2"
    p = crm.run("interactions", "add", "--customer", "1", "--channel", "phone", "--kind", "call",
                "--case", "case:8", check=False)
    assert p.returncode == 1 and "interaction link case:8 not found" in p.stderr
    p = crm.run("interactions", "add", "--customer", "1", "--channel", "phone", "--kind", "call",
                "--link", "product", check=False)
    assert p.returncode == 1 and "invalid link 'product'" in p.stderr
    shown = crm.json("customers", "show", "1")
    [linked] = [e for e in shown["timeline"] if e["type"] == "interaction" and e["id"] == second]
    assert linked["links"] == [{"type": "case", "id": 1}, {"type": "product", "id": 4}]
    [case] = [e for e in shown["timeline"] if e["type"] == "case"]
    assert case["id"] == 1 and case["case_type"] == "complaint" and case["status"] == "open"
    text = crm.run("customers", "show", "1").stdout
    assert "links: case 1 (complaint: Kettle broken, open), product:4" in text
    assert "complaint: Kettle broken" in text
    # A case moved along shows its new status in the links.
    crm.run("cases", "status", "1", "in_progress")
    assert "links: case 1 (complaint: Kettle broken, in_progress)" in \
        crm.run("customers", "show", "1").stdout


def test_imported_case_ids_become_links(crm):
    with_customers(crm)
    crm.run("cases", "open", "--customer", "1", "--type", "complaint", "--subject", "Late")
    csv = ("external_id,occurred_at,channel,kind,case_id,links\n"
           "A1,2026-01-02,phone,call,1,product:3\n"
           "A1,2026-01-03,phone,call,case:1,\n"
           "B1,2026-01-04,phone,call,1,\n"
           "A1,2026-01-05,phone,call,ticket-9,\n")
    r = crm.json("import", "interactions", crm.write("i.csv", csv))
    assert (r["inserted"], r["skipped"]) == (2, 2)
    assert [e["line"] for e in r["errors"]] == [4, 5]
    assert "belongs to customer 1, not 2" in r["errors"][0]["message"]
    assert "ticket-9" in r["errors"][1]["message"]
    assert len(crm.json("cases", "show", "1")["interactions"]) == 2


def test_the_workflow_actions_open_assign_and_move_a_case(crm):
    with_customers(crm)
    flow = {
        "name": "inquiries",
        "trigger": {"event": "interaction.recorded",
                    "condition": {"field": "event.payload.kind", "op": "eq", "value": "inquiry"}},
        "steps": [
            {"type": "action", "action": "open_case", "save_as": "case",
             "params": {"type": "inquiry", "subject": "Asked by {{event.payload.channel}}",
                        "channel": "{{event.payload.channel}}", "owner": "desk",
                        "interaction": "{{event.payload.interaction_id}}"}},
            {"type": "action", "action": "assign_case",
             "params": {"case": "{{vars.case.case_id}}", "owner": "expert"}},
            {"type": "action", "action": "set_case_status",
             "params": {"case": "{{vars.case.case_id}}", "status": "resolved",
                        "note": "answered"}}]}
    crm.run("workflows", "install", crm.write("w.json", json.dumps(flow)))
    call = crm.json("interactions", "add", "--customer", "2", "--channel", "chat", "--kind",
                    "inquiry")["id"]
    [case] = crm.json("cases", "list", "--status", "all")
    assert (case["customer_id"], case["type"], case["subject"], case["channel"]) == \
        (2, "inquiry", "Asked by chat", "chat")
    assert (case["owner"], case["status"], case["interactions"]) == ("expert", "resolved", [call])
    history = crm.json("cases", "show", str(case["id"]))["history"]
    assert [h["kind"] for h in history] == ["opened", "assigned", "status"]
    assert history[2]["note"] == "answered" and history[2]["actor"].startswith("workflow")
