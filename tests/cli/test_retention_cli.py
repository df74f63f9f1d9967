"""The retention plugin through `crm`, checked against a second computation.

Every expected figure here is computed in this file, in plain Python, from
the input the command was given: the BG/NBD and Gamma-Gamma predictions from
their closed forms (Fader, Hardie & Lee 2005, eq. 10 and 11; Fader & Hardie
2013) with the hypergeometric function summed as its series, and the
segmentations from the definitions in docs/retention.md. No figure is taken
from the plugin's output except the fitted parameters the predictions use.
"""
import collections
import datetime
import json
import math
import sqlite3
from pathlib import Path

import pytest

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
EPOCH = datetime.date(1970, 1, 1)


def day_number(text):
    """Days since 1970-01-01 of YYYY-MM-DD, YYYYMMDD or an ISO time (UTC)."""
    text = text.strip()
    if len(text) >= 10 and text[4] == "-":
        d = datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    else:
        d = datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    return (d - EPOCH).days


# --- BG/NBD and Gamma-Gamma, independently ------------------------------------

def hyp2f1(a, b, c, z):
    term = total = 1.0
    n = 0
    while abs(term) > 1e-17 * abs(total):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        n += 1
        assert n < 10**6, "2F1 series did not converge"
    return total


def p_alive(prm, x, tx, T):
    r, alpha, a, b = prm["r"], prm["alpha"], prm["a"], prm["b"]
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def expected_purchases(prm, x, tx, T, t):
    """E[Y(t) | x, t_x, T]: purchases expected in (T, T + t]."""
    r, alpha, a, b = prm["r"], prm["alpha"], prm["a"], prm["b"]
    f = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    alive = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * f)
    return alive * p_alive(prm, x, tx, T)


def expected_spend(gg, x, mean_spend):
    p, q, v = gg["p"], gg["q"], gg["v"]
    return p * (v + x * mean_spend) / (p * x + q - 1)


def clv(prm, h, spend, periods, discount, margin):
    total = previous = 0.0
    for k in range(1, periods + 1):
        e = expected_purchases(prm, h["x"], h["tx"], h["T"], k)
        total += (e - previous) / (1 + discount) ** k
        previous = e
    return margin * spend * total


def summarize(purchases, calibration_end, holdout_end=None, unit=7.0):
    """Per customer x, t_x, T, mean repeat spend and hold-out transactions.

    purchases: {customer: [(day, amount), ...]}. Purchases of one day are one
    transaction; the first is the trial; customers first buying after the
    calibration end are left out (transactions.hpp's conventions)."""
    out = {}
    for key, rows in purchases.items():
        by_day = collections.defaultdict(float)
        for day, amount in rows:
            by_day[day] += amount
        days = sorted(by_day)
        first = days[0]
        if first > calibration_end:
            continue
        repeat = [d for d in days[1:] if d <= calibration_end]
        holdout = [d for d in days[1:] if holdout_end is not None and calibration_end < d <= holdout_end]
        last = repeat[-1] if repeat else first
        out[key] = {"x": len(repeat), "tx": (last - first) / unit, "T": (calibration_end - first) / unit,
                    "m": sum(by_day[d] for d in repeat) / len(repeat) if repeat else 0.0,
                    "holdout": len(holdout)}
    return out


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    """The CDNOW sample as customer_id,date,amount, and its purchases per customer."""
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    purchases = collections.defaultdict(list)
    lines = ["customer_id,date,amount"]
    for row in CDNOW.read_text().split("\n"):
        if not row.strip():
            continue
        _, cid, date, _, dollars = row.split()
        lines.append(f"{cid},{date},{dollars}")
        purchases[cid].append((day_number(date), float(dollars)))
    path.write_text("\n".join(lines) + "\n")
    return str(path), purchases


def close(a, b, rel=1e-8, abs_=1e-10):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# --- clv fit: the hold-out figures ---------------------------------------------

