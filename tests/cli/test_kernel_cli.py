"""Kernel commands through `crm`: upsert imports, every `customers list`
filter (each with data it must leave out) and `sample interactions`."""
import csv
import io
import json

import pytest

PEOPLE = """external_id,name,email,phone,owner,stage,segment,tags
P1,Anna Berg,anna@example.org,+43 1 100,alice,prospect,gold,vip;b2b
P2,Ben Cole,ben@example.org,+43 1 200,alice,customer,silver,vipx
P3,Cara Dunn,cara@shop.example,+43 1 300,bob,customer,gold,b2b
P4,Dan Evans,dan@example.org,+43 1 400,bob,loyal,,vip
P5,Eve Berger,eve@example.org,+43 1 500,carol,lost,bronze,
"""


def ids(rows):
    return [c["id"] for c in rows]


@pytest.fixture
def people(crm):
    r = crm.json("import", "customers", crm.write("people.csv", PEOPLE))
    assert (r["inserted"], r["skipped"]) == (5, 0)
    return crm


# ---- import --mode upsert ---------------------------------------------------

def test_upsert_by_external_id_updates_known_rows_and_creates_new_ones(people):
    f = people.write("up.csv",
                     "external_id,name,segment,owner\n"
                     "P2,,platinum,\n"           # known: only the segment changes
                     "P9,Ida Fox,gold,dave\n"    # unknown: created
                     "P5,Eve B.,,erin\n")        # known: name and owner change
    p = people.run("--format", "json", "import", "customers", "--mode", "upsert", f)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert (r["read"], r["inserted"], r["updated"], r["skipped"], r["errors"], r["committed"]) == \
        (3, 1, 2, 0, [], True)
    by_ext = {c["external_id"]: c for c in people.json("customers", "list")}
    assert len(by_ext) == 6
    assert (by_ext["P2"]["name"], by_ext["P2"]["segment"], by_ext["P2"]["owner"]) == \
        ("Ben Cole", "platinum", "alice")
    assert (by_ext["P5"]["name"], by_ext["P5"]["segment"], by_ext["P5"]["owner"]) == \
        ("Eve B.", "bronze", "erin")
    assert (by_ext["P9"]["id"], by_ext["P9"]["name"], by_ext["P9"]["owner"]) == (6, "Ida Fox", "dave")
    # The owner change is a handover on the customer's timeline.
    timeline = people.json("customers", "show", "5")["timeline"]
    handovers = [t["details"] for t in timeline if t.get("action") == "customer.handover"]
    assert handovers == [{"from": "carol", "to": "erin"}]


def test_upsert_by_email_matches_normalised_addresses(people):
    f = people.write("up.csv", "email,name,stage\n ANNA@Example.org ,,loyal\nnew@example.org,New One,\n")
    p = people.run("--format", "json", "import", "customers", "--mode", "upsert", "--match", "email", f)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert (r["inserted"], r["updated"], r["skipped"]) == (1, 1, 0)
    anna = people.json("customers", "show", "1")["customer"]
    # The matching cell is a value like any other: written as given, trimmed.
    assert (anna["name"], anna["stage"], anna["email"]) == ("Anna Berg", "loyal", "ANNA@Example.org")
    assert [c["name"] for c in people.json("customers", "list", "--search", "new@")] == ["New One"]


def test_upsert_without_a_name_for_a_new_row_skips_only_that_row(people):
    f = people.write("up.csv", "external_id,name,segment\nP1,,iron\nP8,,gold\n")
    p = people.run("--format", "json", "import", "customers", "--mode", "upsert", f)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert (r["inserted"], r["updated"], r["skipped"]) == (0, 1, 1)
    assert r["errors"] == [{"line": 3, "message": "customer name is empty"}]
    assert people.json("customers", "show", "1")["customer"]["segment"] == "iron"


def test_upsert_needs_the_match_and_name_columns(people):
    no_key = people.write("nokey.csv", "name,segment\nX,gold\n")
    p = people.run("import", "customers", "--mode", "upsert", no_key, check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == f"crm: error: {no_key}:1: --match external_id needs a 'external_id' column"
    no_name = people.write("noname.csv", "external_id,segment\nP1,gold\n")
    p = people.run("import", "customers", "--mode", "upsert", no_name, check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == f"crm: error: {no_name}:1: no 'name' column"
    # Neither wrote anything.
    assert people.json("customers", "show", "1")["customer"]["segment"] == "gold"


def test_update_mode_refuses_unknown_rows_and_creates_nothing(people):
    f = people.write("u.csv", "external_id,segment\nP3,iron\nP404,gold\n")
    p = people.run("--format", "json", "import", "customers", "--mode", "update", f)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert (r["inserted"], r["updated"], r["skipped"]) == (0, 1, 1)
    assert r["errors"] == [{"line": 3, "message": "no customer with external_id 'P404'"}]
    assert len(people.json("customers", "list")) == 5


# ---- customers list filters ---------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    ((), [1, 2, 3, 4, 5]),
    (("--owner", "alice"), [1, 2]),
    (("--owner", "bob"), [3, 4]),
    (("--owner", "nobody"), []),
    (("--stage", "customer"), [2, 3]),
    (("--stage", "loyal"), [4]),
    (("--segment", "gold"), [1, 3]),
    (("--segment", "bronze"), [5]),
    # A whole tag only: "vip" is not "vipx".
    (("--tag", "vip"), [1, 4]),
    (("--tag", "vipx"), [2]),
    (("--tag", "b2b"), [1, 3]),
    (("--tag", "vi"), []),
    # Search looks in the name, the e-mail and the external id.
    (("--search", "Berg"), [1, 5]),
    (("--search", "shop.example"), [3]),
    (("--search", "P4"), [4]),
    (("--search", "zzz"), []),
    # Filters combine.
    (("--owner", "alice", "--segment", "gold"), [1]),
    (("--owner", "bob", "--stage", "loyal", "--tag", "vip"), [4]),
    (("--segment", "gold", "--search", "Cara"), [3]),
    (("--owner", "alice", "--stage", "loyal"), []),
    # Paging, by id.
    (("--limit", "2"), [1, 2]),
    (("--limit", "2", "--offset", "1"), [2, 3]),
    (("--offset", "3"), [4, 5]),
    (("--limit", "all", "--offset", "4"), [5]),
    (("--owner", "bob", "--limit", "1", "--offset", "1"), [4]),
])
def test_customers_list_filter(people, args, expected):
    assert ids(people.json("customers", "list", *args)) == expected


