"""Scenario files, `aicost schema`, `aicost diff` and the budget gate, as a user runs them."""

import json
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main

PLAN_TOML = """\
# the plan, kept next to the code
users = 10000
stage = "midsize"
model = "claude-haiku-4-5"
compliance = ["soc2"]
"""
WORDS = ["10000", "users", "midsize", "claude-haiku-4-5", "soc2"]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_toml_file_gives_the_same_estimate_as_the_same_words(capsys, tmp_path):
    plan = write(tmp_path, "plan.toml", PLAN_TOML)
    code, from_file, err = run(capsys, "-f", str(plan), "--json")
    assert code == 0, err
    code, from_words, err = run(capsys, "--json", *WORDS)
    assert code == 0, err
    assert json.loads(from_file) == json.loads(from_words)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("plan.yaml", "users: 10k\nstage: midsize\nmodel: claude-haiku-4-5\ncompliance: soc2\n"),
        (
            "plan.json",
            '{"users": 10000, "stage": "midsize", "model": "claude-haiku-4-5", '
            '"compliance": ["soc2"]}',
        ),
    ],
)
def test_yaml_and_json_files_read_as_the_toml_does(capsys, tmp_path, name, text):
    toml = write(tmp_path, "plan.toml", PLAN_TOML)
    other = write(tmp_path, name, text)
    _, want, _ = run(capsys, "-f", str(toml), "--json")
    code, got, err = run(capsys, "--file", str(other), "--json")
    assert code == 0, err
    assert json.loads(got) == json.loads(want)


def test_several_scenarios_in_a_file_are_compared_side_by_side(capsys, tmp_path):
    plan = write(
        tmp_path,
        "options.toml",
        'users = 100000\n\n[scenarios.mini]\nmodel = "gpt-4o-mini"\n\n'
        '[scenarios.haiku]\nmodel = "claude-haiku-4-5"\n',
    )
    code, out, err = run(capsys, "-f", str(plan), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [o["label"] for o in data["options"]] == ["mini", "haiku"]
    code, words, _ = run(capsys, "--json", "compare", "gpt-4o-mini,", "claude-haiku-4-5", "for",
                         "100000", "users")  # fmt: skip
    by_words = json.loads(words)
    for mine, theirs in zip(data["options"], by_words["options"], strict=True):
        assert mine["estimate"]["totals"] == theirs["estimate"]["totals"]
    code, table, _ = run(capsys, "-f", str(plan))
    assert "Comparison" in table and "mini" in table and "haiku" in table


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("users = 0\n", ["users", "between 1 and 6,000,000,000", "got 0"]),
        ('stage = "huge"\n', ["stage", "startup, midsize, enterprise"]),
        ('model = "gpt-9"\n', ["model", "Unknown model 'gpt-9'"]),
        ("uptime = 99.8\n", ["uptime", "99.5, 99.9 or 99.99"]),
        ("userz = 5\n", ["userz", "the keys are stage, users"]),
        ('[scenarios.a]\nusers = "lots"\n', ["scenarios.a.users", "a whole number from 1 to"]),
        ('hosting = "self-hosted"\nmodel = "gpt-4o"\n', ["model", "closed weights"]),
        ("users = [\n", ["not valid TOML"]),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_the_key_and_what_it_takes(
    capsys, tmp_path, text, names
):
    plan = write(tmp_path, "plan.toml", text)
    code, out, err = run(capsys, "-f", str(plan))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"aicost: {plan}: ")
    for name in names:
        assert name in err


def test_a_missing_file_or_an_unknown_kind_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "-f", str(tmp_path / "nope.toml"))
    assert code == 2 and "cannot read it" in err and err.count("\n") == 1
    code, _, err = run(capsys, "-f", str(write(tmp_path, "plan.txt", "users = 1")))
    assert code == 2 and ".toml, .yaml, .yml, .json" in err


def test_schema_is_a_json_schema_that_accepts_good_files_and_refuses_bad_ones(capsys, tmp_path):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = {"users": 10000, "compliance": ["soc2"], "scenarios": {"a": {"model": "gpt-4o"}}}
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors({"userz": 1}))
    assert list(validator.iter_errors({"stage": "huge"}))
    assert "monthly active users" in schema["properties"]["users"]["description"]
    assert schema["properties"]["users"]["minimum"] == 1


def test_budget_gate_passes_a_plan_under_budget(capsys, tmp_path):
    plan = write(tmp_path, "plan.toml", PLAN_TOML)
    code, out, err = run(capsys, "-f", str(plan), "--brief", "--max-first-year", "10M")
    assert code == 0, err
    assert "First year" in out and err == ""


def test_budget_gate_fails_when_the_high_end_crosses_the_first_year_limit(capsys, tmp_path):
    plan = write(tmp_path, "plan.toml", PLAN_TOML)
    _, out, _ = run(capsys, "-f", str(plan), "--json")
    first_year = json.loads(out)["totals"]["first_year"]
    # A limit between the low and the high end: the high end decides.
    limit = round((first_year["low"] + first_year["high"]) / 2)
    code, out, err = run(capsys, "-f", str(plan), "--json", "--max-first-year", str(limit))
    assert code == 1
    assert json.loads(out)["totals"]["first_year"] == first_year  # the estimate is still shown
    assert err.count("\n") == 1
    assert err.startswith("aicost: over budget: plan: first year up to $")
    assert "limit" in err


