"""Figures read as a person expects: ranges low to high, one figure when both ends agree, a
user count with its noun agreeing, multiples with separators, columns that stay aligned."""

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

from bot import cli
from bot.parsing import first_scenario
from bot.slack import answers
from estimator.breakeven import break_even
from estimator.estimate import estimate


def run(*args: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(list(args)) == 0
    return out.getvalue()


def test_json_break_even_first_year_difference_runs_low_to_high():
    question = "when does self-hosting pay off for 200k users claude-sonnet-4-5"
    data = json.loads(run("--json", question))
    difference = data["first_year_difference"]
    assert difference["low"] <= difference["high"]
    assert (
        difference["low"] < 0 < difference["high"]
    )  # this one: a saving at one end, a cost at the other


def test_break_even_tip_in_slack_has_the_break_evens_difference_low_to_high():
    b = answers._breakeven(estimate(first_scenario("100k users claude-sonnet-4-5")))
    assert b.first_year_difference.low <= b.first_year_difference.high
    full = break_even(b.scenario).first_year_difference
    assert abs(b.first_year_difference.low - full.low) < 0.01
    assert abs(b.first_year_difference.high - full.high) < 0.01


def test_one_user_is_one_user_everywhere():
    out = run("1", "user")
    assert out.startswith("aicost: 1 user, startup") and "1 users" not in out
    a = answers.request("1 user")
    assert "1 users" not in str(a.messages) and "1 user" in a.messages[0].text


def test_a_factor_whose_ends_agree_reads_as_one_figure(tmp_path: Path):
    prices = tmp_path / "my-prices.toml"
    prices.write_text("loaded_factor = 1.3\n")
    out = run("--prices", str(prices), "10k", "users")
    assert "x 1.3 fully loaded" in out and "1.3-1.3" not in out


def test_everyone_online_as_users_keeps_the_key_figures_aligned_and_the_multiple_readable():
    out = run("6000000000", "users", "--brief")
    head = out.splitlines()[2:7]
    multiple = head[4].split("x the prototype")[0].split()[-1]
    assert "." not in multiple and "x the prototype" in head[4]
    ends = {re.search(r"\$[\d,–]+", line).end() for line in head}  # where each amount ends
    assert len(ends) == 1, head
    assert "," in multiple  # 32,066-130,355x


def test_every_range_a_price_file_pins_to_one_figure_reads_as_one(tmp_path: Path):
    prices = tmp_path / "my-prices.toml"
    prices.write_text(
        "loaded_factor = 1.3\n"
        "[traffic.peak_to_average]\nlow = 3\nhigh = 3\n"
        "[traffic.llm_overhead]\nlow = 1.1\nhigh = 1.1\n"
        "[storage.record_kb]\nlow = 4\nhigh = 4\n"
        "[storage.transcript_retention_months]\nlow = 6\nhigh = 6\n"
    )
    out = run("--prices", str(prices), "50k", "users", "3", "regions")
    assert "(3x the " in out and "x 1.1 for retries" in out and "x 4 KB" in out
    same_ends = re.findall(r"(?<![\d.,$€])(\d[\d.,]*)-\1(?![\d.,])", out)
    assert same_ends == [], same_ends
