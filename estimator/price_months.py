"""Dated token prices: a year of the projection split where genai-prices' data changes a model's
price, so each month is priced at the price in force that month (read on its first day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from estimator.token_prices import price_changes

MONTHS_PRICED = 12  # a year: the first year, or year two from its thirteenth month


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class PricePeriod:
    """Consecutive months of a year priced alike: `months` of them from `first` (a first day)."""

    first: dt.date
    months: int

    def words(self) -> str:
        """'Dec 2026' or 'Jan-Nov 2027' or 'Dec 2026-Nov 2027'."""
        last = add_months(self.first, self.months - 1)
        if self.months == 1:
            return self.first.strftime("%b %Y")
        if last.year == self.first.year:
            return f"{self.first.strftime('%b')}-{last.strftime('%b %Y')}"
        return f"{self.first.strftime('%b %Y')}-{last.strftime('%b %Y')}"


@cache
def periods(model: str, start: dt.date) -> tuple[PricePeriod, ...]:
    """The year from `start` split at the months where `model`'s price changes."""
    changes = price_changes(model)
    found: list[PricePeriod] = []
    for k in range(MONTHS_PRICED):
        month = add_months(start, k)
        in_force = sum(1 for change in changes if change <= month)
        if found and sum(1 for c in changes if c <= found[-1].first) == in_force:
            found[-1] = PricePeriod(found[-1].first, found[-1].months + 1)
        else:
            found.append(PricePeriod(month, 1))
    return tuple(found)


def one_price(model: str, start: dt.date, months: int) -> bool:
    """True when no change of `model`'s price falls in the `months` from `start`, each month read
    on its first day as `periods` reads it: every month is then priced alike."""
    last = add_months(start, months - 1)
    return not any(start < change <= last for change in price_changes(model))
