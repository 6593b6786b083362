"""`/aicost` opens the form for exactly the texts it did when the event loop parsed them in full:
"form", "edit", nothing, or words read as nothing. `asks_for_form` decides most texts from
their words alone, without the price tables a full parse reads model names with."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.corpus import conversations
from bot.parsing import EXAMPLES, FOLLOW_UP_EXAMPLES, Command, asks_for_form, parse
from bot.parsing.vocabulary import (
    ADD_WORDS,
    COMMANDS,
    COMPLIANCE,
    FILLER,
    GPUS,
    MULTIPLIERS,
    REMOVE_WORDS,
    SCALE_WORDS,
    STAGES,
    USER_WORDS,
)


def opened_form_before(text: str) -> bool:
    """What the slash command listener decided with a full parse, before `asks_for_form`."""
    parsed = parse(text)
    if parsed.command is not None:
        return parsed.command is Command.form
    return not parsed.understood_anything and not parsed.unknown


WORDS = sorted(
    {*FILLER, *ADD_WORDS, *REMOVE_WORDS, *USER_WORDS, *MULTIPLIERS, *COMMANDS, *STAGES,
     *COMPLIANCE, *GPUS, *SCALE_WORDS}
)  # fmt: skip
# Numbers (a scale of nothing among them), model names and their parts, the words a model moved
# away from follows, typos, and words nobody taught it.
OTHERS = [
    "0x", "0.0x", "-0x", "0", "5x", "10k", "1.5m", "99.9", "99.95", "40%", "0%", "$80k", "500/150",
    "gpt-4o", "gpt", "4o", "mini", "claude", "sonnet", "4.5", "llama", "70b", "34b", "h100s",
    "from", "instead", "of", "usres", "plese", "entreprise", "hippa", "/aicost", "hello", "foo",
    "self-hosted", "api", "caching", "reasoning", "starting", "march", "2027", "soc", "2", "?",
    "groq", "GROQ", "azure", "bedrock", "on", "openai", "fp8",
]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["", "form", "edit", "/aicost", "please", "usres", "0x", "0x users", "0x k", "from gpt-4o",
     "instead of gpt-4o", "what if", "with", "no", "help", "hello", "10000 users startup",
     "startup gpt-4o", "gpt-4o", "plese estimate", "start over", "groq", "GROQ", "on azure"],
)  # fmt: skip
def test_the_form_opens_for_the_texts_it_always_opened_for(text: str) -> None:
    assert asks_for_form(text) == opened_form_before(text)


def test_no_example_request_or_benchmark_text_opens_the_form() -> None:
    texts = [*EXAMPLES, *FOLLOW_UP_EXAMPLES]
    texts += [t for c in conversations(300) for t in (c.text, c.follow_up) if t]
    assert [t for t in texts if asks_for_form(t) != opened_form_before(t)] == []
    assert not any(asks_for_form(t) for t in texts)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(WORDS + OTHERS), max_size=6))
def test_any_mix_of_words_opens_the_form_exactly_when_a_full_parse_did(words: list[str]) -> None:
    text = " ".join(words)
    assert asks_for_form(text) == opened_form_before(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_opens_the_form_exactly_when_a_full_parse_did(text: str) -> None:
    assert asks_for_form(text) == opened_form_before(text)


def test_a_host_named_alone_is_answered_with_what_to_add_not_the_form() -> None:
    # "/aicost groq" once opened the form silently; the host's note says to name the model.
    assert not asks_for_form("groq")
    parsed = parse("groq")
    assert parsed.understood_anything
    assert any("name the model too" in note for note in parsed.notes)
