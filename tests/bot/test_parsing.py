"""Free text the bot and the terminal understand, and what they say about the rest."""

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import (
    Command,
    InputError,
    breakeven_question,
    compare_options,
    first_scenario,
    parse,
    scenario_from,
)
from estimator.scenario import Compliance, ScenarioError

REQUESTS = [
    ("10000 users startup", {"users": 10_000, "stage": "startup"}),
    ("10k users", {"users": 10_000}),
    ("1.5M users", {"users": 1_500_000}),
    ("50,000 users enterprise", {"users": 50_000, "stage": "enterprise"}),
    ("$80k prototype", {"prototype_cost": 80_000}),
    ("prototype $80k", {"prototype_cost": 80_000}),
    ("gpt-4o-mini", {"model": "gpt-4o-mini"}),
    ("3 regions", {"regions": 3}),
    ("self-hosted h100", {"hosting": "self-hosted", "gpu": "h100"}),
    ("self-hosted h100 fp8", {"hosting": "self-hosted", "gpu": "h100", "precision": "fp8"}),
    ("cache 40%", {"cache_hit_rate": 0.4}),
    ("40% cache hit rate", {"cache_hit_rate": 0.4}),
    ("99.99", {"uptime": 99.99}),
    ("1 million users", {"users": 1_000_000}),
    ("a million users", {"users": 1_000_000}),
    ("what if we had a million users", {"users": 1_000_000}),
    ("half a million users", {"users": 500_000}),
    ("a thousand users", {"users": 1_000}),
    ("one million users", {"users": 1_000_000}),
    ("8 requests per day", {"requests_per_active_user_per_day": 8}),
    ("1,500 input tokens 400 output tokens", {"input_tokens": 1500, "output_tokens": 400}),
    ("1000/300 tokens", {"input_tokens": 1000, "output_tokens": 300}),
    ("20% daily active", {"daily_active_share": 0.2}),
    ("growth 5%", {"monthly_user_growth": 0.05}),
    ("prompt caching 70%", {"prompt_cache_share": 0.7}),
    ("2M records", {"stored_records": 2_000_000}),
    ("١٠٠٠٠ users", {"users": 10_000}),  # Arabic-Indic digits
    ("10\u200b000 users", {"users": 10_000}),  # zero-width space inside the number
    ("\u202e10000 users", {"users": 10_000}),  # right-to-left override mark
]


@pytest.mark.parametrize(("text", "expected"), REQUESTS)
def test_request_phrasing_is_understood(text, expected):
    parsed = parse(text)
    assert parsed.unknown == ()
    assert parsed.change.set == expected


def test_compliance_words_name_the_frameworks():
    parsed = parse("soc2 gdpr")
    assert parsed.change.add_compliance == (Compliance.soc2, Compliance.gdpr)
    assert parse("SOC 2 and ISO 27001").change.add_compliance == (
        Compliance.soc2,
        Compliance.iso27001,
    )
    assert parse("hipaa").change.add_compliance == (Compliance.hipaa,)


FOLLOW_UPS = [
    ("what if 50k users?", {"users": 50_000}),
    ("with caching", {"cache_hit_rate": 0.4}),
    ("no caching", {"cache_hit_rate": 0.0}),
    ("use claude-haiku-4-5", {"model": "claude-haiku-4-5"}),
    ("switch to gemini-2.5-flash", {"model": "gemini-2.5-flash"}),
    ("enterprise", {"stage": "enterprise"}),
    ("3 regions", {"regions": 3}),
]


@pytest.mark.parametrize(("text", "expected"), FOLLOW_UPS)
def test_follow_up_phrasing_parses_to_a_change(text, expected):
    parsed = parse(text)
    assert parsed.unknown == ()
    assert parsed.change.set == expected


