"""An estimate's line items as a data table: each cost, its category, how often it is paid, its
amount and what it adds to the first year, sortable by any column."""

from __future__ import annotations

from bot.slack.blockkit import data_table, number_cell, text_cell
from bot.slack.messages.amounts import short_range_of
from estimator import Cadence, Estimate, LineItem, ShownCurrency, usd_range

PAGE_SIZE = 10
CAPTION = "Line items · sort by any column; a range sorts by its middle"
HEADER = ("Line item", "Category", "Paid", "Amount", "First year")
PAID = {Cadence.one_time: "one-time", Cadence.monthly: "monthly", Cadence.annual: "yearly"}
# What a line adds to the first year: paid once, twelve months, or one year.
FIRST_YEAR_TIMES = {Cadence.one_time: 1, Cadence.monthly: 12, Cadence.annual: 1}
_MONTHLY = Cadence.monthly
# Below this many dollars a short range rounds a line to "$0" or "$0–1": shown with its cents.
CENTS_BELOW = 10


def _amount_cell(low: float, high: float, shown: ShownCurrency) -> dict:
    text = usd_range(low, high, shown) if high < CENTS_BELOW else short_range_of(low, high, shown)
    return number_cell((low + high) / 2 * shown.per_usd, text)


def _row(line: LineItem, shown: ShownCurrency) -> list[dict]:
    low, high, cadence = line.low, line.high, line.cadence
    amount = _amount_cell(low, high, shown)
    # A line paid once or yearly adds its amount to the first year as it is (x 1 changes no
    # float): the same cell, worded once (about half the lines of an answer).
    monthly = cadence is _MONTHLY
    first_year = _amount_cell(low * 12, high * 12, shown) if monthly else dict(amount)
    return [
        text_cell(line.item),
        text_cell(line.category.label),
        text_cell(PAID[cadence]),
        amount,
        first_year,
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