@pytest.mark.parametrize("unit,days,length", [("week", 7.0, 39.0), ("day", 1.0, 273.0)])
def test_clv_fit_holdout_figures(crm, cdnow, unit, days, length):
    csv, purchases = cdnow
    args = ("clv", "fit", "--transactions", csv, "--calibration-end", "1997-09-30",
            "--holdout-end", "1998-06-30", "--time-unit", unit)
    out = crm.json(*args)
    cal, hold = day_number("1997-09-30"), day_number("1998-06-30")
    s = summarize(purchases, cal, hold, days)
    # 1998-06-30 is the hold-out's last day and is counted: the sample has
    # purchases on it.
    assert any(day == hold for rows in purchases.values() for day, _ in rows)
    actual = sum(h["holdout"] for h in s.values())
    assert actual == 1882  # distinct customer-days in weeks 40-78 (docs/retention.md)
    predicted = sum(expected_purchases(out["bgnbd"], h["x"], h["tx"], h["T"], length)
                    for h in s.values())
    h = out["holdout"]
    assert h["length"] == length
    assert h["actual_purchases"] == actual
    assert close(h["predicted_purchases"], predicted, rel=1e-9), (h, predicted)
    assert close(h["error_share"], (predicted - actual) / actual, rel=1e-9)
    assert out["customers"] == len(s) == 2357
    assert out["repeat_buyers"] == sum(1 for v in s.values() if v["x"] > 0) == 946
    if unit == "week":
        assert round(predicted, 1) == 1653.4  # the figure in docs/retention.md
    # The printed line says the same.
    text = crm.run(*args).stdout
    line = (f"Hold-out ({length:.1f} units): predicted {predicted:.1f} repeat purchases, "
            f"actual {actual} ({100 * (predicted - actual) / actual:+.1f}%)")
    assert line in text, text


def test_clv_fit_without_holdout_prints_none(crm, cdnow):
    csv, _ = cdnow
    out = crm.json("clv", "fit", "--transactions", csv, "--calibration-end", "1997-09-30")
    assert "holdout" not in out
    assert "Hold-out" not in crm.run("clv", "fit", "--transactions", csv,
                                     "--calibration-end", "1997-09-30").stdout


# --- clv predict: horizon, margin and discount ------------------------------------

@pytest.fixture(scope="module")
def cdnow_summary(cdnow):
    _, purchases = cdnow
    return summarize(purchases, day_number("1997-09-30"))


def predict(crm, csv, horizon, margin, discount):
    return crm.json("clv", "predict", "--transactions", csv, "--calibration-end", "1997-09-30",
                    "--time-unit", "week", "--horizon", str(horizon), "--margin", str(margin),
                    "--discount-rate", str(discount))


@pytest.mark.parametrize("horizon,margin,discount", [(10, 1, 0), (10, 0.25, 0), (10, 1, 0.1),
                                                     (6, 0.3, 0.02)])
def test_clv_predict_against_the_closed_forms(crm, cdnow, cdnow_summary, horizon, margin, discount):
    csv, _ = cdnow
    out = predict(crm, csv, horizon, margin, discount)
    assert (out["horizon"], out["margin"], out["discount_rate"]) == (horizon, margin, discount)
    prm, gg = out["bgnbd"], out["gamma_gamma"]
    total = 0.0
    assert len(out["customers"]) == len(cdnow_summary)
    for row in out["customers"]:
        h = cdnow_summary[row["customer"]]
        assert (row["frequency"], row["recency"], row["age"]) == pytest.approx(
            (h["x"], h["tx"], h["T"]), rel=1e-12)
        spend = expected_spend(gg, h["x"], h["m"])
        expected = clv(prm, h, spend, horizon, discount, margin)
        assert close(row["p_alive"], p_alive(prm, h["x"], h["tx"], h["T"])), row
        assert close(row["expected_purchases"],
                     expected_purchases(prm, h["x"], h["tx"], h["T"], horizon)), row
        assert close(row["expected_spend"], spend), row
        assert close(row["clv"], expected), (row, expected)
        total += expected
    assert close(out["total_clv"], total)
    assert f"CLV over {horizon} weeks for {len(cdnow_summary)} customers: total {total:.2f}" in \
        crm.run("clv", "predict", "--transactions", csv, "--calibration-end", "1997-09-30",
                "--horizon", str(horizon), "--margin", str(margin),
                "--discount-rate", str(discount)).stdout


def test_margin_scales_and_discount_shrinks_by_the_right_amount(crm, cdnow):
    csv, _ = cdnow
    base = predict(crm, csv, 1, 1, 0)
    quarter = predict(crm, csv, 1, 0.25, 0)
    discounted = predict(crm, csv, 1, 1, 0.1)
    # One period: the margin multiplies and the discount divides by 1.1 once.
    for b, q, d in zip(base["customers"], quarter["customers"], discounted["customers"]):
        assert close(q["clv"], 0.25 * b["clv"])
        assert close(d["clv"], b["clv"] / 1.1)
        # Undiscounted one period: spend times the purchases expected in it.
        assert close(b["clv"], b["expected_spend"] * b["expected_purchases"])