def test_follow_ups_add_drop_and_scale():
    assert parse("add hipaa").change.add_compliance == (Compliance.hipaa,)
    assert parse("drop soc2").change.remove_compliance == (Compliance.soc2,)
    assert parse("what if 10x users").change.scale_users == 10
    assert parse("double the users").change.scale_users == 2


@pytest.mark.parametrize(
    ("text", "command"),
    [("undo", Command.undo), ("reset", Command.reset), ("help", Command.help),
     ("form", Command.form), ("forget", Command.forget), ("start over", Command.reset)],
)  # fmt: skip
def test_commands(text, command):
    assert parse(text).command is command


def test_words_not_understood_are_named_back():
    with pytest.raises(InputError) as caught:
        first_scenario("10000 users startup with blockchain synergy")
    message = str(caught.value)
    assert "blockchain" in message and "synergy" in message
    assert "10000 users startup" in message  # an example of what to type


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0 users", "between 1 and 6,000,000,000"),
        ("-1 users", "between 1 and 6,000,000,000"),
        ("20000000000 users", "between 1 and 6,000,000,000"),
        ("10 billion users", "everyone online in 2025, by ITU's count"),
        ("cache 99%", "between 0% and 95%"),
        ("1.5 users", "whole number"),
        ("gpt-4o-minx", "gpt-4o-mini"),
        ("25 regions", "between 1 and 20"),
    ],
)
def test_out_of_range_values_get_the_allowed_range(text, fragment):
    with pytest.raises(InputError, match=fragment):
        first_scenario(text)


@pytest.mark.parametrize(
    "text",
    ["1e309", "NaN users", "inf", "0x10", "10^12 users", "<!channel>", "<!here>", "<@U123>",
     "<https://x|link>", "*bold*", "&lt;", "🚀🚀 users"],
)  # fmt: skip
def test_hostile_text_is_named_back_not_obeyed(text):
    parsed = parse(text)
    assert parsed.unknown or not parsed.understood_anything


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsing_never_raises_anything_but_its_own_clear_error(text):
    try:
        first_scenario(text)
    except InputError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    except ScenarioError:  # pragma: no cover - would mean a path forgot to wrap
        raise AssertionError("ScenarioError escaped without an InputError wrapper") from None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["10k", "users", "startup", "$80k", "prototype", "soc2", "cache", "40%", "99.9",
             "3", "regions", "gpt-4o", "self-hosted", "h100", "what", "if", "1e309", "-5", "x"]
        ),
        max_size=8,
    )
)  # fmt: skip
def test_word_salad_from_known_words_never_crashes(words):
    with contextlib.suppress(InputError):
        first_scenario(" ".join(words))


# --- families, closed sets, ambiguity, context windows ------------------------------------------


def _newest(provider: str, pattern: str) -> str:
    """The newest model id matching `pattern` at `provider`, read from genai-prices directly."""
    import re

    from genai_prices.data_snapshot import get_snapshot

    (models,) = [p.models for p in get_snapshot().providers if p.id == provider]
    found = []
    for m in models:
        match = re.fullmatch(pattern, m.id)
        if match and not m.deprecated:
            found.append((tuple(int(x) for x in re.split(r"[.-]", match.group(1))), m.id))
    return max(found)[1]


@pytest.mark.parametrize(
    ("word", "provider", "pattern"),
    [
        ("claude", "anthropic", r"claude-sonnet-(\d+(?:-\d+)?)"),
        ("sonnet", "anthropic", r"claude-sonnet-(\d+(?:-\d+)?)"),
        ("haiku", "anthropic", r"claude-haiku-(\d+(?:-\d+)?)"),
        ("opus", "anthropic", r"claude-opus-(\d+(?:-\d+)?)"),
        ("gemini flash", "google", r"gemini-(\d+(?:\.\d+)?)-flash"),
        ("mistral", "mistral", r"mistral-large-(\d{1,2})"),
    ],
)
def test_a_family_name_resolves_to_its_newest_model(word, provider, pattern):
    s = first_scenario(f"10000 users {word}")
    assert s.model == _newest(provider, pattern)
    assert "model" in s.given


