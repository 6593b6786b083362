"""The terminal as a user runs it: width, --version, --help, --csv, --chart, compare."""

import csv
import io
import os
import subprocess
import sys

import pytest

ENV = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SLACK_BOT_TOKEN")}


def aicost(*args, columns=100):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={**ENV, "COLUMNS": str(columns)},
        timeout=60,
    )


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_no_line_is_wider_than_the_terminal(columns):
    for args in (
        ("250k", "users", "enterprise", "hipaa"),
        ("--curve", "10k", "users"),
        ("compare", "gpt-4o-mini,", "claude-haiku-4-5,", "self-hosted", "l4", "for", "100k"),
        ("when", "does", "self-hosting", "pay", "off", "for", "claude-sonnet-4-5?"),
        ("--help",),
    ):
        run = aicost(*args, columns=columns)
        assert run.returncode == 0, run.stderr
        widest = max(len(line) for line in run.stdout.splitlines())
        assert widest <= columns, (args, widest)


def test_narrow_terminals_are_read_as_sixty_columns():
    run = aicost("10k", "users", columns=20)
    assert max(len(line) for line in run.stdout.splitlines()) <= 60


def test_version_and_help_list_every_option_and_verb():
    assert aicost("--version").stdout.startswith("aicost ")
    text = aicost("--help").stdout
    from bot.cli import FLAGS

    for word in (*FLAGS, "compare", "pay off", "chat", "aicost prices"):
        assert word in text


def test_csv_prints_one_row_per_line_item():
    run = aicost("--csv", "10k", "users")
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert rows[0] == ["category", "item", "cadence", "low", "high", "basis"]
    assert rows[-1][0] == "phase" and len(rows) > 20


def test_chart_writes_a_png(tmp_path):
    path = tmp_path / "out.png"
    run = aicost("--chart", str(path), "10k", "users")
    assert run.returncode == 0, run.stderr
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Chart written to {path}" in run.stdout


def test_compare_marks_the_cheapest_and_writes_its_chart(tmp_path):
    path = tmp_path / "compare.png"
    run = aicost("--chart", str(path), "compare", "claude-sonnet-4-5,", "gpt-4o-mini", "for", "1M")
    assert run.returncode == 0, run.stderr
    assert "gpt-4o-mini *" in run.stdout and "Cheapest first year: gpt-4o-mini" in run.stdout
    for row in ("Monthly run-rate", "One-time", "First year", "Per user / month"):
        assert row in run.stdout
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_options_are_one_line_and_exit_2():
    for args in (("compare", "gpt-4o-mini"), ("--chart",), ("--bogus", "10k")):
        run = aicost(*args)
        assert run.returncode == 2
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_estimate_shows_the_self_hosting_break_even():
    run = aicost("100k", "users", "claude-sonnet-4-5")
    assert "Self-hosting break-even" in run.stdout and "above about" in run.stdout


def test_a_plain_estimate_does_not_import_matplotlib():
    code = (
        "import sys, io, contextlib\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['10k', 'users'])\n"
        "print('matplotlib' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    assert run.stdout.strip() == "False"


def test_chat_answers_a_comparison_and_the_break_even_for_its_scenario():
    lines = "\n".join(
        [
            "50k users claude-sonnet-4-5",
            "when does self-hosting pay off?",
            "compare gpt-4o-mini, claude-haiku-4-5",
            "quit",
        ]
    )
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input=lines,
        capture_output=True,
        text=True,
        env={**ENV, "COLUMNS": "80"},
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    words = " ".join(run.stdout.split())  # sentences wrap at the terminal's width
    assert "vs claude-sonnet-4-5 on its API" in words
    assert "At 50,000 users, self-hosting" in words
    assert "gpt-4o-mini *" in run.stdout
    # Piped input echoes no newline, so a prompt shares a line with the answer after it; at a
    # terminal the answer starts on its own line. Measure the answers.
    lines = [line.removeprefix("what if> ").removeprefix("> ") for line in run.stdout.splitlines()]
    assert max(len(line) for line in lines) <= 80


def test_the_readme_samples_are_the_programs_real_output():
    from tests.support.readme_samples import README, mismatches

    problems = mismatches(README.read_text(encoding="utf-8"))
    assert not problems, (
        "README samples differ from the program; regenerate with "
        "`python -m tests.support.readme_samples --write`:\n" + "\n".join(problems)
    )


def test_compare_and_break_even_as_json():
    import json

    run = aicost("--json", "compare", "gpt-4o-mini,", "claude-sonnet-4-5", "for", "20k", "users")
    data = json.loads(run.stdout)
    assert [o["label"] for o in data["options"]] == ["gpt-4o-mini", "claude-sonnet-4-5"]
    assert data["cheapest"] == "gpt-4o-mini"
    assert all(o["estimate"]["scenario"]["users"] == 20_000 for o in data["options"])
    run = aicost("--json", "when", "does", "self-hosting", "pay", "off", "claude-sonnet-4-5")
    data = json.loads(run.stdout)
    assert data["api_model"] == "claude-sonnet-4-5" and data["users"] > 0
    assert "midpoint" in data["reading"]
