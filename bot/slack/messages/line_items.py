"""An estimate's line items as a data table: each cost, its category, how often it is paid, its
amount and what it adds to the first year, sortable by any column."""

from __future__ import annotations

from bot.slack.blockkit import data_table, number_cell, text_cell
from bot.slack.messages.amounts import short_range
from estimator import Amount, Cadence, Estimate, LineItem, shown, usd_range

PAGE_SIZE = 10
CAPTION = "Line items · sort by any column; a range sorts by its middle"
HEADER = ("Line item", "Category", "Paid", "Amount", "First year")
PAID = {Cadence.one_time: "one-time", Cadence.monthly: "monthly", Cadence.annual: "yearly"}
# What a line adds to the first year: paid once, twelve months, or one year.
FIRST_YEAR_TIMES = {Cadence.one_time: 1, Cadence.monthly: 12, Cadence.annual: 1}
# Below this many dollars a short range rounds a line to "$0" or "$0–1": shown with its cents.
CENTS_BELOW = 10


def _amount_cell(a: Amount, per_unit: float) -> dict:
    text = usd_range(a.low, a.high) if a.high < CENTS_BELOW else short_range(a)
    return number_cell((a.low + a.high) / 2 * per_unit, text)


def _row(line: LineItem, per_unit: float) -> list[dict]:
    times = FIRST_YEAR_TIMES[line.cadence]
    return [
        text_cell(line.item),
        text_cell(line.category.label),
        text_cell(PAID[line.cadence]),
        _amount_cell(Amount(line.low, line.high), per_unit),
        _amount_cell(Amount(line.low * times, line.high * times), per_unit),
    ]


def line_items_table(e: Estimate) -> dict:
    """The estimate's lines of more than nothing, the largest first-year cost first. Numbers are
    in the currency the amounts are shown in (a workspace's own, else dollars)."""
    currency = shown()
    per_unit = currency[1] if currency is not None else 1.0
    lines = sorted(
        (line for line in e.line_items if line.high > 0),
        key=lambda line: -(line.low + line.high) * FIRST_YEAR_TIMES[line.cadence],
    )
    return data_table(CAPTION, HEADER, [_row(line, per_unit) for line in lines], PAGE_SIZE)
