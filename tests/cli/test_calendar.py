"""The business time zone and calendar from the command line."""
import json


def berlin(crm, **calendar):
    cfg = {"time_zone": "Europe/Berlin"}
    if calendar:
        cfg["calendar"] = calendar
    return crm.write("berlin.json", json.dumps(cfg))


HOLIDAYS_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\n"
    "SUMMARY:Christmas\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n")


def test_show_names_zone_and_week(crm):
    cfg = berlin(crm, hours={"mon": ["08:00-12:00", "13:00-16:00"]}, breaks=["10:00-10:15"])
    data = crm.json("--config", cfg, "calendar", "show")
    assert data["time_zone"] == "Europe/Berlin"
    assert data["hours"]["mon"] == ["08:00-12:00", "13:00-16:00"]
    assert data["hours"]["tue"] == []  # not listed: closed
    assert data["breaks"] == ["10:00-10:15"]
    text = crm.run("--config", cfg, "calendar", "show").stdout
    assert "Monday     08:00-12:00, 13:00-16:00" in text
    assert "Tuesday    closed" in text


def test_add_working_time_skips_weekend_holidays_and_lunch(crm):
    cfg = berlin(crm, hours={d: ["09:00-17:00"] for d in ["mon", "tue", "wed", "thu", "fri"]},
                 breaks=["12:00-13:00"])
    # Thursday 24 December 16:30 CET + 1h: Christmas (imported) and Boxing Day
    # and the weekend are skipped -> Monday 28 December 09:30 CET.
    ics = crm.write("holidays.ics", HOLIDAYS_ICS)
    out = crm.json("--config", cfg, "calendar", "holidays", "import", ics)
    assert out["read"] == 3 and out["added_or_renamed"] == 3
    assert crm.json("--config", cfg, "calendar", "holidays", "import", ics)["added_or_renamed"] == 0
    r = crm.json("--config", cfg, "calendar", "add-working-time", "2026-12-24T15:30:00Z", "1h")
    assert r["end"] == "2026-12-28T08:30:00Z"
    assert r["end_local"] == "2026-12-28T09:30:00+01:00"
    # Across lunch on Monday: 11:30 + 1h -> 13:30 local.
    r = crm.json("--config", cfg, "calendar", "add-working-time", "2026-12-28T10:30:00Z", "PT1H")
    assert r["end"] == "2026-12-28T12:30:00Z"
    between = crm.json("--config", cfg, "calendar", "working-time-between",
                       "2026-12-24T00:00:00Z", "2026-12-29T00:00:00Z")
    assert between["seconds"] == 14 * 3600  # Thursday and Monday, 7 h each
    assert crm.run("--config", cfg, "calendar", "working-time-between", "2026-12-24T00:00:00Z",
                   "2026-12-29T00:00:00Z").stdout == "14h\n"


def test_add_working_time_across_dst(crm):
    cfg = berlin(crm)  # default week: Monday to Friday 09:00-17:00
    # Friday 27 March 16:00 CET + 2h -> Monday 30 March 10:00 CEST.
    r = crm.json("--config", cfg, "calendar", "add-working-time", "2026-03-27T15:00:00Z", "2h")
    assert r["end_local"] == "2026-03-30T10:00:00+02:00"


def test_holidays_add_list_remove_are_audited(crm):
    crm.run("calendar", "holidays", "add", "2026-05-01", "--name", "Labour Day")
    listed = crm.json("calendar", "holidays", "list")
    assert listed == [{"date": "2026-05-01", "name": "Labour Day"}]
    assert "Friday" in crm.run("calendar", "holidays", "list").stdout
    crm.run("calendar", "holidays", "remove", "2026-05-01")
    assert crm.json("calendar", "holidays", "list") == []
    p = crm.run("calendar", "holidays", "remove", "2026-05-01", check=False)
    assert p.returncode != 0 and "holiday 2026-05-01 not found" in p.stderr
    p = crm.run("calendar", "holidays", "add", "2026-05-01T10:00", check=False)
    assert p.returncode != 0 and "not a date YYYY-MM-DD" in p.stderr


def test_bad_inputs_name_what_and_where(crm):
    p = crm.run("calendar", "holidays", "import",
                crm.write("bad.ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261225\n"
                                     "RRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n"), check=False)
    assert p.returncode != 0 and "bad.ics:4: RRULE" in p.stderr
    assert crm.json("calendar", "holidays", "list") == []  # nothing half-imported
    cfg = crm.write("zone.json", json.dumps({"time_zone": "Europe/Atlantis"}))
    p = crm.run("--config", cfg, "calendar", "show", check=False)
    assert p.returncode != 0 and "key time_zone" in p.stderr and "Europe/Atlantis" in p.stderr
    cfg = crm.write("cal.json", json.dumps({"calendar": {"hours": {"mon": ["9-5"]}}}))
    p = crm.run("--config", cfg, "calendar", "show", check=False)
    assert p.returncode != 0 and "calendar.hours.mon[0]" in p.stderr
    p = crm.run("calendar", "add-working-time", "2026-12-24T15:30:00Z", "soon", check=False)
    assert p.returncode != 0 and "invalid duration 'soon'" in p.stderr


def test_retention_days_follow_the_business_time_zone(crm):
    crm.run("import", "customers", crm.write("c.csv", "external_id,name\nc1,Ann\nc2,Ben\n"))
    # Ann buys at 00:30 on 1 January in Berlin, Ben at 23:30 on 31 December.
    crm.run("interactions", "add", "--customer", "1", "--channel", "web", "--kind", "purchase",
            "--at", "2026-12-31T23:30:00Z", "--amount", "10")
    crm.run("interactions", "add", "--customer", "2", "--channel", "web", "--kind", "purchase",
            "--at", "2026-12-31T22:30:00Z", "--amount", "10")
    cfg = berlin(crm)

    def scored(*config, as_of):
        data = crm.json(*config, "segment", "rfm", "--as-of", as_of, "--dry-run")
        return {c["customer_id"]: c["recency_days"] for c in data["customers"]}

    assert scored("--config", cfg, as_of="2026-12-31") == {2: 0}
    assert scored("--config", cfg, as_of="2027-01-01") == {1: 0, 2: 1}
    assert scored(as_of="2026-12-31") == {1: 0, 2: 0}  # in UTC both bought on 31 December
