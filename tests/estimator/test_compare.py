"""compare: one column per option, each equal to a separate estimate of that option."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import advisor
from bot.advisor import ConversationState, ReplyKind
from bot.parsing import InputError, compare_options, first_scenario
from estimator.compare import compare
from estimator.estimate import estimate


def test_each_column_equals_a_separate_estimate_of_that_option():
    text = "compare gpt-4o-mini, claude-haiku-4-5, self-hosted l4 for 100k users enterprise"
    c = compare(compare_options(text))
    alone = [
        first_scenario("gpt-4o-mini 100k users enterprise"),
        first_scenario("claude-haiku-4-5 100k users enterprise"),
        first_scenario("self-hosted l4 100k users enterprise"),
    ]
    assert [o.label for o in c.options] == ["gpt-4o-mini", "claude-haiku-4-5", "self-hosted l4"]
    for option, scenario in zip(c.options, alone, strict=True):
        assert option.estimate.totals == estimate(scenario).totals
        assert option.estimate.scenario.users == 100_000


def test_cheapest_and_the_category_that_differs_most():
    c = compare(compare_options("compare claude-sonnet-4-5, gpt-4o-mini for 100k users"))
    assert c.options[c.cheapest].label == "gpt-4o-mini"
    assert c.widest_category.value == "llm_inference"


def test_numbers_with_thousands_commas_are_not_split_into_options():
    options = compare_options("compare 10,000 users, 100,000 users")
    assert [s.users for _, s in options] == [10_000, 100_000]


@pytest.mark.parametrize(
    ("text", "count"),
    [("compare gpt-4o-mini for 10k users", 1), ("compare 1k users, 2k, 3k, 4k, 5k, 6k", 6)],
)
def test_fewer_than_two_or_more_than_five_options_is_one_sentence(text, count):
    with pytest.raises(InputError, match="two to five options"):
        compare_options(text)
    reply = advisor.request(text, ConversationState()).reply
    assert reply.kind is ReplyKind.error and f"got {count}" in reply.text


def test_in_chat_options_change_the_current_scenario():
    state = advisor.request("20k users midsize hipaa", ConversationState()).state
    turn = advisor.follow_up_text("compare gpt-4o-mini, claude-haiku-4-5", state)
    assert turn.reply.kind is ReplyKind.comparison
    scenarios = [o.estimate.scenario for o in turn.reply.comparison.options]
    assert all(s.users == 20_000 and s.stage.value == "midsize" for s in scenarios)
    assert turn.state == state  # a comparison does not move the conversation


def test_vs_separates_options_and_an_option_naming_a_model_runs_it_on_its_api():
    options = compare_options("compare self-hosted l4 vs gpt-4o-mini for 30k users")
    (first, self_hosted), (second, api) = options
    assert (first, second) == ("self-hosted l4", "gpt-4o-mini")
    assert self_hosted.hosting.value == "self-hosted" and self_hosted.gpu.value == "l4"
    assert api.hosting.value == "api" and api.users == self_hosted.users == 30_000


@pytest.mark.parametrize(
    "text",
    [
        "compare gpt-4o and claude-haiku-4-5 for 20k users",
        "compare gpt-4o, and claude-haiku-4-5 for 20k users",
    ],
)
def test_and_separates_two_models_as_people_type_it(text):
    options = compare_options(text)
    assert [label for label, _ in options] == ["gpt-4o", "claude-haiku-4-5"]
    assert [s.model for _, s in options] == ["gpt-4o", "claude-haiku-4-5"]
    assert all(s.users == 20_000 for _, s in options)
    three = compare_options("compare gpt-4o, claude-haiku-4-5 and self-hosted l4 for 20k users")
    assert [label for label, _ in three] == ["gpt-4o", "claude-haiku-4-5", "self-hosted l4"]


def test_and_separates_user_counts_and_stages_too():
    counts = compare_options("compare 10k and 100k users")
    assert [s.users for _, s in counts] == [10_000, 100_000]
    stages = compare_options("compare startup and enterprise for 10k users")
    assert [s.stage.value for _, s in stages] == ["startup", "enterprise"]
    assert all(s.users == 10_000 for _, s in stages)


def test_and_inside_an_option_stays_that_options_words():
    options = compare_options("compare gpt-4o soc2 and hipaa vs claude-haiku-4-5 for 20k users")
    (label, first), (_, second) = options
    assert label == "gpt-4o soc2 and hipaa" and len(first.compliance) == 2
    assert second.model == "claude-haiku-4-5"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abcl4 ,k0159-$%.vs", max_size=60) | st.text(max_size=60))
def test_any_comparison_or_break_even_text_gets_a_reply_never_a_traceback(text):
    for prefix in ("compare ", "when does self-hosting pay off "):
        turn = advisor.request(prefix + text, ConversationState())
        assert turn.reply.kind in (ReplyKind.comparison, ReplyKind.breakeven, ReplyKind.error)
        assert turn.reply.text
