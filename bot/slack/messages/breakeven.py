"""The answer to "when does self-hosting pay off?"."""

from __future__ import annotations

from bot.slack.blockkit import section
from bot.slack.fitting import message
from bot.slack.message import Message
from bot.verdicts import breakeven_sentence
from estimator import (
    BreakEven,
)


def breakeven_line(b: BreakEven) -> str:
    return f"*When self-hosting pays off*\n{breakeven_sentence(b)}"


def breakeven_message(b: BreakEven) -> Message:
    """The answer to "when does self-hosting pay off?"."""
    sentence = breakeven_sentence(b)
    return message(sentence, [section(breakeven_line(b))])