@pytest.mark.parametrize(
    "word", ["gpt", "gemini", "llama", "llama 70b", "mistral", "deepseek", "claude"]
)
def test_every_family_resolves_to_a_model_genai_prices_prices(word):
    from estimator.estimate import estimate
    from estimator.families import model_family_note

    s = first_scenario(f"10000 users {word}")
    e = estimate(s)
    (line,) = [i for i in e.line_items if i.category == "llm_inference"]
    assert line.low > 0 and s.model in line.item
    assert "genai-prices' data" in (model_family_note(s.model) or "")


def test_a_provider_prefix_names_the_host_whose_price_applies():
    assert first_scenario("10000 users groq/llama-3.3-70b-versatile").model == (
        "groq/llama-3.3-70b-versatile"
    )


def test_llama_70b_is_a_70b_llama_not_70_billion_users():
    s = first_scenario("10000 users llama 70b")
    assert s.users == 10_000 and "llama" in s.model and "70b" in s.model


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("10000 users 99.95", "99.5, 99.9 or 99.99"),
        ("10000 users 99.95% uptime", "99.5, 99.9 or 99.99"),
        ("10000 users self-hosted b200", "H100, H200, A100 or L4"),
        ("10000 users startup enterprise", "Which stage: startup or enterprise?"),
        ("10k users 50k users startup", "Which user count: 10,000 or 50,000?"),
    ],
)
def test_closed_sets_and_double_values_get_one_clear_sentence(text, fragment):
    with pytest.raises(InputError, match=re.escape(fragment)):
        first_scenario(text)


def test_h200_is_a_gpu_aicost_prices():
    s = first_scenario("20k users self-hosted h200")
    assert (s.hosting, s.gpu) == ("self-hosted", "h200")
    assert first_scenario("20k users on h100s").gpu == "h100"


def test_a_decimal_user_count_is_not_mistaken_for_an_uptime():
    with pytest.raises(InputError, match="whole number"):
        first_scenario("95.5 users")


def test_tokens_beyond_the_context_window_are_refused_with_the_window():
    with pytest.raises(InputError, match="context window is 128,000 tokens"):
        first_scenario("10000 users gpt-4o-mini 200000/300 tokens")
    assert first_scenario("10000 users gpt-4.1 200000/300 tokens").input_tokens == 200_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "10k users corpus 2M documents pinecone",
            {"corpus_documents": 2_000_000, "vector_store": "managed"},
        ),
        ("100k users managed vector db", {"vector_store": "managed"}),
        ("50k users pgvector", {"vector_store": "pgvector"}),
        (
            "enterprise in-memory index 1M docs",
            {"corpus_documents": 1_000_000, "vector_store": "in-memory"},
        ),
        (
            "20k users s3 vectors corpus of 5m documents",
            {"corpus_documents": 5_000_000, "vector_store": "object-storage"},
        ),
    ],
)
def test_the_retrieval_corpus_and_vector_store_are_read_as_people_name_them(text, expected):
    parsed = parse(text)
    assert not parsed.unknown
    assert {k: parsed.change.set[k] for k in expected} == expected
    assert scenario_from(parsed).vector_store == expected["vector_store"]


def test_records_are_stored_rows_not_the_retrieval_corpus():
    parsed = parse("100k users startup 2000000000 records")
    assert parsed.change.set["stored_records"] == 2_000_000_000
    assert "corpus_documents" not in parsed.change.set


