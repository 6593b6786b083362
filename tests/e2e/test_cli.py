"""The `aicost` terminal command, run as a user runs it: a real process, no Slack, no Redis."""

import json
import os
import subprocess
import sys

import pytest

ENV = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SLACK_BOT_TOKEN")}


def aicost(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=ENV,
        timeout=60,
    )


def test_text_estimate_has_totals_breakdown_phases_strategies_and_savings():
    run = aicost("10000", "users", "startup")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for heading in ("Monthly run-rate", "First year", "Breakdown", "Three-phase budget",
                    "Five scaling strategies", "Savings levers", "Assumptions"):  # fmt: skip
        assert heading in out
    assert "10,000 MAU x 30% daily x 5 req x 30 d" in out  # a basis line
    assert "Plan for 10x growth" in out


def test_json_estimate_has_the_documented_keys():
    run = aicost("--json", "50,000", "users", "enterprise", "hipaa")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["scenario"]["users"] == 50_000
    assert data["scenario"]["compliance"] == ["hipaa"]
    assert {"category", "item", "cadence", "low", "high", "basis"} <= set(data["line_items"][0])
    assert set(data["totals"]) >= {"one_time", "monthly", "first_year"}
    assert len(data["phases"]) == 3 and len(data["strategies"]) == 5
    # Levers that save nothing here are left out, and named with the reason under "absent".
    levers = {s["lever"] for s in data["savings"]}
    absent = {a["name"] for a in data["absent"] if a["kind"] == "lever"}
    assert levers >= {"response_caching", "cheaper_model"}
    assert "Prompt caching" in absent  # 1,000-token prompts: below gpt-4o-mini's 1,024 minimum
    assert all(s["monthly_high"] > 0 for s in data["savings"])
    sensitivity = data["sensitivity"]
    assert sensitivity[0]["assumption"] == "salaries"
    threshold = data["sensitivity_rest"]["threshold"]
    assert all(abs(item["first_year_swing"]) >= threshold for item in sensitivity)
    assert {"assumption", "low", "high", "first_year_swing"} <= set(sensitivity[0])
    swings = [abs(item["first_year_swing"]) for item in sensitivity]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    total = sum(i["low"] for i in data["line_items"] if i["cadence"] == "monthly")
    assert total == pytest.approx(data["totals"]["monthly"]["low"], abs=0.1)


def test_curve_option_adds_the_scaling_curve():
    run = aicost("--json", "--curve", "10k", "users")
    points = json.loads(run.stdout)["scaling_curve"]
    assert [p["users"] for p in points] == [100, 1_000, 10_000, 100_000, 1_000_000]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["0", "users"], "between 1 and"),
        (["10000", "users", "banana"], "banana"),
        (["gpt-4o-minx"], "gpt-4o-mini"),
        (["--jsn", "10k"], "--json"),
        (["undo"], "aicost chat"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(args, fragment):
    run = aicost(*args)
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
    assert "Traceback" not in run.stderr


def test_chat_remembers_the_scenario_between_follow_ups():
    run = aicost("chat", stdin="10000 users startup\nwhat if 50k users?\nadd hipaa\nundo\nquit\n")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "users 10,000 → 50,000" in out
    assert "compliance none → HIPAA" in out
    assert "compliance HIPAA → none" in out  # undo
    assert "Traceback" not in out + run.stderr