def test_budget_gate_checks_the_monthly_run_rate_of_every_scenario(capsys, tmp_path):
    plan = write(
        tmp_path,
        "options.yaml",
        "users: 100k\nscenarios:\n  small: {users: 1000}\n  big: {users: 1M}\n",
    )
    code, _, err = run(capsys, "-f", str(plan), "--max-monthly", "$20k")
    assert code == 1
    assert "big: monthly run-rate up to" in err
    assert "small:" not in err


def test_budget_gate_works_on_words_too_and_refuses_a_limit_that_is_not_an_amount(capsys):
    code, _, err = run(capsys, "10k", "users", "--max-first-year", "1k")
    assert code == 1 and "over the $1k limit" in err
    code, _, err = run(capsys, "10k", "users", "--max-first-year", "lots")
    assert code == 2
    assert (
        err
        == "aicost: --max-first-year takes an amount, e.g. --max-first-year 500k (got 'lots').\n"
    )


def test_diff_shows_what_changed_line_by_line(capsys, tmp_path):
    old = write(tmp_path, "old.toml", PLAN_TOML)
    new = write(tmp_path, "new.toml", PLAN_TOML.replace("10000", "50000") + "regions = 3\n")
    code, out, err = run(capsys, "diff", str(old), str(new))
    assert code == 0, err
    assert "What changed: users 10,000 → 50,000" in out and "regions 2 → 3" in out
    assert "Line by line:" in out
    assert "LLM tokens (claude-haiku-4-5)" in out
    # What did not move is one figure: "($0)", never "($0 / $0)".
    (one_time,) = [line for line in out.splitlines() if line.strip().startswith("One-time")]
    assert one_time.endswith("($0)") and "$0 / $0" not in out
    code, out, _ = run(capsys, "diff", str(old), str(new), "--json")
    data = json.loads(out)
    assert data["changed"][0] == "users 10,000 → 50,000"
    tokens = next(line for line in data["lines"] if line["item"].startswith("LLM tokens"))
    assert tokens["after"]["high"] > tokens["before"]["high"]


def test_diff_pairs_named_scenarios_and_says_when_names_differ(capsys, tmp_path):
    old = write(tmp_path, "old.toml", "users = 1000\n[scenarios.a]\n[scenarios.b]\nregions = 2\n")
    new = write(tmp_path, "new.toml", "users = 2000\n[scenarios.a]\n[scenarios.c]\n")
    code, _, err = run(capsys, "diff", str(old), str(new))
    assert code == 2 and "b is in one only" in err
    code, out, _ = run(capsys, "diff", str(old), str(old))
    assert code == 0 and "a:\nWhat changed: nothing" in out


def test_prices_json_lists_what_aicost_prices_shows(capsys):
    code, out, _ = run(capsys, "prices", "--json")
    assert code == 0
    sheet = json.loads(out)
    assert sheet["currency"] == "USD"
    models = {row["model"] for row in sheet["token_prices_per_mtok"]}
    assert "gpt-4o-mini" in models
    _, table, _ = run(capsys, "prices")
    for row in sheet["figures"][:5]:
        assert row["name"] in table


def _written(text: str) -> tuple[float, float]:
    """ "$2.30–5.17" or "$34": the two ends as written."""
    low, _, high = text.lstrip("$").replace(",", "").partition("–")
    return float(low), float(high or low)


def _change(text: str) -> tuple[float, float]:
    """ "+$12k" or "-$0.46": the change and how far its writing rounds it."""
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-$")
    if digits.endswith("k"):
        number = digits[:-1]
        return sign * float(number) * 1000, (50 if "." in number else 500)
    return sign * float(digits), 0.0


def test_diff_changes_agree_with_the_amounts_shown_beside_them(capsys, tmp_path):
    # "$34 -> $34 (+$1)" from rounding reads as an error: each change is the difference of the
    # figures shown, in cents where they show cents.
    old = write(tmp_path, "old.toml", 'users = 50000\nstage = "enterprise"\nuptime = 99.99\n')
    new = write(tmp_path, "new.toml", 'users = 60000\nstage = "enterprise"\nuptime = 99.99\n')
    code, out, err = run(capsys, "diff", str(old), str(new))
    assert code == 0, err
    checked = 0
    for line in out.splitlines():
        if " -> " not in line or "(none)" in line:
            continue
        amounts, _, change = line.rpartition("(")
        before, _, after = amounts.partition(" -> ")
        before, after = _written(before.split()[-1]), _written(after.split()[0])
        changes = change.rstrip(")").split(" / ")
        for end, said in enumerate(changes if len(changes) == 2 else changes * 2):
            value, rounding = _change(said) if said != "$0" else (0.0, 0.0)
            assert abs(after[end] - before[end] - value) <= rounding + 1e-9, line
            checked += 1
    assert checked > 20
    assert "$2.30–5.17 -> $2.76–6.20  (+$0.46 / +$1.03)" in out
