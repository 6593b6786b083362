"""What people type at the front door: phrasings, model spellings, questions, hostile numbers."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advisor import ConversationState, ReplyKind, request
from bot.parsing import InputError, compare_options, first_scenario, is_compare, parse
from tests.bot.phrasings import PHRASINGS


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


@pytest.mark.parametrize(
    ("typed", "model"),
    [
        ("gpt4o", "gpt-4o"),
        ("Claude Opus 4.1", "claude-opus-4-1"),
        ("claude sonnet 4.5", "claude-sonnet-4-5"),
        ("Claude 4.5 Sonnet", "claude-sonnet-4-5"),
        ("gpt 4o mini", "gpt-4o-mini"),
        ("gemini 2.5 flash", "gemini-2.5-flash"),
        ("llama 3.1 8b", "llama3.1-8b"),
        ("llama-3.1-8b", "llama3.1-8b"),
        ("Llama-3.1-8B-Instruct", "llama3.1-8b"),
        ("qwen 2.5 72b", "qwen/qwen-2.5-72b-instruct"),
        ("qwen3 32b", "qwen/qwen3-32b"),
        ("qwen3-235b-a22b", "qwen/qwen3-235b-a22b"),
        ("deepseek r1", "deepseek-r1"),
        ("mistral small", "mistral-small-3.2-24b-instruct"),
        ("gemma 3 27b", "google/gemma-3-27b-it"),
        ("gemma-3-27b-it", "google/gemma-3-27b-it"),
        ("mixtral 8x7b", "mixtral-8x7b"),
        ("phi-4", "phi-4"),
    ],
)
def test_models_are_read_by_the_names_people_use(typed, model):
    parsed = parse(f"10k users {typed} 3 regions")
    assert parsed.unknown == () and parsed.problems == ()
    assert parsed.change.set == {"users": 10_000, "model": model, "regions": 3}
    assert first_scenario(f"10k users {typed}").model == model


def test_self_hosted_mistral_is_an_open_mistral_and_says_so():
    reply = request("10k users self-hosted mistral", ConversationState()).reply
    assert reply.kind is ReplyKind.estimate
    assert reply.scenario.model == "mistral-small-3.2-24b-instruct"
    assert "Mistral Small" in reply.text and "no published weights" in reply.text


def test_self_hosted_deepseek_is_sized_on_a_gpu_that_holds_it():
    reply = request("10k users self-hosted deepseek", ConversationState()).reply
    assert reply.kind is ReplyKind.estimate
    assert reply.scenario.model == "deepseek-chat"
    assert reply.scenario.gpu.value == "h200"
    assert "sized on H200" in reply.text


@pytest.mark.parametrize("typed", ["self-hosted llama 3.1 8b", "self hosted qwen 2.5 72b h100"])
def test_open_models_self_host_by_their_common_names(typed):
    reply = request(f"20k users {typed}", ConversationState()).reply
    assert reply.kind is ReplyKind.estimate, reply.text
    assert reply.scenario.hosting.value == "self-hosted"


def test_fp8_on_an_api_model_is_ignored_out_loud():
    reply = request("10k users gpt-4o-mini fp8", ConversationState()).reply
    assert reply.kind is ReplyKind.estimate
    assert "“fp8” was ignored" in reply.text and "gpt-4o-mini" in reply.text
    hosted = request("10k users self-hosted h100 fp8", ConversationState()).reply
    assert hosted.text == ""


def test_the_cli_prints_the_note_on_stderr(capsys):
    from bot.cli import main

    assert main(["--json", "10k", "users", "fp8"]) == 0
    captured = capsys.readouterr()
    assert "“fp8” was ignored" in captured.err
    assert captured.out.lstrip().startswith("{")


def _breakeven(text):
    reply = request(text, ConversationState()).reply
    assert reply.kind is ReplyKind.breakeven, reply.text
    return reply.breakeven


def test_break_even_reads_both_sides_the_user_names():
    result = _breakeven(
        "when does self-hosting llama 70b pay off for 100k users claude-sonnet-4-5?"
    )
    assert result.api.model == "claude-sonnet-4-5"
    assert result.self_hosted.model == "llama-3.3-70b-versatile"
    assert result.scenario.users == 100_000


def test_break_even_about_a_closed_api_model_self_hosts_an_open_one_on_the_gpu_named():
    result = _breakeven("self-hosting on a100 pay off for 100k users gpt-4o")
    assert result.api.model == "gpt-4o"
    assert result.self_hosted.gpu.value == "a100"
    # Like with like: the first frontier-class open model eight A100s hold (DeepSeek-V3 does not)
    assert result.self_hosted.model == "qwen/qwen3-235b-a22b"


def test_break_even_with_vs_names_an_open_model_and_an_api_model():
    result = _breakeven("when does self-hosting qwen 2.5 72b on h200 pay off vs gpt 4o mini")
    assert result.api.model == "gpt-4o-mini"
    assert result.self_hosted.model == "qwen/qwen-2.5-72b-instruct"
    assert result.self_hosted.gpu.value == "h200"


def test_break_even_between_two_closed_models_says_one_must_be_open():
    reply = request(
        "when does self-hosting pay off for 10k users gpt-4o vs claude haiku", ConversationState()
    ).reply
    assert reply.kind is ReplyKind.error
    assert "published weights" in reply.text and "gpt-4o" in reply.text


@pytest.mark.parametrize("typed", ["glm-4.5", "gpt-4o-minii", "claude-sonnet-9", "llama-3.1-8b-xl"])
def test_did_you_mean_never_suggests_the_name_it_refused(typed):
    with pytest.raises(InputError) as caught:
        first_scenario(f"10k users {typed}")
    message = str(caught.value)
    assert "Did you mean" in message
    suggested = message.split("Did you mean", 1)[1]
    assert typed not in [name.strip(" ?.") for name in suggested.split(",")]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("gtp-4o", "gpt-4o"), ("claud-opus-4", "claude-opus-4"), ("gemeni-pro", "gemini-pro")],
)
def test_unknown_words_shaped_like_models_get_the_closest_model_names(typed, expected):
    reply = request(f"10k users {typed}", ConversationState()).reply
    assert reply.kind is ReplyKind.hint
    assert expected in reply.text and "10000 users startup" not in reply.text


def test_ordinary_unknown_words_still_get_examples():
    reply = request("10k users banana", ConversationState()).reply
    assert "“banana”" in reply.text and "10000 users startup" in reply.text


@pytest.mark.parametrize(
    ("typed", "meant", "field", "value"),
    [
        ("10k usres", "users", "users", 10_000),
        ("entreprise 10k users", "enterprise", "stage", "enterprise"),
        ("10k users clade sonnet 4.5", "claude", "model", "claude-sonnet-4-5"),
        ("gpt-4o-mini 10k users 3 regoins", "regions", "regions", 3),
    ],
)
def test_close_misspellings_are_read_as_meant_and_said(typed, meant, field, value):
    parsed = parse(typed)
    assert parsed.unknown == () and parsed.change.set[field] == value
    assert any(f"as “{meant}”" in note for note in parsed.notes)
    reply = request(typed, ConversationState()).reply
    assert reply.kind is ReplyKind.estimate and f"as “{meant}”" in reply.text


def test_two_models_in_one_request_is_a_question_back_not_last_one_wins():
    reply = request("10k users gpt-4o and claude-haiku-4-5", ConversationState()).reply
    assert reply.kind is ReplyKind.error
    assert "gpt-4o or claude-haiku-4-5" in reply.text and "vs" in reply.text
    assert parse("switch from gpt-4o to claude-haiku-4-5").change.set == {
        "model": "claude-haiku-4-5"
    }


def test_a_model_size_is_not_read_as_billions_of_users():
    reply = request("our 34b model self-hosted 10k users", ConversationState()).reply
    assert reply.estimate is not None
    assert reply.estimate.scenario.users == 10_000 and reply.estimate.scenario.model == "own-34b"
    assert parse("1.5b users").change.set == {"users": 1_500_000_000}


_WORDS = sorted({word for text, _ in PHRASINGS for word in text.split()})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8))
def test_any_mix_of_the_words_people_use_gets_an_answer_or_one_sentence(words):
    reply = request(" ".join(words), ConversationState()).reply
    if reply.kind in (ReplyKind.hint, ReplyKind.error, ReplyKind.info):
        assert reply.text and "\n" not in reply.text and "Traceback" not in reply.text


def test_the_estimators_own_suggestions_never_offer_the_refused_name():
    from estimator.scenario import ScenarioError, build_scenario

    with pytest.raises(ScenarioError) as caught:
        build_scenario(model="gemma-3-27b-it")  # listed by genai-prices, but not priced
    suggested = str(caught.value).split("Did you mean", 1)[1]
    assert "gemma-3-27b-it" not in [name.strip(" ?.") for name in suggested.split(",")]
