"""The estimate's JSON carries the break-even the terminal shows under the estimate: `aicost
--json`, `aicost -f plan --json`, the MCP `estimate` tool and the Slack export, the same figures,
pair and reason, or the sentence saying why it is left out."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot import cli
from bot.mcp.answers import Answers
from bot.mcp.schemas import EstimateResult
from bot.parsing import first_scenario
from bot.slack import answers

WORDS = "10k users startup"


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _json(*args: str) -> dict:
    code, out, err = run_cli("--json", *args)
    assert code == 0, err
    return json.loads(out)


def _section(words: str) -> str:
    """The terminal's "Self-hosting break-even" section, without its wrapping."""
    code, out, err = run_cli(words)
    assert code == 0, err
    section = out.split("Self-hosting break-even", 1)[1].split("\n\n", 1)[0]
    return _unwrapped(section.split("\n", 2)[2])  # past the rule under the heading


def _unwrapped(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("words", "pair"),
    [
        (WORDS, ("mistral-small-3.2-24b-instruct", "gpt-4o-mini")),  # never crosses
        ("100k users claude-sonnet-4-5", ("deepseek-chat", "claude-sonnet-4-5")),  # crosses
    ],
)
def test_json_estimate_carries_the_break_even_the_terminal_shows(words, pair):
    b = _json(words)["break_even"]
    shown = _section(words)
    assert b is not None and (b["self_hosted_model"], b["api_model"]) == pair
    # The pair and why, the crossing and its requests/s: what the terminal says, from the JSON.
    assert _unwrapped(b["pair"]["why"]) in shown
    assert f"{b['self_hosted_model']}on{b['gpu'].upper()}GPUsvs{b['api_model']}" in shown
    if b["users"] is None:
        assert b["requests_per_second"] is None and not b["always_cheaper"]
        assert "nevercostslesspermonth" in shown
    else:
        rounded = round(b["users"], -(len(str(b["users"])) - 3))
        rps = b["requests_per_second"]
        assert f"aboveabout{rounded:,}users({rps:,.1f}requests/s" in shown
    low, high = b["first_year_difference"]["low"], b["first_year_difference"]["high"]
    assert low <= high
    assert ("saves" in shown) == (high <= 0)
    assert ("moreinthefirstyear" in shown) == (low >= 0)


def test_json_of_an_estimate_whose_break_even_cannot_be_worked_out_says_why():
    data = _json("10k users kimi-k2")
    assert data["break_even"] is None
    said = data["break_even_left_out"]
    assert said.startswith("The break-even with self-hosting is left out: kimi-k2")
    assert _unwrapped(said) == _section("10k users kimi-k2")


def test_json_with_the_curve_carries_the_break_even_too():
    data = _json("--curve", WORDS)
    assert data["scaling_curve"] and data["break_even"] == _json(WORDS)["break_even"]


def test_plan_file_json_carries_the_same_break_even(tmp_path: Path):
    plan = tmp_path / "plan.toml"
    plan.write_text('users = 10000\nstage = "startup"\n', encoding="utf-8")
    data = _json("-f", str(plan))
    assert data["break_even"] == _json(WORDS)["break_even"]
    assert data["break_even_left_out"] is None


@pytest.mark.parametrize("words", [WORDS, "10k users kimi-k2", "20k users self-hosted h100"])
def test_mcp_estimate_is_the_json_aicost_prints_and_fits_its_output_schema(words):
    data = Answers().estimate(words, None).data
    assert data == _json(words)
    checked = EstimateResult.model_validate(data)
    assert (checked.break_even is None) == (checked.break_even_left_out is not None)


def test_slack_export_json_carries_the_break_even_of_the_hosting_tip():
    _, exported = answers.export(first_scenario(WORDS), None)
    data = json.loads(exported)
    assert data["break_even"] == _json(WORDS)["break_even"]
    blocks = [json.dumps(m.blocks, ensure_ascii=False) for m in answers.request(WORDS).messages]
    (tip,) = [b for b in blocks if "When self-hosting pays off" in b]
    assert data["break_even"]["pair"]["why"] in tip


def test_mcp_what_if_gives_the_new_estimate_as_aicost_json_prints_it():
    data = Answers().what_if(WORDS, None, "what if 50k users", None).data
    assert data["estimate"] == _json("50k users startup")
    assert (
        data["estimate"]["break_even"]["first_year_difference"]
        != _json(WORDS)["break_even"]["first_year_difference"]
    )