@pytest.mark.parametrize("text", ["3k users hipaa eu", "10k users europe", "5k users us-east-1"])
def test_a_place_where_a_region_count_goes_says_regions_are_counted(text):
    with pytest.raises(InputError) as raised:
        first_scenario(text)
    said = str(raised.value)
    assert "didn't understand" in said and "“2 regions”" in said and "gdpr" in said, said


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ten thousand users", {"users": 10_000}),
        ("fifty thousand users enterprise", {"users": 50_000, "stage": "enterprise"}),
        ("a hundred thousand users", {"users": 100_000}),
        ("one hundred and fifty thousand users", {"users": 150_000}),
        ("twenty-five thousand users", {"users": 25_000}),
        ("two million five hundred thousand users", {"users": 2_500_000}),
        ("fifteen hundred users", {"users": 1_500}),
        ("10k users five regions", {"users": 10_000, "regions": 5}),
        ("10k users in one region", {"users": 10_000, "regions": 1}),
        ("$fifty thousand prototype", {"prototype_cost": 50_000}),
    ],
)
def test_numbers_written_in_words_are_read_as_the_digits(text, expected):
    parsed = parse(text)
    assert parsed.unknown == ()
    assert parsed.change.set == expected


def test_number_words_inside_other_words_or_out_of_order_are_left_as_typed():
    assert parse("10k users one-time").unknown == ("one-time",)
    assert parse("10k users ten five").unknown == ("ten", "five")
    # A small number alone is a word, not a count: "one" is never read as 1 user.
    assert parse("what if one").unknown == ("one",)
    assert parse("which one is cheaper").unknown == ("which", "one", "cheaper")
    # "and" between two counts separates them: two options to compare, not 60,000 users.
    assert [
        s.users for _, s in compare_options("compare ten thousand and fifty thousand users")
    ] == [
        10_000,
        50_000,
    ]


@pytest.mark.parametrize(
    ("text", "prototype"),
    [
        ("10k users 2 million dollar prototype", 2_000_000),
        ("10k users 50k dollars prototype", 50_000),
        ("10k users 80,000 USD prototype", 80_000),
        ("10k users prototype usd 80k", 80_000),
        ("10k users fifty thousand dollars prototype", 50_000),
    ],
)
def test_an_amount_in_dollars_or_usd_is_read_as_a_dollar_amount(text, prototype):
    scenario = first_scenario(text)
    assert (scenario.users, scenario.prototype_cost) == (10_000, prototype)


@pytest.mark.parametrize(
    "text", ["10k users €50k prototype", "£50k prototype", "100k users in EUR"]
)
def test_another_currency_is_told_amounts_are_dollars_and_where_a_currency_is_set(text):
    with pytest.raises(InputError) as caught:
        first_scenario(text)
    message = str(caught.value)
    assert "Amounts are read in US dollars" in message and "--prices" in message


@pytest.mark.parametrize(
    ("text", "users", "daily"),
    [
        ("500k DAU 20% daily active", 2_500_000, 0.2),
        ("25% daily active 500k daily active users", 2_000_000, 0.25),
        ("10k users 500 DAU", 10_000, 0.05),
    ],
)
def test_daily_users_with_the_daily_share_or_the_monthly_users_give_the_other(text, users, daily):
    scenario = first_scenario(text)
    assert (scenario.users, scenario.daily_active_share) == (users, pytest.approx(daily))


@pytest.mark.parametrize("text", ["500k DAU", "500k daily active users"])
def test_daily_users_alone_are_asked_for_as_monthly_users_not_read_as_them(text):
    with pytest.raises(InputError) as caught:
        first_scenario(text)
    message = str(caught.value)
    assert "monthly active users" in message and "“1.7M users”" in message
    assert "didn't understand" not in message


def test_a_comparisons_columns_are_labelled_with_the_options_words_as_typed():
    options = compare_options("compare gpt-4o vs Claude Haiku for 10k users")
    assert [label for label, _ in options] == ["gpt-4o", "claude haiku"]
    assert options[1][1].model.startswith("claude-haiku")  # read as the family's newest
    spelled = compare_options("compare ten thousand and fifty thousand users")
    assert [label for label, _ in spelled] == ["ten thousand", "fifty thousand users"]
    shared = compare_options("compare gpt-4o, claude haiku w/ 10k users")
    assert [(label, s.users) for label, s in shared] == [
        ("gpt-4o", 10_000),
        ("claude haiku", 10_000),
    ]


