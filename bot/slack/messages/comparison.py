"""The comparison message: options side by side in one table, the cheapest marked."""

from __future__ import annotations

from bot.slack.blockkit import (
    context,
    data_table,
    header,
    number_cell,
    plain_table,
    section,
    text_cell,
)
from bot.slack.fitting import message
from bot.slack.message import Message
from bot.slack.messages.amounts import short_range
from bot.slack.messages.replies import step_section
from bot.verdicts import comparison_sentence
from estimator import (
    Amount,
    Comparison,
    ShownCurrency,
    usd_short,
    user_count,
)


def _comparison_rows(c: Comparison) -> list[tuple[str, ...]]:
    """The plain-text table of the notification: one column per option."""
    rows: list[tuple[str, ...]] = [("", *_names(c))]
    shown = c.shown
    for label, amounts in _measures(c):
        per_user = label.startswith("Cost per user")
        rows.append(
            (label, *(_per_user(a, shown) if per_user else short_range(a, shown) for a in amounts))
        )
    return rows


def _measures(c: Comparison) -> list[tuple[str, list[Amount]]]:
    widest = c.widest_category
    return [
        ("Monthly run-rate", [o.estimate.totals.monthly for o in c.options]),
        ("One-time", [o.estimate.totals.one_time for o in c.options]),
        ("First year", [o.estimate.totals.first_year for o in c.options]),
        ("Cost per user / month", [o.cost_per_user for o in c.options]),
        (f"{widest.label} (first year)", list(c.category_first_year(widest))),
    ]


# Added when a chart is drawn into the comparison's thread (bot/slack/uploads.py), never otherwise.
CHART_PROMISE = "The chart follows in the thread."

# After the cheapest option's name in the table (bot/slack/question_metadata.py reads names back).
CHEAPEST_MARK = " ✓ cheapest"


def _names(c: Comparison) -> list[str]:
    return [o.label + (CHEAPEST_MARK if i == c.cheapest else "") for i, o in enumerate(c.options)]


def _comparison_table(c: Comparison) -> dict:
    """One row per option, one column per measure, so people sort the options by any of them
    (numbers in the currency shown; a range sorts by its middle)."""
    shown = c.shown
    per_unit = shown.per_usd
    measures = _measures(c)
    rows = []
    for i, name in enumerate(_names(c)):
        row = [text_cell(name)]
        for label, amounts in measures:
            a = amounts[i]
            words = (
                _per_user(a, shown) if label.startswith("Cost per user") else short_range(a, shown)
            )
            row.append(number_cell((a.low + a.high) / 2 * per_unit, words))
        rows.append(row)
    header = ("Option", *(label for label, _ in measures))
    caption = "The options side by side · sort by any column; a range sorts by its middle"
    return data_table(caption, header, rows, page_size=len(rows))


def _per_user(a: Amount, shown: ShownCurrency) -> str:
    # Cents matter per user: $0.04, not $0 (in the shown currency, like every other row).
    sign, rate = shown.symbol, shown.per_usd
    low, high = (
        f"{sign}{v * rate:,.2f}" if v * rate < 100 else usd_short(v, shown) for v in (a.low, a.high)
    )
    return low if low == high else f"{low}–{high.removeprefix(sign)}"


def comparison_message(c: Comparison, step: str = "") -> Message:
    """The options side by side in one table (one row each, the cheapest marked), the verdict
    and what per user means. `step`: how a thread got back to this comparison ("Undone: ..."),
    its first line. Whether a chart follows is the poster's to say (CHART_PROMISE)."""
    users = {o.estimate.scenario.users for o in c.options}
    title = f"Compared: {len(c.options)} options"
    if len(users) == 1:
        title += f" · {user_count(users.pop())}"
    rows = _comparison_rows(c)
    verdict = comparison_sentence(c)
    blocks = [
        header(title),
        *([step_section(step)] if step else []),
        section(verdict),
        _comparison_table(c),  # a table block where Slack refuses data tables (fitting.py)
        context(
            "Cost per user is the all-in monthly cost (team and legal spread over 12) divided by "
            "monthly active users. Anything the options do not name is shared."
        ),
    ]
    text = f"{verdict}\n{plain_table(rows)}"
    return message(f"{step}\n{text}" if step else text, blocks)
