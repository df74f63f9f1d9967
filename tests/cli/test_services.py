"""Services plugins provide, as the CLI shows them, and typed command options."""
import os

BIRTHDAYS = os.environ.get("CRM_BIRTHDAYS_PLUGIN_DIR", "")


def test_services_list_shows_the_template_plugins_calendar(crm):
    services = crm.json("--plugin-dir", BIRTHDAYS, "services", "list")
    assert services == [{"name": "care.birthday_calendar", "type": "care::BirthdayCalendar",
                         "provider": "birthdays"}]
    text = crm.run("--plugin-dir", BIRTHDAYS, "services", "list").stdout
    assert text.splitlines()[1].split() == ["care.birthday_calendar", "care::BirthdayCalendar",
                                            "birthdays"]


def test_services_list_without_providers_says_so(crm):
    assert crm.json("services", "list") == []
    assert crm.run("services", "list").stdout == "no services provided\n"


def test_an_integer_option_is_refused_before_the_plugin_runs(crm):
    p = crm.run("--plugin-dir", BIRTHDAYS, "birthdays", "upcoming", "--days", "ten", check=False)
    assert p.returncode == 1
    assert p.stderr == "crm: error: 'birthdays upcoming': --days must be of type integer, got 'ten'\n"
    assert p.stdout == ""
    ok = crm.json("--plugin-dir", BIRTHDAYS, "birthdays", "upcoming", "--days", "3")
    assert ok == []
