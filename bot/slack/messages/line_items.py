"""An estimate's line items as a data table: each cost, its category, how often it is paid, its
amount and what it adds to the first year, sortable by any column."""

from __future__ import annotations

from bot.slack.blockkit import data_table, number_cell, text_cell
from bot.slack.messages.amounts import short_range
from estimator import Amount, Cadence, Estimate, LineItem, ShownCurrency, usd_range

PAGE_SIZE = 10
CAPTION = "Line items · sort by any column; a range sorts by its middle"
HEADER = ("Line item", "Category", "Paid", "Amount", "First year")
PAID = {Cadence.one_time: "one-time", Cadence.monthly: "monthly", Cadence.annual: "yearly"}
# What a line adds to the first year: paid once, twelve months, or one year.
FIRST_YEAR_TIMES = {Cadence.one_time: 1, Cadence.monthly: 12, Cadence.annual: 1}
# Below this many dollars a short range rounds a line to "$0" or "$0–1": shown with its cents.
CENTS_BELOW = 10


def _amount_cell(a: Amount, shown: ShownCurrency) -> dict:
    text = usd_range(a.low, a.high, shown) if a.high < CENTS_BELOW else short_range(a, shown)
    return number_cell((a.low + a.high) / 2 * shown.per_usd, text)


def _row(line: LineItem, shown: ShownCurrency) -> list[dict]:
    times = FIRST_YEAR_TIMES[line.cadence]
    return [
        text_cell(line.item),
        text_cell(line.category.label),
        text_cell(PAID[line.cadence]),
        _amount_cell(Amount(line.low, line.high), shown),
        _amount_cell(Amount(line.low * times, line.high * times), shown),
    ]


def line_items_table(e: Estimate) -> dict:
    """The estimate's lines of more than nothing, the largest first-year cost first. Numbers are
    in the currency the amounts are shown in (a workspace's own, else dollars)."""
    shown = e.shown
    lines = sorted(
        (line for line in e.line_items if line.high > 0),
        key=lambda line: -(line.low + line.high) * FIRST_YEAR_TIMES[line.cadence],
    )
    return data_table(CAPTION, HEADER, [_row(line, shown) for line in lines], PAGE_SIZE)
