"""Sensitivity: which usage assumptions move the first year most.

Each assumption the user did not give is set, alone, to the low and then the high end of its
published range (`[usage_range]` in the data file) and the scenario re-estimated; the swing is
the change in the first year's midpoint between the two. The three largest are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from estimator.money import count, percent
from estimator.price_book import PriceBook
from estimator.scenario import Scenario
from estimator.totals import Amount
from estimator.uncertainty import USAGE_LABELS, span, unsure_fields

SHOWN = 3


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__, 4x slower. Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Sensitivity:
    field: str
    value: float  # the scenario's own (assumed) value
    low: float
    high: float
    first_year_at_low: Amount
    first_year_at_high: Amount

    @property
    def label(self) -> str:
        return USAGE_LABELS[self.field]

    @property
    def swing(self) -> float:
        """First-year midpoint at the high value minus at the low value (USD)."""
        at_low, at_high = self.first_year_at_low, self.first_year_at_high
        return (at_high.low + at_high.high - at_low.low - at_low.high) / 2

    def show(self, value: float) -> str:
        return percent(value) if self.field == "daily_active_share" else count(value)

    def to_dict(self) -> dict:
        return {
            "assumption": self.field,
            "label": self.label,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "first_year_at_low": self.first_year_at_low.to_dict(),
            "first_year_at_high": self.first_year_at_high.to_dict(),
            "first_year_swing": round(self.swing, 2),
        }


def sensitivity(
    s: Scenario,
    first_year: Amount,
    first_year_of: Callable[[Scenario], Amount],
    prices: PriceBook,
) -> tuple[Sensitivity, ...]:
    """The SHOWN assumptions with the largest first-year swing, largest first."""
    found = []
    for name in unsure_fields(s):
        value = getattr(s, name)
        low, high = span(name, value, prices)

        def at(v: float, name: str = name, value: float = value) -> Amount:
            if v == value:
                return first_year
            whole = int(v) if name.endswith("_tokens") else v
            # Marked as given: the varied figure is fixed, the others keep their uncertainty.
            return first_year_of(s.model_copy(update={name: whole, "given": s.given | {name}}))

        found.append(Sensitivity(name, value, low, high, at(low), at(high)))
    found.sort(key=lambda item: abs(item.swing), reverse=True)
    return tuple(found[:SHOWN])
