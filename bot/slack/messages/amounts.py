"""Amounts as Slack messages word them: short ranges, signed changes, multiples."""

from __future__ import annotations

from estimator import (
    Amount,
    usd_range,
    usd_short,
)


def short_range(a: Amount, unit: str = "") -> str:
    """$2.5k–5.2k/month; a single figure when both ends agree."""
    return usd_range(a.low, a.high, short=True) + unit


def signed(amount: float) -> str:
    """+$12k / -$3k / $0."""
    if round(amount) == 0:
        return usd_short(0)  # "$0", or "€0" in the workspace's currency
    return ("+" if amount > 0 else "") + usd_short(amount)


def signed_range(a: Amount) -> str:
    return f"{signed(a.low)} / {signed(a.high)}"


def multiple(a: Amount) -> str:
    # Tenths matter at 5.7x, not at 19,988x. (Two fixed formats: a nested one is parsed each time.)
    if a.high < 100:
        return f"{a.low:,.1f}-{a.high:,.1f}x"
    return f"{a.low:,.0f}-{a.high:,.0f}x"
