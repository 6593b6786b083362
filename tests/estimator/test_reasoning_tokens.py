"""Reasoning tokens: billed as output on models that reason, assumed per effort with a range in
the LLM line's band and the sensitivity, and counted by the cheaper-model lever."""

import pytest

from estimator import facts
from estimator.estimate import estimate
from estimator.savings import capability_class
from estimator.scenario import build_scenario

# 100k users, 30% daily, 5 requests, 20% from the response cache = 3,600,000 LLM calls.
CALLS = 100_000 * 0.3 * 5 * 30 * 0.8
GIVEN = dict(daily_active_share=0.3, requests_per_active_user_per_day=5)


def _scenario(**values):
    values = {"input_tokens": 1_000, "output_tokens": 300, **GIVEN, **values}
    return build_scenario(stage="midsize", users=100_000, **values)


def _llm(e):
    (line,) = [i for i in e.line_items if i.category == "llm_inference"]
    return line


def test_gpt_5_bills_its_default_medium_reasoning_as_output():
    # gpt-5 $1.25 in / $10 out per Mtok; medium effort assumed 1,500 reasoning tokens:
    # 1,000 x 1.25 + (300 + 1,500) x 10 = $0.01925 a request (was $0.00425 without them).
    line = _llm(estimate(_scenario(model="gpt-5", reasoning_tokens=None)))
    medium = facts.bundled_entry("reasoning.per_request.medium_effort")
    assert medium["tokens"] == 1_500
    assert "$0.01925 per request" in line.basis
    assert "1,500 reasoning tokens (medium effort, gpt-5's default" in line.basis
    assert "billed as output" in line.basis


@pytest.mark.parametrize(
    ("effort", "tokens"), [("minimal", 100), ("low", 500), ("medium", 1_500), ("high", 5_000)]
)
def test_the_effort_the_team_sets_picks_its_figure(effort, tokens):
    line = _llm(estimate(_scenario(model="gpt-5-mini", reasoning_effort=effort)))
    assert f"{tokens:,} reasoning tokens ({effort} effort, your setting" in line.basis


def test_reasoning_tokens_given_are_a_fact_and_leave_the_band():
    given = _scenario(model="gpt-5", reasoning_tokens=2_000)
    line = _llm(estimate(given))
    # 1,000 x 1.25 + 2,300 x 10 per Mtok = $0.02425; x 3.6M calls, band 1 (all usage given)
    assert line.low == pytest.approx(CALLS * 0.02425)
    assert line.high == pytest.approx(line.low * 1.25)
    assumed = _llm(estimate(_scenario(model="gpt-5")))
    assert "reasoning" in assumed.basis.split("p10-p90 for usage you did not give")[1]
    assert assumed.high / assumed.low > 1.25 * 2  # the effort's 500-5,000 range is in the band


def test_the_sensitivity_ranks_the_reasoning_assumption():
    e = estimate(_scenario(model="gpt-5"))
    (found,) = [x for x in e.sensitivity if x.field == "reasoning_tokens"]
    assert (found.value, found.low, found.high) == (1_500, 500, 5_000)
    assert found.swing > 0
    assert found.label == "reasoning tokens per request"


def test_a_model_that_does_not_reason_spends_none_and_says_why_when_asked():
    plain = _llm(estimate(_scenario(model="gpt-4o", input_tokens=1_000)))
    asked = _llm(estimate(_scenario(model="gpt-4o", reasoning_effort="high")))
    assert plain.low == asked.low
    assert "gpt-4o does not reason" in asked.basis


def test_claude_reasons_only_when_asked():
    off = _llm(estimate(_scenario(model="claude-sonnet-4-5")))
    on = _llm(estimate(_scenario(model="claude-sonnet-4-5", reasoning_effort="low")))
    assert "reasons only when asked" in off.basis
    assert on.low > off.low  # 500 more output tokens at $15/Mtok


def test_the_cheaper_model_lever_counts_reasoning_and_keeps_the_capability_class():
    e = estimate(_scenario(model="gpt-5-mini"))
    (lever,) = [s for s in e.savings if s.lever == "cheaper_model"] or [None]
    offered = lever.change.set["model"] if lever and lever.change else None
    # gpt-5-mini is mid-tier: never gpt-5-nano or another small model in its place.
    assert offered is None or capability_class(offered) == "mid"
    assert capability_class("gpt-5-nano") == "small"
    assert capability_class("llama-3.1-405b") == "frontier"
    assert capability_class("llama3.1-8b") == "small"


def test_a_405b_model_is_never_offered_an_8b_or_nano_model():
    s = build_scenario(
        stage="midsize", users=100_000, hosting="self-hosted", model="llama-3.1-405b"
    )
    for lever in estimate(s).savings:
        if lever.lever == "cheaper_model" and lever.change:
            assert capability_class(lever.change.set["model"]) == "frontier"
