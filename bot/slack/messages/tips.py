"""The replies in an estimate's thread: caching, managed services, the five strategies, the sums."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.fail_soft import optional
from bot.slack.blockkit import section
from bot.slack.fitting import message
from bot.slack.message import Message
from bot.slack.messages.amounts import short_range
from bot.slack.messages.arithmetic import arithmetic
from bot.slack.messages.breakeven import breakeven_line
from bot.slack.messages.replies import info_message
from estimator import (
    Amount,
    BreakEven,
    Estimate,
    Saving,
)


def _saving(e: Estimate, lever: str) -> Saving | None:
    for saving in e.savings:  # a loop, not next(generator): eight of these an answer
        if saving.lever == lever:
            return saving
    return None


def _lever_lines(e: Estimate, levers: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """Each lever with its saving; a lever that saves nothing here says why instead."""
    lines, shown = [], e.shown
    for lever, name in zip(levers, names, strict=True):
        saving = _saving(e, lever)
        if saving is not None:
            lines.append(
                f"• *{saving.name}* ({short_range(saving.monthly, shown, '/month')}): "
                f"{saving.detail}"
            )
            continue
        why = next((a.why for a in e.absent if a.kind == "lever" and a.name == name), None)
        if why:
            lines.append(f"• *{name}* (nothing to save here): {why}")
    return lines


_EMOJI = re.compile(r"^:[a-z_]+: ")


def _plain_words(mrkdwn: str) -> str:
    """A headline for the notification fallback: no emoji code, no bold marks."""
    return _EMOJI.sub("", mrkdwn).replace("*", "")


def _caching_tip(e: Estimate) -> Message:
    found = [_saving(e, "response_caching"), _saving(e, "prompt_caching")]
    total, shown = sum((s.monthly for s in found if s is not None), Amount(0, 0)), e.shown
    if total.high > 0:
        headline = (
            f":bulb: *Caching could save {short_range(total, shown, '/month')}* "
            f"({short_range(total.scaled(12), shown, '/year')})"
        )
    else:
        headline = ":bulb: *Caching: no dollar saving in this scenario*"
    lines = [headline]
    lines += _lever_lines(
        e, ("response_caching", "prompt_caching"), ("Response caching", "Prompt caching")
    )
    if total.high > 0:  # with nothing to save, the totals with it are the same totals
        lines.append("*Apply caching* under the estimate shows the totals with it.")
    return message(_plain_words(headline), [section("\n".join(lines))])


def _managed_tip(e: Estimate, breakeven: BreakEven | str | None = None) -> Message:
    managed, shown = _saving(e, "managed_services"), e.shown
    if managed is not None:
        monthly = short_range(managed.monthly, shown, "/month")
        headline = f":gear: *Managed services: {monthly} net in your favour*"
        detail = managed.detail
    else:
        headline = ":gear: *Managed services: no net saving at this size*"
        detail = next(
            (a.why for a in e.absent if a.kind == "lever" and a.name == "Managed services"), ""
        )
    also = "\n".join(
        _lever_lines(
            e,
            ("autoscaling", "cheaper_model", "reserved_gpus"),
            ("Autoscaling", "Cheaper model", "Reserved GPUs"),
        )
    )
    blocks = [section(f"{headline}\n{detail}")]
    if isinstance(breakeven, str):  # why it could not be worked out
        blocks.append(section(f"*When self-hosting pays off*\n{breakeven}"))
    elif breakeven is not None:
        blocks.append(section(breakeven_line(breakeven)))
    if also:
        blocks.append(section(f"*Also worth a look*\n{also}"))
    return message(_plain_words(headline), blocks)


def _strategies(e: Estimate) -> Message:
    blocks = [section("*Five scaling strategies, with this scenario's numbers*")]
    for n, strategy in enumerate(e.strategies, 1):
        blocks.append(section(f"*{n}. {strategy.name}*: {strategy.rule}\n{strategy.advice}"))
    return message("Five scaling strategies, with this scenario's numbers", blocks)


def thread_tips(e: Estimate, breakeven: BreakEven | str | None = None) -> list[Message]:
    """The replies in an estimate's thread, in order: caching, managed services and hosting
    (with the break-even when given, or the sentence why it is not), the five strategies, then
    the arithmetic behind every line (as many messages as Slack needs). A tip that fails is a
    sentence saying so; the others still come."""
    parts: list[tuple[str, Callable[[], list[Message]]]] = [
        ("the caching tip", lambda: [_caching_tip(e)]),
        ("the hosting tip", lambda: [_managed_tip(e, breakeven)]),
        ("the five scaling strategies", lambda: [_strategies(e)]),
        ("the arithmetic behind each line", lambda: arithmetic(e)),
    ]
    tips: list[Message] = []
    for part, make in parts:
        made = optional(part, make)
        tips.extend([info_message(made)] if isinstance(made, str) else made)
    return tips
