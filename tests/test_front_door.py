"""What people type at the front door: phrasings, model spellings, questions, hostile numbers."""

import pytest

from bot.advisor import ConversationState, ReplyKind, request
from bot.parsing import InputError, compare_options, first_scenario, is_compare, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "10,000 users $80k prototype 3 regions",
            {"users": 10_000, "prototype_cost": 80_000, "regions": 3},
        ),
        (
            "10,000 users $80k prototype 8 requests per day",
            {"users": 10_000, "prototype_cost": 80_000, "requests_per_active_user_per_day": 8},
        ),
        (
            "10k users $80k prototype 5k records",
            {"users": 10_000, "prototype_cost": 80_000, "stored_records": 5_000},
        ),
        ("10k monthly active users", {"users": 10_000}),
        ("25k active users", {"users": 25_000}),
    ],
)
def test_numbers_after_the_prototype_keep_their_own_units(text, expected):
    parsed = parse(text)
    assert parsed.unknown == ()
    assert parsed.change.set == expected


@pytest.mark.parametrize(
    "text",
    [
        "1000000/1000000 tokens",
        "9" * 320 + " users",
        "$" + "9" * 309 + " prototype",
        "10k users " + "1" * 400 + " regions",
        "9" * 320 + "/400 tokens",
    ],
)
def test_huge_or_out_of_range_numbers_get_one_sentence(text):
    with pytest.raises(InputError) as caught:
        first_scenario(text)
    message = str(caught.value)
    assert "inf" not in message and message.count(".") <= 3
    reply = request(text, ConversationState()).reply
    assert reply.kind is ReplyKind.error and reply.text == message


def test_vs_between_two_options_is_a_comparison_sharing_the_user_count():
    text = "10k users gpt-4o vs claude-haiku-4-5"
    assert is_compare(text)
    options = compare_options(text)
    assert [s.model for _, s in options] == ["gpt-4o", "claude-haiku-4-5"]
    assert [s.users for _, s in options] == [10_000, 10_000]
    reply = request(text, ConversationState()).reply
    assert reply.kind is ReplyKind.comparison


def test_vs_never_lends_a_model_to_a_self_hosted_option():
    options = compare_options("self-hosted l4 vs gpt-4o-mini for 50k users")
    hosted, api = (s for _, s in options)
    assert hosted.hosting.value == "self-hosted" and hosted.model != "gpt-4o-mini"
    assert api.hosting.value == "api" and api.model == "gpt-4o-mini"
