"""`crm clv fit --transactions FILE` reads purchase dates from 1900-01-01 to
2200-12-31 and refuses the days beyond, naming the file, line and value."""
import pytest

HEADER = "customer_id,date,amount\n"


def purchases(extra_line):
    # Enough history for the fit; the date under test is on line 8.
    rows = ["a,2024-01-02,10", "a,2024-02-03,12", "b,2024-01-05,7", "b,2024-03-01,9",
            "c,2024-01-20,20", "c,2024-02-20,5"]
    return HEADER + "\n".join(rows) + "\n" + extra_line + "\n"


def fit(crm, text):
    path = crm.write("purchases.csv", text)
    return path, crm.run("clv", "fit", "--transactions", path, "--calibration-end", "2024-06-30",
                         check=False)


@pytest.mark.parametrize("day", ["1899-12-31", "2201-01-01", "18991231", "0000-01-01"])
def test_a_date_outside_the_window_is_refused_with_file_line_and_value(crm, day):
    path, p = fit(crm, purchases(f"d,{day},3"))
    assert p.returncode != 0
    assert f"{path}:8: date '{day}' is outside 1900-01-01 to 2200-12-31" in p.stderr, p.stderr


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_ends_of_the_window_are_read(crm, day):
    # A date at either end is read: the fit then fails on its own terms or
    # succeeds, never on the date.
    path, p = fit(crm, purchases(f"d,{day},3"))
    assert "is outside" not in p.stderr, p.stderr
    assert "bad date" not in p.stderr, p.stderr