# --- segment abc / pyramid and cohorts: the day boundaries ----------------------------

BOUNDARY_CUSTOMERS = "external_id,name\nX,Xena\nY,Yusuf\n"
BOUNDARY_INTERACTIONS = """external_id,occurred_at,channel,kind,amount
X,2025-02-28T23:59:59Z,store,purchase,1
X,2025-03-01T00:00:00Z,store,purchase,10
X,2025-03-31T23:59:59Z,store,purchase,100
X,2025-04-01T00:00:00Z,store,purchase,1000
Y,2025-03-15T12:00:00Z,store,purchase,50
"""


def boundary_store(crm):
    crm.json("import", "customers", crm.write("c.csv", BOUNDARY_CUSTOMERS))
    crm.json("import", "interactions", crm.write("i.csv", BOUNDARY_INTERACTIONS))
    ids = {c["external_id"]: c["id"] for c in crm.json("customers", "list")}
    return ids["X"], ids["Y"]


@pytest.mark.parametrize("command", [("segment", "abc"), ("segment", "pyramid")])
def test_from_and_to_are_inclusive_days(crm, command):
    x, _ = boundary_store(crm)

    def revenue_of_x(*period):
        rows = crm.json(*command, *period)["customers"]
        return {r["customer_id"]: r["revenue"] for r in rows}.get(x)

    # 1 (a second before --from), 10 (its first second), 100 (the last second
    # of --to), 1000 (the second after): only 10 + 100 are in March.
    assert revenue_of_x("--from", "2025-03-01", "--to", "2025-03-31") == 110
    assert revenue_of_x("--from", "2025-03-01") == 1110
    assert revenue_of_x("--to", "2025-03-31") == 111
    assert revenue_of_x("--from", "2025-03-31", "--to", "2025-03-31") == 100
    assert revenue_of_x("--from", "2025-04-01", "--to", "2025-04-01") == 1000
    assert revenue_of_x("--from", "2025-02-28", "--to", "2025-02-28") == 1
    assert revenue_of_x() == 1111


def test_cohorts_as_of_includes_its_day(crm):
    boundary_store(crm)
    # As of 2025-03-31 the purchase at 23:59:59 is in, the one of 04-01 not:
    # X (Feb cohort) is active in Feb and Mar, Y (Mar cohort) in Mar.
    t = crm.json("cohorts", "--period", "month", "--as-of", "2025-03-31")["cohorts"]
    assert [(c["start"], c["active"]) for c in t] == [("2025-02-01", [1, 1]), ("2025-03-01", [1])]
    t = crm.json("cohorts", "--period", "month", "--as-of", "2025-04-01")["cohorts"]
    assert [(c["start"], c["active"]) for c in t] == [("2025-02-01", [1, 1, 1]),
                                                       ("2025-03-01", [1, 0])]
    t = crm.json("cohorts", "--period", "day", "--as-of", "2025-02-28")["cohorts"]
    assert [(c["start"], c["active"]) for c in t] == [("2025-02-28", [1])]


# --- --dry-run and --config -------------------------------------------------------

def counts(db, *tables):
    con = sqlite3.connect(db)
    try:
        return [con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables]
    finally:
        con.close()


def test_rfm_dry_run_writes_nothing(crm):
    boundary_store(crm)
    before = counts(crm.db, "audit_log", "retention_rfm", "retention_segment_history")
    dry = crm.json("segment", "rfm", "--as-of", "2025-04-30", "--dry-run")
    assert len(dry["customers"]) == 2
    assert counts(crm.db, "audit_log", "retention_rfm", "retention_segment_history") == before
    assert [c["segment"] for c in crm.json("customers", "list")] == ["", ""]
    assert "dry run" in crm.run("segment", "rfm", "--as-of", "2025-04-30", "--dry-run").stdout
    real = crm.json("segment", "rfm", "--as-of", "2025-04-30")
    assert real["customers"] == dry["customers"]
    after = counts(crm.db, "audit_log", "retention_rfm", "retention_segment_history")
    assert after[1:] == [2, 2] and after[0] > before[0]


