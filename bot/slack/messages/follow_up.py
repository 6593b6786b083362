"""A follow-up answer (what if...): what changed, totals before → after, the new figures."""

from __future__ import annotations

from bot.advisor import Reply
from bot.slack.blockkit import header, monospace_table, plain_table, section, table_block
from bot.slack.fitting import message
from bot.slack.message import Message
from bot.slack.messages.amounts import short_range, signed_range
from bot.slack.messages.buttons import estimate_buttons
from bot.slack.messages.estimate import (
    assumptions,
    estimate_message,
    key_figures,
    notes_block,
    worded,
)
from bot.slack.messages.replies import info_message
from estimator import (
    Amount,
    EstimateDiff,
    user_count,
)

_TOTALS = (("monthly", "Monthly run-rate"), ("one_time", "One-time"), ("first_year", "First year"))


def _totals_rows(diff: EstimateDiff) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("", "Before", "After", "Change (low / high)")]
    shown = diff.shown
    for name, label in _TOTALS:
        before, after = diff.totals[name]
        change = Amount(after.low - before.low, after.high - before.high)
        rows.append(
            (
                label,
                short_range(before, shown),
                short_range(after, shown),
                signed_range(change, shown),
            )
        )
    return rows


def _totals_diff(diff: EstimateDiff) -> list[dict]:
    return [section("*Totals*, before and after"), table_block(_totals_rows(diff))]


def _category_diff(diff: EstimateDiff) -> dict:
    if not diff.categories:
        return section("*First-year impact by category*\nNo category moved.")
    shown = diff.shown
    rows: list[tuple[str, ...]] = [
        (c.category.label, signed_range(c.change, shown)) for c in diff.categories
    ]
    return section("*First-year impact by category* (low / high)\n" + monospace_table(rows))


def follow_up_message(reply: Reply) -> Message:
    """A follow-up answer: what changed, totals before → after, the per-category first-year
    impact, then the new key figures and the buttons. Without a diff, the plain estimate."""
    e = reply.estimate
    if e is None:
        return info_message(reply.text or "There is no estimate to show yet.")
    if reply.diff is None:
        return estimate_message(e, reply.text)
    diff, shown = reply.diff, e.shown
    changed = "; ".join(reply.changes or diff.changed_fields) or "nothing"
    before, after = diff.totals["monthly"]
    first_before, first_after = diff.totals["first_year"]
    text = (
        f"What changed: {changed}. Monthly run-rate {short_range(before, shown)} → "
        f"{short_range(after, shown)}; "
        f"first year {short_range(first_before, shown)} → {short_range(first_after, shown)}.\n"
        + plain_table(_totals_rows(diff))
    )
    blocks = [
        header(f"Updated: {user_count(e.scenario.users)} · {e.scenario.stage.value}"),
        section(f"*What changed:* {changed}"),
        *([notes_block(reply.text)] if reply.text else []),
        *_totals_diff(diff),
        _category_diff(diff),
        key_figures(e, worded(e.totals, shown)),
        assumptions(e.scenario, shown, applied=e.price_notes),
        estimate_buttons(e.scenario),
    ]
    return message(text, blocks)