@pytest.mark.parametrize("text", ["10k users 50k users startup", "10000 users startup enterprise"])
def test_two_values_are_offered_a_comparison_that_works_in_every_front_end(text):
    with pytest.raises(InputError) as caught:
        first_scenario(text)
    message = str(caught.value)
    assert "thread" not in message  # the terminal and the MCP tools have none
    offered = re.search(r"“(compare [^”]+)”", message).group(1)
    assert len(compare_options(offered)) == 2  # the comparison offered is one aicost reads


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("is self-hosting worth it for 100k users", "for 100k users"),
        ("at what scale does self-hosting make sense", ""),
        ("does self hosting make sense for 1M users gpt-4o", "for 1M users gpt-4o"),
    ],
)
def test_asking_whether_self_hosting_is_worth_it_is_a_break_even_question(text, rest):
    assert breakeven_question(text) == rest.lower()


def test_caching_worth_it_is_not_a_break_even_question():
    assert breakeven_question("is caching worth it") is None


@pytest.mark.parametrize(
    "text", ["10k users self host", "10k users self hosting", "10k users self-hosting"]
)
def test_self_host_and_self_hosting_read_as_self_hosted(text):
    parsed = parse(text)
    assert parsed.unknown == () and parsed.change.set["hosting"] == "self-hosted"


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("azure openai gpt-4o 10k users", "azure/gpt-4o"),
        ("10k users gpt-4o on azure", "azure/gpt-4o"),
        ("10k users claude-sonnet-4-5 on bedrock", None),  # not priced there: its list price
        ("openai gpt-4o 10k users", "gpt-4o"),  # the maker: its list price already
    ],
)
def test_a_provider_named_beside_a_model_is_where_it_runs_never_a_second_model(text, model):
    parsed = parse(text)
    assert parsed.unknown == () and parsed.problems == ()
    scenario = first_scenario(text)
    if model is None:
        assert scenario.model == "claude-sonnet-4-5"
        assert any("no aws price for claude-sonnet-4-5" in n for n in parsed.notes)
    else:
        assert scenario.model == model


def test_a_provider_alone_is_not_read_as_a_model():
    parsed = parse("10k users on aws")
    assert "model" not in parsed.change.set and parsed.problems == ()
    assert any("names where a model runs" in n for n in parsed.notes)


def test_a_compliance_regime_aicost_does_not_price_is_told_which_it_does():
    with pytest.raises(InputError) as caught:
        first_scenario("10k users soc2 pci fedramp")
    message = str(caught.value)
    assert "aicost prices SOC 2, ISO 27001, HIPAA and GDPR" in message
    assert "“pci”, “fedramp” are not among them" in message


@pytest.mark.parametrize("text", ["10k users 🚀", "10k users :rocket:", "10k users ❤️ soc2 :+1:"])
def test_an_emoji_beside_the_words_changes_nothing(text):
    parsed = parse(text)
    assert parsed.unknown == () and parsed.change.set == {"users": 10_000}


def test_soc2_type_1_is_told_type_ii_is_what_is_priced():
    for text in ("10k users soc2 type 1", "10k users SOC 2 Type I"):
        parsed = parse(text)
        assert parsed.change.add_compliance == (Compliance.soc2,) and not parsed.unknown
        assert any("priced as Type II" in note for note in parsed.notes), text
    # Type II, or SOC 2 being removed, needs no word about it.
    assert not parse("10k users soc2 type ii").notes
    assert not parse("10k users without soc2 type 1").notes


