"""Amounts as Slack messages word them: short ranges, signed changes, multiples."""

from __future__ import annotations

from estimator import (
    Amount,
    ShownCurrency,
    times_span,
    usd_range,
    usd_short,
)


def short_range(a: Amount, shown: ShownCurrency, unit: str = "") -> str:
    """$2.5k–5.2k/month (in `shown`); a single figure when both ends agree."""
    return usd_range(a.low, a.high, shown, short=True) + unit


def short_range_of(low: float, high: float, shown: ShownCurrency) -> str:
    """`short_range` of the two ends as they are, without making an Amount (a table's cells)."""
    return usd_range(low, high, shown, short=True)


def signed(amount: float, shown: ShownCurrency) -> str:
    """+$12k / -$3k / $0."""
    if round(amount) == 0:
        return usd_short(0, shown)  # "$0", or "€0" in the workspace's currency
    return ("+" if amount > 0 else "") + usd_short(amount, shown)


def signed_range(a: Amount, shown: ShownCurrency) -> str:
    """+$12k / +$30k (low / high); one figure when both ends say the same ("$0", not "$0 / $0")."""
    low, high = signed(a.low, shown), signed(a.high, shown)
    return low if low == high else f"{low} / {high}"


def multiple(a: Amount) -> str:
    """5.7-9.2x of the prototype; 19,988-63,000x at absurd scales."""
    return times_span(a.low, a.high)
