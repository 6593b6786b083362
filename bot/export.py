"""An estimate as files: CSV for a spreadsheet (one row per line item, then the totals and the
phases) and the JSON document `aicost --json` prints.

CSV: UTF-8, every field quoted. Text that a spreadsheet would run as a formula (starting with =,
+, -, @, a tab or a carriage return) is prefixed with an apostrophe; numbers are written as
numbers. JSON: the estimate and the break-even the terminal shows beside it.
"""

from __future__ import annotations

import csv
import io
import json

from estimator import BreakEven, Estimate, figure_span

HEADER = ("category", "item", "cadence", "low", "high", "basis")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def estimate_csv(e: Estimate) -> str:
    """The CSV document (str; encode as UTF-8, a BOM is not needed by current spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for item in e.line_items:
        writer.writerow(
            _row(
                item.category.value, item.item, item.cadence.value, item.low, item.high, item.basis
            )
        )
    t = e.totals
    for name, cadence, amount, basis in (
        ("one_time", "one_time", t.one_time, "sum of one-time lines"),
        ("monthly", "monthly", t.monthly, "sum of monthly lines"),
        ("annual", "annual", t.annual, "sum of annual lines"),
        ("monthly_all_in", "monthly", t.monthly_all_in, "monthly + annual / 12"),
        ("first_year", "first_year", t.first_year, "one-time + 12 x monthly + annual"),
    ):
        writer.writerow(_row("total", name, cadence, amount.low, amount.high, basis))
    for phase in e.phases:
        low, high = phase.article_multiple
        writer.writerow(
            _row(
                "phase",
                phase.name,
                "cumulative",
                phase.cumulative.low,
                phase.cumulative.high,
                f"{phase.months}; article {figure_span(low, high)}x the prototype",
            )
        )
    currency = e.overrides.currency if e.overrides is not None else None
    if currency is not None and currency.code.value != "USD":  # the amounts above stay in USD
        writer.writerow(
            _row(
                "currency",
                currency.code.value,
                "per_usd",
                currency.per_usd,
                currency.per_usd,
                f"amounts above are USD; x {currency.per_usd:g} for {currency.describe()}",
            )
        )
    return out.getvalue()


def estimate_document(e: Estimate, breakeven: BreakEven | str) -> dict:
    """Estimate.to_dict() and the break-even the terminal shows under it (`breakeven`, from
    bot.breakeven_tip): `break_even` is BreakEven.to_dict(), or null when it could not be worked
    out, and then `break_even_left_out` is the sentence the terminal shows instead (else null)."""
    left_out = breakeven if isinstance(breakeven, str) else None
    return {
        **e.to_dict(),
        "break_even": None if isinstance(breakeven, str) else breakeven.to_dict(),
        "break_even_left_out": left_out,
    }


def estimate_json(e: Estimate, breakeven: BreakEven | str) -> str:
    """The JSON document `aicost --json` prints: `estimate_document`, indented."""
    return json.dumps(estimate_document(e, breakeven), indent=2)


def _row(category: str, item: str, cadence: str, low: float, high: float, basis: str) -> list:
    return [safe(category), safe(item), safe(cadence), _number(low), _number(high), safe(basis)]


def safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character is escaped with '."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value: float) -> str:
    return f"{round(value, 2):.2f}"