@pytest.mark.parametrize(
    ("text", "users", "note"),
    [
        ("10k-20k users", 20_000, "“10k-20k” as 20k, the top of the range"),
        ("10-20k users", 20_000, "send “compare 10k and 20k users”"),
        (">10k users", 10_000, "“>10k” as 10k, the least it says"),
        ("at least 10k users", 10_000, "“at least 10k” as 10k, the least it says"),
        ("more than 10k users", 10_000, "“more than 10k” as 10k, the least it says"),
        (">= 10k users", 10_000, "“>= 10k” as 10k, the least it says"),
        ("≥ 10k users", 10_000, "“≥ 10k” as 10k, the least it says"),
        ("less than 5k users", 5_000, "“less than 5k” as 5k, the most it says"),
        ("at most 5k users", 5_000, "“at most 5k” as 5k, the most it says"),
        ("fewer than 5k users", 5_000, "“fewer than 5k” as 5k, the most it says"),
    ],
)
def test_a_user_range_or_lower_bound_is_priced_at_one_end_and_says_which(text, users, note):
    parsed = parse(text)
    assert not parsed.unknown and parsed.change.set == {"users": users}
    assert any(note in n for n in parsed.notes), parsed.notes


@pytest.mark.parametrize("text", ["cheaper model", "try a cheaper model?", "cheapest model"])
def test_cheaper_model_typed_is_the_buttons_command(text):
    assert parse(text).command is Command.cheaper_model


def test_a_bound_on_another_figure_is_said_without_user_advice():
    # "send a larger figure to price more" is true of users, not of a cache hit rate.
    parsed = parse("10k users at least 40% cache")
    assert not parsed.unknown and parsed.change.set["cache_hit_rate"] == 0.4
    assert parsed.notes == ("Read “at least 40%” as 40%, the least it says.",)


@pytest.mark.parametrize(
    ("text", "users"),
    [
        ("10 000 users", 10_000),
        ("1\u202f000\u202f000 MAU", 1_000_000),  # French typography's narrow no-break space
        ("2\u00a0500 customers", 2_500),
        ("99.9 100 users", 100),  # an uptime beside a count: two numbers
        ("10k MAU b2b saas", 10_000),
    ],
)
def test_digits_grouped_by_spaces_in_a_count_of_people(text, users):
    parsed = parse(text)
    assert not parsed.unknown and parsed.change.set["users"] == users


def test_a_dollar_amount_grouped_by_spaces_is_one_amount():
    parsed = parse("5k users $80 000 prototype")
    assert not parsed.unknown and parsed.change.set["prototype_cost"] == 80_000


def test_the_grouped_count_pattern_knows_every_word_for_people():
    from bot.parsing.text import _COUNTED
    from bot.parsing.vocabulary import USER_WORDS

    for word in USER_WORDS:
        assert re.fullmatch(_COUNTED, word), word


def test_24_7_is_round_the_clock_service_never_token_counts():
    # "24/7" once set 24 input and 7 output tokens a request, silently.
    parsed = parse("10k users 24/7")
    assert not parsed.unknown
    assert "input_tokens" not in parsed.change.set and "output_tokens" not in parsed.change.set
    assert any("round-the-clock" in note for note in parsed.notes)
    assert parse("10k users 1200/300 tokens").change.set["input_tokens"] == 1200


@pytest.mark.parametrize(
    ("text", "uptime"), [("3 nines", 99.9), ("four nines", 99.99), ("4 nines", 99.99)]
)
def test_nines_are_an_uptime(text, uptime):
    parsed = parse(f"10k users {text}")
    assert not parsed.unknown and parsed.change.set["uptime"] == uptime


def test_a_bare_pair_of_numbers_says_it_was_read_as_tokens():
    parsed = parse("10k users 9/5")
    assert parsed.change.set["input_tokens"] == 9 and parsed.change.set["output_tokens"] == 5
    assert parsed.notes == ("Read “9/5” as 9 input and 5 output tokens a request.",)
    assert not parse("10k users 2000/500 tokens").notes  # named as tokens: nothing to say
