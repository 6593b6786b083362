"""The answer to "when does self-hosting pay off?"."""

from __future__ import annotations

from bot.slack.blockkit import section
from bot.slack.fitting import message
from bot.slack.message import Message
from bot.slack.messages.replies import step_section
from bot.verdicts import breakeven_sentence
from estimator import (
    BreakEven,
)


def breakeven_line(b: BreakEven) -> str:
    return f"*When self-hosting pays off*\n{breakeven_sentence(b)}"


def breakeven_message(b: BreakEven, step: str = "") -> Message:
    """The answer to "when does self-hosting pay off?"; `step`: how a thread got back to this
    scale ("Undone: ..."), its first line."""
    sentence = breakeven_sentence(b)
    if not step:
        return message(sentence, [section(breakeven_line(b))])
    return message(f"{step}\n{sentence}", [step_section(step), section(breakeven_line(b))])
