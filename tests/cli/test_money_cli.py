"""Amounts from the CLI: the currency column of an interactions CSV, the
default currency, and `segment rfm` refusing purchases in two currencies."""
import json


CUSTOMERS = "external_id,name\nC1,Ann\nC2,Bob\n"


def test_import_reads_the_currency_column_and_shows_exact_amounts(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    f = crm.write("i.csv", "external_id,occurred_at,channel,kind,amount,currency\n"
                  "C1,2026-01-05,store,purchase,0.10,EUR\n"
                  "C1,2026-01-06,store,purchase,1200,JPY\n"
                  "C2,2026-01-07,store,purchase,19.99,\n"
                  "C2,2026-01-08,store,purchase,19.999,USD\n")
    r = json.loads(crm.run("--format", "json", "import", "interactions", f, check=False).stdout)
    assert r["inserted"] == 3
    assert [(e["line"], e["message"]) for e in r["errors"]] == [
        (5, "amount: invalid amount '19.999' in USD: the currency has 2 decimals")]
    shown = {}
    for c in ("1", "2"):
        for t in crm.json("customers", "show", c)["timeline"]:
            if t["type"] == "interaction":
                shown.setdefault(c, []).append(t["amount"])
    assert shown == {"1": ["0.10 EUR", "1200 JPY"], "2": ["19.99 USD"]}


def test_rfm_refuses_purchases_in_two_currencies_naming_them(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    crm.run("interactions", "add", "--customer", "1", "--channel", "store", "--kind", "purchase",
            "--amount", "10 EUR", "--at", "2026-01-05")
    crm.run("interactions", "add", "--customer", "2", "--channel", "store", "--kind", "purchase",
            "--amount", "10", "--at", "2026-01-06")
    p = crm.run("segment", "rfm", "--as-of", "2026-02-01", check=False)
    assert p.returncode == 1 and p.stdout == ""
    assert "purchases are in EUR and USD (customer 2)" in p.stderr, p.stderr
