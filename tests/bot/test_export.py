"""CSV export: round-trips through the csv module to the JSON's numbers; no formulas."""

import csv
import io

from bot.export import estimate_csv, safe
from bot.parsing import first_scenario
from estimator.estimate import estimate


def test_csv_round_trips_to_the_json_numbers():
    e = estimate(first_scenario("50k users enterprise hipaa"))
    data = e.to_dict()
    rows = list(csv.DictReader(io.StringIO(estimate_csv(e))))
    lines = [r for r in rows if r["category"] not in ("total", "phase")]
    assert len(lines) == len(data["line_items"])
    for row, item in zip(lines, data["line_items"], strict=True):
        assert (row["category"], row["item"], row["cadence"]) == (
            item["category"],
            item["item"],
            item["cadence"],
        )
        assert float(row["low"]) == item["low"] and float(row["high"]) == item["high"]
        assert row["basis"] == safe(item["basis"])
    totals = {r["item"]: r for r in rows if r["category"] == "total"}
    for name in ("one_time", "monthly", "annual", "first_year", "monthly_all_in"):
        assert float(totals[name]["low"]) == data["totals"][name]["low"]
        assert float(totals[name]["high"]) == data["totals"][name]["high"]
    phases = [r for r in rows if r["category"] == "phase"]
    assert [float(p["high"]) for p in phases] == [p["high"] for p in data["phases"]]


def test_every_field_is_quoted_and_utf8():
    text = estimate_csv(estimate(first_scenario("10k users")))
    first = text.splitlines()[1]
    assert first.startswith('"') and '","' in first
    assert "→" in text
    text.encode("utf-8")


def test_text_that_a_spreadsheet_would_run_is_neutralised():
    for dangerous in ('=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe(dangerous).startswith("'")
    assert safe("Team") == "Team"
