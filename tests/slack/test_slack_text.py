"""Slack's text formatting decoded before parsing (bot/slack/slack_text.py)."""

from __future__ import annotations

import pytest

from bot.slack.slack_text import is_greeting, plain


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("50000 users enterprise soc2 &amp; gdpr", "50000 users enterprise soc2 and gdpr"),
        ("R&amp;D team, 3 &lt; 4 &gt; 2", "R&D team, 3 < 4 > 2"),
        ("&amp;lt;@U1&amp;gt;", "&lt;@U1&gt;"),  # decoded once: never markup afterwards
        ("<@UBOT> 10000 users startup", "10000 users startup"),
        ("ask <@U0123> about it", "ask @U0123 about it"),
        ("ask <@U0123|ana> about it", "ask @ana about it"),
        ("post it in <#C0123|general>", "post it in #general"),
        ("post it in <#C0123>", "post it in #C0123"),
        ("see <https://example.com/x?a=1&amp;b=2|our plan>", "see our plan"),
        ("see <https://example.com/plan>", "see https://example.com/plan"),
        ("<!here> 10k users", "@here 10k users"),
        ("<!subteam^S0123|@platform> look", "@platform look"),
        ("<mailto:ana@example.com|ana@example.com>", "ana@example.com"),
    ],
)
def test_slack_markup_reads_as_the_person_typed_it(sent: str, typed: str) -> None:
    assert plain(sent, "UBOT") == typed


def test_the_decoded_text_is_never_read_as_markup_again() -> None:
    assert plain("&lt;@UBOT&gt; hi", "UBOT") == "<@UBOT> hi"


@pytest.mark.parametrize("text", ["hi", "Hello!", "hey", "", "  ", "hi there :)"])
def test_a_hello_is_a_greeting(text: str) -> None:
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["hi 10k users", "what if 50k users", "help", "high traffic"])
def test_a_question_is_not(text: str) -> None:
    assert not is_greeting(text)
