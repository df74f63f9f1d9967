"""What `crm` refuses at the door (text that is not UTF-8, amounts that are
not exact decimal amounts of their currency, dates outside 1900-01-01..2200-12-31) and how `customers list`
matches --search and --tag."""
import json
import sqlite3

CUSTOMERS = "external_id,name,email\nC1,Ann,ann@example.org\nC2,Bob,bob@example.org\n"


def names(crm, *args):
    return [c["name"] for c in crm.json("customers", "list", *args)]


def add_purchase(crm, *args, check=True):
    return crm.run("interactions", "add", "--customer", "1", "--channel", "store", "--kind",
                   "purchase", *args, check=check)


def test_amounts_that_are_not_decimals_of_the_currency_are_refused_naming_the_option(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    for text in ["inf", "-inf", "nan", "infinity", "NaN"]:
        p = add_purchase(crm, "--amount", text, check=False)
        assert p.returncode == 1, text
        assert p.stderr.strip() == (f"crm: error: --amount: invalid amount '{text}' in USD: "
                                    "expected digits such as 12.50")
    p = add_purchase(crm, "--amount", "1e400", check=False)
    assert p.returncode == 1 and "invalid amount '1e400' in USD" in p.stderr
    p = add_purchase(crm, "--amount", "1.005 EUR", check=False)
    assert p.returncode == 1 and p.stderr.strip() == (
        "crm: error: --amount: invalid amount '1.005' in EUR: the currency has 2 decimals")
    assert sqlite3.connect(crm.db).execute("SELECT COUNT(*) FROM interactions").fetchone() == (0,)
    add_purchase(crm, "--amount", "-12.5", "--at", "2026-01-05")
    add_purchase(crm, "--amount", "1200 JPY", "--at", "2026-01-06")
    rows = sqlite3.connect(crm.db).execute(
        "SELECT amount_minor, currency FROM interactions ORDER BY id").fetchall()
    assert rows == [(-1250, "USD"), (1200, "JPY")]


def test_imported_non_finite_amount_is_a_row_error_and_analytics_still_run(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    f = crm.write("i.csv", "external_id,occurred_at,channel,kind,amount\n"
                  "C1,2026-01-05,store,purchase,20\n"
                  "C1,2026-02-05,store,purchase,inf\n"
                  "C2,2026-02-06,store,purchase,nan\n"
                  "C2,2026-03-01,store,purchase,35\n")
    r = crm.run("--format", "json", "import", "interactions", f, check=False)
    body = json.loads(r.stdout)
    assert body["inserted"] == 2
    assert [(e["line"], e["message"]) for e in body["errors"]] == [
        (3, "amount: invalid amount 'inf' in USD: expected digits such as 12.50"),
        (4, "amount: invalid amount 'nan' in USD: expected digits such as 12.50")]
    amounts = sqlite3.connect(crm.db).execute(
        "SELECT amount_minor FROM interactions ORDER BY id")
    assert [a for (a,) in amounts] == [2000, 3500]
    for command in (["segment", "rfm", "--as-of", "2026-04-01"],
                    ["segment", "abc", "--to", "2026-04-01"],
                    ["churn", "report", "--as-of", "2026-04-01"],
                    ["cohorts", "--period", "week", "--as-of", "2026-04-01"]):
        crm.json(*command)


def test_dates_outside_1900_to_2200_are_refused_at_the_door(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    for when in ["0000-01-01", "1899-12-31", "2201-01-01", "9999-12-31T00:00:00Z"]:
        p = add_purchase(crm, "--amount", "5", "--at", when, check=False)
        assert p.returncode == 1, when
        assert p.stderr.strip() == (f"crm: error: invalid date/time '{when}': outside the "
                                    "supported range 1900-01-01 to 2200-12-31")
    f = crm.write("i.csv", "external_id,occurred_at,channel,kind,amount\n"
                  "C1,9999-12-31,store,purchase,20\n"
                  "C2,2026-03-01,store,purchase,35\n")
    body = json.loads(crm.run("--format", "json", "import", "interactions", f).stdout)
    assert body["inserted"] == 1 and body["errors"][0]["line"] == 2
    assert "outside the supported range" in body["errors"][0]["message"]
    p = crm.run("customers", "list", check=False)
    assert p.returncode == 0
    # The edges themselves are accepted, and a weekly cohort table spanning
    # them stays the size of its data.
    add_purchase(crm, "--amount", "5", "--at", "1900-01-01")
    cohorts = crm.json("cohorts", "--period", "week", "--as-of", "2026-03-31")["cohorts"]
    assert [(c["start"], c["size"]) for c in cohorts] == [("1900-01-01", 1), ("2026-02-23", 1)]
    assert len(cohorts[0]["active"]) == 6588 and len(cohorts[1]["active"]) == 6


def test_invalid_utf8_in_a_command_option_is_refused_naming_the_field(crm):
    crm.json("import", "customers", crm.write("c.csv", CUSTOMERS))
    bad = "caf\udcc3"  # the byte 0xC3 alone: an unfinished two-byte sequence
    for option, field in [("--notes", "notes"), ("--agent", "agent"),
                          ("--commitment", "commitment"), ("--channel", "channel")]:
        args = ["interactions", "add", "--customer", "1", "--kind", "call"]
        if option != "--channel":
            args += ["--channel", "phone"]
        p = crm.run(*args, option, bad, check=False)
        assert p.returncode == 1, option
        assert p.stderr.strip() == (f"crm: error: interaction {field}: invalid UTF-8 at byte 4 "
                                    "(after 'caf')")
    p = crm.run("customers", "reassign", "--from", "x", "--to", bad, check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == ("crm: error: reassign: new owner: invalid UTF-8 at byte 4 "
                                "(after 'caf')")
    assert sqlite3.connect(crm.db).execute("SELECT COUNT(*) FROM interactions").fetchone() == (0,)
    crm.json("customers", "list")


def test_invalid_utf8_in_imported_customers_is_a_row_error_and_json_still_prints(crm):
    header = "external_id,name,email,phone,owner,segment,tags,city"
    good = ["G{n}", "Good {n}", "g{n}@example.org", "+43 1 {n}", "alice", "gold", "vip", "Graz"]
    rows = [",".join(v.format(n=0) for v in good)]
    fields = ["external_id", "name", "email", "phone", "owner", "segment", "tags",
              "attributes.city"]
    for col in range(len(good)):
        values = [v.format(n=col + 1) for v in good]
        values[col] = values[col][:1] + "\udcff" + values[col][1:]
        rows.append(",".join(values))
    text = header + "\n" + "\n".join(rows) + "\n"
    path = crm.workdir / "bad.csv"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    body = json.loads(crm.run("--format", "json", "import", "customers", str(path),
                              check=False).stdout)
    assert body["inserted"] == 1
    assert [(e["line"], e["message"].split(":")[0]) for e in body["errors"]] == [
        (n + 3, f"customer {field}") for n, field in enumerate(fields)]
    assert all("invalid UTF-8 at byte 2" in e["message"] for e in body["errors"])
    listed = crm.json("customers", "list")
    assert [c["name"] for c in listed] == ["Good 0"]


def test_search_is_literal_and_tag_is_exact(crm):
    f = crm.write("c.csv", "external_id,name,tags\n"
                  "A,50% off club,VIP\n"
                  "B,500 club,vip\n"
                  "C,a_b trading,vip-gold\n"
                  "D,axb trading,a_b\n"
                  "E,other,axb\n")
    crm.json("import", "customers", f)
    assert names(crm, "--search", "50%") == ["50% off club"]
    assert names(crm, "--search", "a_b") == ["a_b trading"]
    assert names(crm, "--search", "CLUB") == ["50% off club", "500 club"]
    assert names(crm, "--tag", "vip") == ["500 club"]
    assert names(crm, "--tag", "VIP") == ["50% off club"]
    assert names(crm, "--tag", "a_b") == ["axb trading"]
    assert names(crm, "--tag", "vip%") == []