def test_config_rfm_segments(crm):
    boundary_store(crm)
    # X: 4 purchases, 1111; Y: 1, 50. Of two customers the better scores
    # 1 + floor(5 * 1 / 2) = 3, the other 1: m is 3 for X, 1 for Y.
    cfg = crm.write("cfg.json", json.dumps({"plugins": {"retention": {"rfm_segments": [
        {"name": "big_spender", "m": [3, 5]}, {"name": "others"}]}}}))
    out = crm.json("--config", cfg, "segment", "rfm", "--as-of", "2025-04-30")
    assert out["segments"] == {"big_spender": 1, "others": 1}
    default = crm.json("segment", "rfm", "--as-of", "2025-04-30", "--dry-run")
    assert "big_spender" not in default["segments"]


def test_config_channel_costs(crm):
    # The costs are the kernel's channel catalogue's, recorded on each
    # interaction at import: the configuration must be given when recording.
    x, y = boundary_store(crm)
    csv = "external_id,occurred_at,channel,kind\nX,2025-03-02,visit,visit\nY,2025-03-02,web,form\n"
    crm.json("import", "interactions", crm.write("v.csv", csv))
    default = {r["customer_id"]: r["cost"] for r in crm.json("segment", "abc", "--by", "profit")["customers"]}
    assert default == {x: 5.0, y: 0.02}
    cfg = crm.write("cfg.json", json.dumps({"channels": {"visit": {"cost": "2.50 USD"}}}))
    crm.json("--config", cfg, "import", "interactions", crm.write("w.csv", csv))
    out = crm.json("--config", cfg, "segment", "abc", "--by", "profit")["customers"]
    # X: the visit recorded at 5.00 and the one at 2.50; Y: two web forms at 0.02.
    assert {r["customer_id"]: r["cost"] for r in out} == pytest.approx({x: 7.5, y: 0.04}, rel=1e-12)


@pytest.mark.parametrize("config,message", [
    ({"channel_costs": {"visit": 1}},
     "key plugins.retention: plugin 'retention' failed: channel_costs: channel costs are "
     "configured in the kernel's channel catalogue"),
    ({"rfm_segments": [{"name": "x", "f": [4]}]},
     "key plugins.retention: plugin 'retention' failed: rfm_segments: rule 0 field 'f'"),
])
def test_bad_configuration_is_one_clear_error(crm, config, message):
    # The plugin checks its configuration at start; a bad key stops every
    # command but `plugins list`, naming the file, the key and the value.
    boundary_store(crm)
    cfg = crm.write("cfg.json", json.dumps({"plugins": {"retention": config}}))
    command = ("segment", "rfm") if "rfm_segments" in config else ("segment", "abc", "--by", "profit")
    p = crm.run("--config", cfg, *command, check=False)
    assert p.returncode == 1
    errors = [l for l in p.stderr.splitlines() if l.startswith("crm: error: configuration ")]
    assert len(errors) == 1 and errors[0].startswith(f"crm: error: configuration {cfg}: "), p.stderr
    assert message in errors[0], p.stderr


# --- runs on `crm sample` data -----------------------------------------------------

COSTS = {"visit": 5.00, "phone": 0.05, "web": 0.02, "email": 0.01}