def test_customers_list_default_limit_is_fifty(crm):
    rows = "".join(f"L{i},Person {i}\n" for i in range(1, 61))
    crm.json("import", "customers", crm.write("many.csv", "external_id,name\n" + rows))
    assert ids(crm.json("customers", "list")) == list(range(1, 51))
    assert ids(crm.json("customers", "list", "--offset", "55")) == [56, 57, 58, 59, 60]
    text = crm.run("customers", "list").stdout
    assert text.strip().splitlines()[-1] == "showing 50 of 60 customers; --limit/--offset for more"
    text = crm.run("customers", "list", "--owner", "nobody").stdout
    assert text.strip().splitlines()[-1] == "0 customers matching"


def test_customers_list_text_shows_the_filtered_rows(people):
    text = people.run("customers", "list", "--tag", "vip").stdout
    lines = text.strip().splitlines()
    assert lines[0].split()[:3] == ["ID", "EXTERNAL", "NAME"]
    assert [l.split()[1] for l in lines[1:-1]] == ["P1", "P4"]
    assert lines[-1] == "2 customers matching"


def test_customers_list_bad_limit_is_an_error(people):
    p = people.run("customers", "list", "--limit", "lots", check=False)
    assert p.returncode != 0
    assert "limit" in p.stderr and len(p.stderr.strip().splitlines()) == 1


# ---- sample interactions -------------------------------------------------------

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_sample_interactions_match_sample_customers_and_import_cleanly(crm):
    c = crm.json("sample", "customers", "--count", "40", "--seed", "7", "--out", "c.csv")
    i = crm.json("sample", "interactions", "--count", "40", "--seed", "7", "--out", "i.csv")
    assert c == {"file": "c.csv", "rows": 40}
    rows = read_csv(crm.workdir / "i.csv")
    assert i["file"] == "i.csv" and i["rows"] == len(rows) > 40
    keys = {r["external_id"] for r in rows}
    customers = {r["external_id"] for r in read_csv(crm.workdir / "c.csv")}
    assert keys <= customers == {f"C{n:06d}" for n in range(1, 41)}
    assert {r["kind"] for r in rows} <= {"purchase", "call", "complaint", "visit"}
    assert "purchase" in {r["kind"] for r in rows}
    for r in rows:
        assert "2024-01-01T00:00:00Z" <= r["occurred_at"] <= "2025-12-31T00:00:00Z", r
        assert (r["amount"] != "") == (r["kind"] == "purchase"), r
    crm.json("import", "customers", str(crm.workdir / "c.csv"))
    imported = crm.json("import", "interactions", str(crm.workdir / "i.csv"))
    assert (imported["inserted"], imported["skipped"]) == (len(rows), 0)


def test_sample_interactions_are_deterministic_per_seed_and_count(crm):
    crm.run("sample", "interactions", "--count", "30", "--seed", "5", "--out", "a.csv")
    crm.run("sample", "interactions", "--count", "30", "--seed", "5", "--out", "b.csv")
    crm.run("sample", "interactions", "--count", "30", "--seed", "6", "--out", "c.csv")
    crm.run("sample", "interactions", "--count", "10", "--seed", "5", "--out", "d.csv")
    a, b, c, d = ((crm.workdir / n).read_text() for n in ("a.csv", "b.csv", "c.csv", "d.csv"))
    assert a == b
    assert a != c
    assert {r["external_id"] for r in csv.DictReader(io.StringIO(d))} <= \
        {f"C{n:06d}" for n in range(1, 11)}
    assert max(r["external_id"] for r in csv.DictReader(io.StringIO(a))) > "C000010"


def test_sample_interactions_defaults(crm):
    p = crm.run("sample", "interactions")
    rows = read_csv(crm.workdir / "interactions.csv")
    assert p.stdout == f"wrote {len(rows)} interactions to interactions.csv\n"
    assert max(r["external_id"] for r in rows) <= "C001000"
    assert max(r["external_id"] for r in rows) > "C000900"
    seeded = crm.json("sample", "interactions", "--seed", "42", "--out", "s42.csv")
    assert (crm.workdir / "s42.csv").read_text() == (crm.workdir / "interactions.csv").read_text()
    assert seeded["rows"] == len(rows)
    assert not (crm.workdir / "customers.csv").exists()


def test_sample_interactions_cover_the_last_customer(crm):
    # With one customer, some of ten seeds gives it interactions (each seed
    # gives none with a chance of about 1 in 7); every row is that customer's.
    seen = set()
    for seed in range(1, 11):
        out = crm.json("sample", "interactions", "--count", "1", "--seed", str(seed), "--out", "one.csv",
                       "--force")
        rows = read_csv(crm.workdir / "one.csv")
        assert out["rows"] == len(rows)
        seen |= {r["external_id"] for r in rows}
    assert seen == {"C000001"}
