"""The budget gate: whether an estimate's high end crosses a first-year or monthly limit.

A limit is read the way the terminal reads amounts ("500k", "$1.2M") and is in the currency the
amounts are shown in (USD unless a price file sets another). The high end is what is checked: a
plan passes only when even its costly case fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.parsing import read_number
from estimator import (
    Estimate,
    usd_range,
    usd_short,
)

FIRST_YEAR_FLAG = "--max-first-year"
MONTHLY_FLAG = "--max-monthly"
EXIT_OVER_BUDGET = 1


class BudgetError(ValueError):
    """A limit that is not an amount; the message says what to type."""


@dataclass(frozen=True, slots=True)
class Budget:
    first_year: float | None = None  # in the shown currency
    monthly: float | None = None  # the monthly run-rate (cloud, LLM, tools, support)

    def is_set(self) -> bool:
        return self.first_year is not None or self.monthly is not None


def read_limit(flag: str, text: str) -> float:
    """The amount a budget flag was given, or BudgetError naming the flag and an example."""
    value = read_number(text)
    if value is None or value <= 0:
        raise BudgetError(f"{flag} takes an amount, e.g. {flag} 500k (got {text[:30]!r}).")
    return value


def over_budget(label: str, e: Estimate, budget: Budget) -> list[str]:
    """One sentence for each limit the estimate's high end crosses; empty when it fits."""
    shown = e.shown  # the limits are in the currency the estimate is shown in
    rate = shown.per_usd
    reasons = []
    checks = (
        ("first year", e.totals.first_year, budget.first_year),
        ("monthly run-rate", e.totals.monthly, budget.monthly),
    )
    for what, amount, limit in checks:
        if limit is None or amount.high * rate <= limit:
            continue
        reasons.append(
            f"{label}: {what} up to {usd_short(amount.high, shown)}, over the "
            f"{usd_short(limit / rate, shown)} limit (estimate "
            f"{usd_range(amount.low, amount.high, shown)})."
        )
    return reasons