@pytest.fixture
def sample(crm):
    """400 sample customers and their interactions, imported; the CSV rows."""
    customers = crm.workdir / "customers.csv"
    interactions = crm.workdir / "interactions.csv"
    crm.run("sample", "customers", "--count", "400", "--out", str(customers))
    crm.run("sample", "interactions", "--count", "400", "--out", str(interactions))
    crm.json("import", "customers", str(customers))
    assert crm.json("import", "interactions", str(interactions))["errors"] == []
    ids = {c["external_id"]: c["id"] for c in crm.json("customers", "list", "--limit", "all")}
    import csv
    with open(interactions, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["id"] = ids[r["external_id"]]
        r["day"] = day_number(r["occurred_at"])
    return rows


def value_by_customer(rows):
    revenue, cost = collections.defaultdict(float), collections.defaultdict(float)
    for r in rows:
        revenue[r["id"]] += float(r["amount"]) if r["kind"] == "purchase" and r["amount"] else 0.0
        cost[r["id"]] += COSTS.get(r["channel"], 0.0)
    return revenue, cost


def abc_reference(value, a=0.8, b=0.95):
    basis = {k: max(0.0, v) for k, v in value.items()}
    total = sum(basis.values())
    return {k: "A" if above < a else "B" if above < b else "C"
            for k, v in basis.items()
            for above in [sum(w for w in basis.values() if w > v) / total]}


def test_sample_abc_and_pyramid(crm, sample):
    revenue, cost = value_by_customer(sample)
    for by, value in [("revenue", revenue), ("profit", {k: revenue[k] - cost[k] for k in revenue})]:
        out = crm.json("segment", "abc", "--by", by)
        got = {r["customer_id"]: r for r in out["customers"]}
        assert set(got) == set(value)
        expected = abc_reference(value)
        assert {k: r["class"] for k, r in got.items()} == expected, by
        for k, r in got.items():
            assert close(r["revenue"], revenue[k], rel=1e-12) and close(r["cost"], cost[k], rel=1e-12)
        assert len(set(expected.values())) == 3
    n = len(revenue)
    tiers = {}
    for k, v in revenue.items():
        above = sum(1 for w in revenue.values() if w > v) / n
        tiers[k] = ("platinum" if above < 0.01 else "gold" if above < 0.05 else
                    "iron" if above < 0.20 else "lead")
    out = crm.json("segment", "pyramid")
    assert {r["customer_id"]: r["tier"] for r in out["customers"]} == tiers
    assert [t["customers"] for t in out["tiers"]] == [
        sum(1 for t in tiers.values() if t == name) for name in ("platinum", "gold", "iron", "lead")]


def test_sample_cohorts_by_month(crm, sample):
    as_of = day_number("2025-06-30")
    months = collections.defaultdict(set)
    for r in sample:
        if r["kind"] == "purchase" and r["day"] <= as_of:
            d = EPOCH + datetime.timedelta(days=r["day"])
            months[r["id"]].add(d.year * 12 + d.month - 1)
    last = 2025 * 12 + 5
    cohorts = collections.defaultdict(list)
    for active in months.values():
        cohorts[min(active)].append(active)
    expected = [(f"{c // 12:04d}-{c % 12 + 1:02d}-01", len(members),
                 [sum(1 for m in members if c + k in m) for k in range(last - c + 1)])
                for c, members in sorted(cohorts.items())]
    out = crm.json("cohorts", "--period", "month", "--as-of", "2025-06-30")["cohorts"]
    assert [(c["start"], c["size"], c["active"]) for c in out] == expected


DEFAULT_SEGMENTS = [("champions", (5, 5), (4, 5)), ("loyal", (3, 4), (4, 5)),
                    ("potential_loyalist", (4, 5), (2, 3)), ("new", (5, 5), (1, 1)),
                    ("promising", (4, 4), (1, 1)), ("need_attention", (3, 3), (3, 3)),
                    ("about_to_sleep", (3, 3), (1, 2)), ("cant_lose", (1, 2), (5, 5)),
                    ("at_risk", (1, 2), (3, 4)), ("hibernating", (2, 2), (1, 2)),
                    ("lost", (1, 1), (1, 2))]


def test_sample_rfm_scores_and_segments(crm, sample):
    as_of, window = day_number("2025-12-31"), 180
    bought = collections.defaultdict(list)
    for r in sample:
        # The window is the last 180 days up to and including the as-of day.
        if r["kind"] == "purchase" and as_of - window < r["day"] <= as_of:
            bought[r["id"]].append((r["day"], float(r["amount"])))
    rec = {k: as_of - max(d for d, _ in v) for k, v in bought.items()}
    freq = {k: len(v) for k, v in bought.items()}
    mon = {k: sum(a for _, a in v) for k, v in bought.items()}
    n = len(bought)

    def score(values, higher_is_better):
        # 1 + floor(5 * below / n), below = customers strictly worse.
        return {k: 1 + (5 * sum(1 for w in values.values()
                                if (w < v if higher_is_better else w > v))) // n
                for k, v in values.items()}

    r, f, m = score(rec, False), score(freq, True), score(mon, True)
    out = crm.json("segment", "rfm", "--as-of", "2025-12-31", "--window", str(window))
    got = {c["customer_id"]: c for c in out["customers"]}
    assert set(got) == set(bought)
    for k, c in got.items():
        assert (c["recency_days"], c["frequency"]) == (rec[k], freq[k])
        assert close(c["monetary"], mon[k], rel=1e-12)
        assert (c["r"], c["f"], c["m"]) == (r[k], f[k], m[k]), k
        name = next(s for s, (r0, r1), (f0, f1) in DEFAULT_SEGMENTS
                    if r0 <= r[k] <= r1 and f0 <= f[k] <= f1)
        assert c["segment"] == name, k
    stored = {c["id"]: c["segment"] for c in crm.json("customers", "list", "--limit", "all")}
    assert all(stored[k] == c["segment"] for k, c in got.items())
