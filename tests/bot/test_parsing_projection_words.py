"""Words for when the projection starts and how much a model reasons."""

import datetime

import pytest

from bot.parsing import first_scenario, follow_up, parse


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2M users midsize gemini-3.8-flash starting March 2027", datetime.date(2027, 3, 1)),
        ("10k users from jan 2027", datetime.date(2027, 1, 1)),
        ("10k users starting in 2027-06", datetime.date(2027, 6, 1)),
    ],
)
def test_the_projection_start_is_read_as_a_month(text, month):
    parsed = parse(text)
    assert parsed.change.set["start_month"] == month
    assert not parsed.unknown
    assert first_scenario(text).start_month == month


@pytest.mark.parametrize(
    ("text", "effort"),
    [
        ("100k users gpt-5 minimal reasoning", "minimal"),
        ("100k users gpt-5 reasoning high", "high"),
        ("100k users gpt-5 reasoning effort: low", "low"),
        ("100k users claude-sonnet-4-5 no reasoning", "none"),
    ],
)
def test_a_reasoning_effort_is_read(text, effort):
    parsed = parse(text)
    assert parsed.change.set["reasoning_effort"] == effort
    assert not parsed.unknown
    assert first_scenario(text).reasoning_effort == effort


def test_reasoning_tokens_are_read_and_not_taken_for_users():
    s = first_scenario("100k users midsize gpt-5 2000 reasoning tokens")
    assert s.reasoning_tokens == 2_000
    assert s.users == 100_000


def test_an_effort_asked_later_replaces_reasoning_tokens_given_before():
    s = first_scenario("100k users gpt-5 2000 reasoning tokens")
    after = follow_up(s, parse("what if reasoning high?"))
    assert after.reasoning_tokens is None
    assert after.reasoning_effort == "high"
