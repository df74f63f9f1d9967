"""`crm customers export|erase|tables` with the loyalty fixture plugin: the
export holds every table of the customer, the erasure leaves none of the
customer's personal data in the database file and keeps the counts."""
import json
import os
import sqlite3

import pytest

PEOPLE = """external_id,name,email,phone,owner
Q1,Quentin Quxley,quentin@quxley.example,+43 1 100,alice
S2,Sara Standoff,sara@standoff.example,+43 1 200,bob
"""


@pytest.fixture
def shop(crm):
    crm.plugins = ["--plugin-dir", os.environ["CRM_LOYALTY_PLUGIN_DIR"]]
    assert crm.json("import", "customers", crm.write("people.csv", PEOPLE))["inserted"] == 2
    for who in ("1", "2"):
        crm.run("interactions", "add", "--customer", who, "--channel", "phone", "--kind", "call",
                "--at", "2025-12-01T10:00:00Z", "--notes", f"secret of {who} Quxley" if who == "1"
                else "secret of Standoff", "--commitment", "call back")
        crm.run(*crm.plugins, "loyalty", "earn", "--customer", who, "--points", "30",
                "--card", f"card-{who}", "--note", "welcome Quxley" if who == "1" else "welcome")
    return crm


def cells_containing(db, needle):
    con = sqlite3.connect(db)
    hits = []
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for col in [r[1] for r in con.execute(f"PRAGMA table_info({table})")]:
            n = con.execute(f"SELECT COUNT(*) FROM {table} WHERE CAST({col} AS TEXT) LIKE ?",
                            (f"%{needle}%",)).fetchone()[0]
            if n:
                hits.append(f"{table}.{col}")
    con.close()
    return hits


def test_export_holds_the_customers_rows_of_every_table(shop):
    e = shop.json(*shop.plugins, "customers", "export", "1")
    assert e["customer"]["email"] == "quentin@quxley.example"
    assert e["erased_at"] is None
    tables = e["tables"]
    assert [r["notes"] for r in tables["kernel"]["interactions"]] == ["secret of 1 Quxley"]
    assert [(r["points"], r["note"]) for r in tables["loyalty"]["loyalty_ledger"]] == \
        [(30, "welcome Quxley")]
    assert [r["card_number"] for r in tables["loyalty"]["loyalty_accounts"]] == ["card-1"]
    actions = [r["action"] for r in tables["kernel"]["audit_log"]]
    assert actions[0] == "customer.create" and "loyalty.earn" in actions
    assert all(r["customer_id"] == 1 for r in tables["kernel"]["audit_log"])
    # The export itself is on record afterwards.
    again = shop.json(*shop.plugins, "customers", "export", "1")
    assert [r["action"] for r in again["tables"]["kernel"]["audit_log"]][-1] == "customer.export"


def test_erase_needs_yes_and_then_forgets_the_customer_everywhere(shop):
    p = shop.run(*shop.plugins, "customers", "erase", "1", check=False)
    assert p.returncode != 0
    assert "pass --yes" in p.stderr
    assert cells_containing(shop.db, "Quxley")

    r = shop.json(*shop.plugins, "customers", "erase", "1", "--yes")
    assert r["customer"] == 1
    assert r["deleted"]["loyalty.loyalty_accounts"] == 1
    assert r["anonymised"]["loyalty.loyalty_ledger"] == 1
    assert cells_containing(shop.db, "Quxley") == []
    assert cells_containing(shop.db, "quentin") == []
    assert cells_containing(shop.db, "Standoff")  # someone else's stays

    con = sqlite3.connect(shop.db)
    # Aggregates stay: the interaction and the points still count.
    assert con.execute("SELECT COUNT(*), MIN(occurred_at) FROM interactions WHERE customer_id = 1"
                       ).fetchone() == (1, 1764583200)
    assert con.execute("SELECT SUM(points) FROM loyalty_ledger WHERE customer_id = 1"
                       ).fetchone() == (30,)
    last = con.execute("SELECT action, actor, details FROM audit_log WHERE customer_id = 1 "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    assert last[:2] == ("customer.erase", "user:cli")
    assert json.loads(last[2])["deleted"]["loyalty.loyalty_accounts"] == 1

    shown = shop.json("customers", "show", "1")
    assert "erased customer 1" in json.dumps(shown)


def test_erase_of_an_unknown_customer_fails_naming_it(shop):
    p = shop.run(*shop.plugins, "customers", "erase", "99", "--yes", check=False)
    assert p.returncode != 0
    assert "customer 99 not found" in p.stderr


def test_merge_through_the_cli_moves_the_plugins_rows(shop):
    shop.run(*shop.plugins, "customers", "merge", "1", "2")
    con = sqlite3.connect(shop.db)
    assert con.execute("SELECT customer_id, COUNT(*) FROM loyalty_ledger GROUP BY customer_id"
                       ).fetchall() == [(1, 2)]
    # The survivor's account wins; its balance is the whole ledger.
    assert con.execute("SELECT customer_id, card_number, points FROM loyalty_accounts"
                       ).fetchall() == [(1, "card-1", 60)]
    con.close()


def test_tables_lists_the_declarations(shop):
    rows = shop.json(*shop.plugins, "customers", "tables")
    by_table = {r["table"]: r for r in rows}
    assert (by_table["loyalty_ledger"]["owner"], by_table["loyalty_ledger"]["on_merge"],
            by_table["loyalty_ledger"]["on_erase"]) == ("loyalty", "keep_both", "anonymise")
    assert [a["column"] for a in by_table["loyalty_ledger"]["anonymise"]] == ["note"]
    assert by_table["interactions"]["owner"] == "kernel"
    text = shop.run(*shop.plugins, "customers", "tables").stdout
    assert "loyalty_accounts" in text and "move" in text
