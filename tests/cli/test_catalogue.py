"""Products, the price list, purchase lines, assets and channels from the CLI."""
import json


def add_customer(crm, name="Ada"):
    path = crm.write("c.csv", f"name,external_id\n{name},X-{name}\n")
    crm.run("import", "customers", path)
    return crm.json("customers", "list", "--search", name)[0]["id"]


def test_products_prices_and_lines(crm):
    crm.run("products", "add", "--sku", "WM-100", "--name", "Washing machine",
            "--category", "appliances", "--serialised", "--warranty-months", "24")
    crm.run("products", "price", "WM-100", "--price", "499.00 EUR", "--from", "2026-01-01",
            "--to", "2026-03-31")
    crm.run("products", "price", "WM-100", "--price", "449.00 EUR", "--from", "2026-04-01")
    assert crm.json("products", "price", "WM-100", "--on", "2026-03-31")["unit_price"] == "499.00 EUR"
    assert crm.json("products", "price", "WM-100", "--on", "2026-04-01")["unit_price"] == "449.00 EUR"
    p = crm.run("products", "price", "WM-100", "--on", "2025-12-31", check=False)
    assert p.returncode != 0 and "WM-100 has no price on 2025-12-31" in p.stderr
    p = crm.run("products", "price", "WM-100", "--price", "1.00 EUR", "--from", "2026-03-31",
                "--to", "2026-04-02", check=False)
    assert p.returncode != 0
    assert "overlaps its price 499.00 EUR of 2026-01-01..2026-03-31" in p.stderr
    shown = crm.json("products", "show", "WM-100")
    assert [x["unit_price"] for x in shown["prices"]] == ["499.00 EUR", "449.00 EUR"]
    assert shown["serialised"] is True and shown["warranty_months"] == 24
    assert [x["sku"] for x in crm.json("products", "list", "--category", "appliances")] == ["WM-100"]

    cid = add_customer(crm)
    rec = crm.json("interactions", "add", "--customer", str(cid), "--channel", "store",
                   "--kind", "purchase", "--at", "2026-04-01T08:00:00Z")
    out = crm.json("purchases", "add", str(rec["id"]), "--sku", "WM-100", "--quantity", "2")
    assert out["lines"][0]["unit_price"] == "449.00 EUR"
    assert out["total"] == "898.00 EUR"
    out = crm.json("purchases", "show", str(rec["id"]))
    assert len(out["lines"]) == 1 and out["lines"][0]["sku"] == "WM-100"


def test_assets_and_warranty(crm):
    crm.run("products", "add", "--sku", "WM-100", "--name", "Washer", "--serialised",
            "--warranty-months", "24")
    crm.run("products", "add", "--sku", "SOAP", "--name", "Soap")
    cid = add_customer(crm)
    out = crm.json("assets", "add", "--customer", str(cid), "--sku", "WM-100", "--serial", "SN-1",
                   "--purchased", "2024-03-15")
    assert out["warranty_end"] == "2026-03-14" and out["sku"] == "WM-100"
    w = crm.json("assets", "warranty", "SN-1", "--on", "2026-03-14")
    assert w["under_warranty"] is True and w["days_left"] == 0
    w = crm.json("assets", "warranty", "SN-1", "--on", "2026-03-15")
    assert w["under_warranty"] is False and w["days_left"] == -1
    text = crm.run("assets", "warranty", "SN-1", "--on", "2026-03-15").stdout
    assert "warranty ended 2026-03-14" in text
    p = crm.run("assets", "add", "--customer", str(cid), "--sku", "WM-100", "--serial", "SN-1",
                "--purchased", "2024-03-15", check=False)
    assert p.returncode != 0 and "serial 'SN-1' is registered already" in p.stderr
    p = crm.run("assets", "add", "--customer", str(cid), "--sku", "SOAP", "--serial", "S-2",
                "--purchased", "2024-03-15", check=False)
    assert p.returncode != 0 and "SOAP is not serialised" in p.stderr
    p = crm.run("assets", "warranty", "NOPE", check=False)
    assert p.returncode != 0 and "no asset with serial 'NOPE'" in p.stderr
    p = crm.run("assets", "add", "--customer", str(cid), "--sku", "WM-100", "--serial", "S-3",
                "--purchased", "2024-02-30", check=False)
    assert p.returncode != 0 and "--purchased" in p.stderr
    assert [a["serial"] for a in crm.json("assets", "list", "--customer", str(cid))] == ["SN-1"]
    assert crm.json("assets", "show", "SN-1")["customer_id"] == cid


def test_imports(crm):
    products = crm.write("p.csv", "sku,name,serialised,warranty_months,price,price_from\n"
                                  "TV-55,Television,yes,36,899.00 EUR,2026-01-01\n"
                                  "TV-55,Again,yes,36,,\n")
    p = crm.run("products", "import", products, check=False)
    assert p.returncode == 1
    assert "p.csv:3: product sku 'TV-55' exists already" in p.stdout + p.stderr
    cid = add_customer(crm)
    rec = crm.json("interactions", "add", "--customer", str(cid), "--channel", "store",
                   "--kind", "purchase", "--at", "2026-02-01T10:00:00Z")
    lines = crm.write("l.csv", f"interaction_id,sku,quantity,serial\n{rec['id']},TV-55,1,TV-SN-7\n")
    out = crm.json("purchases", "import", lines)
    assert out["inserted"] == 1 and out["committed"] is True
    w = crm.json("assets", "warranty", "TV-SN-7", "--on", "2029-01-31")
    assert w["under_warranty"] is True and w["asset"]["purchase"] == rec["id"]
    assert crm.json("assets", "warranty", "TV-SN-7", "--on", "2029-02-01")["under_warranty"] is False


def test_channels_and_costs(crm):
    rows = {c["name"]: c for c in crm.json("channels", "list")}
    assert rows["visit"]["cost_per_contact"] == "5.00 USD" and rows["visit"]["assumed"] is False
    assert rows["phone"]["cost_per_contact"] == "0.05 USD"
    assert rows["web"]["cost_per_contact"] == "0.02 USD" and rows["web"]["assumed"] is True
    assert "* an assumed default" in crm.run("channels", "list").stdout
    cfg = crm.write("crm.json", json.dumps({"channels": {"visit": {"cost": "6.00 USD"},
                                                         "fax": {"cost": "0.20 USD"}}}))
    rows = {c["name"]: c for c in crm.json("--config", cfg, "channels", "list")}
    assert rows["visit"]["cost_per_contact"] == "6.00 USD" and rows["visit"]["assumed"] is False
    assert rows["fax"]["cost_per_contact"] == "0.20 USD"
    cid = add_customer(crm)
    crm.run("--config", cfg, "interactions", "add", "--customer", str(cid), "--channel", "visit",
            "--kind", "visit")
    crm.run("interactions", "add", "--customer", str(cid), "--channel", "visit", "--kind", "visit")
    costs = [t["channel_cost"] for t in crm.json("customers", "show", str(cid))["timeline"]
             if t["type"] == "interaction"]
    assert costs == ["6.00 USD", "5.00 USD"]
    bad = crm.write("bad.json", json.dumps({"channels": {"visit": {"cost": "cheap"}}}))
    p = crm.run("--config", bad, "channels", "list", check=False)
    assert p.returncode != 0
    assert "configuration " + bad + ": key channels.visit.cost:" in p.stderr
