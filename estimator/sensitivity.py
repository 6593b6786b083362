"""Sensitivity: which assumptions move the first year most.

Every assumption the team left to aicost (`swings.assumptions`: usage, the response-cache hit
rate, stored records, the retrieval corpus, the size of a record, the support contact rate,
salaries, the GPU's hourly price) is set, alone, to the low and then the high end of its range;
the swing is the change in the first year's midpoint between the two. Those that move it by at
least `sensitivity.material_share` of the midpoint are ranked, largest first; when none does, the
answer says so in one sentence instead of listing swings of a few dollars.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from estimator.breakdown import Parts, parts
from estimator.money import DOLLARS, ShownCurrency, count, percent, usd
from estimator.price_book import PriceBook
from estimator.scenario import Scenario
from estimator.swings import (
    DOCUMENTS,
    HOURLY,
    KB,
    RATE,
    RECORDS,
    SALARY,
    SHARE,
    assumptions,
)
from estimator.swings import LABELS as LABELS
from estimator.totals import Amount
from estimator.traffic import traffic

SHOWN = 5


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__ (docs/architecture.md, "Performance idioms"). Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Sensitivity:
    field: str  # a scenario field, a data-file figure, or "salaries" / "gpu_hourly"
    value: float | None  # the scenario's own (assumed) value; None: the estimate spans the range
    low: float
    high: float
    first_year_at_low: Amount
    first_year_at_high: Amount
    unit: str = "count"
    currency: ShownCurrency = DOLLARS  # the currency a salary is shown in: the estimate's

    @property
    def label(self) -> str:
        return LABELS[self.field]

    @property
    def swing(self) -> float:
        """First-year midpoint at the high value minus at the low value (USD)."""
        at_low, at_high = self.first_year_at_low, self.first_year_at_high
        return (at_high.low + at_high.high - at_low.low - at_low.high) / 2

    @property
    def spanned(self) -> bool:
        """True for a figure whose range the estimate's low-high already spans (a price, a
        salary, a rate), as against a value assumed for the scenario."""
        return self.value is None

    def show(self, value: float) -> str:
        return _shown(self.unit, value, self.currency)

    def to_dict(self) -> dict:
        return {
            "assumption": self.field,
            "label": self.label,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "spanned_by_the_estimate": self.spanned,
            "first_year_at_low": self.first_year_at_low.to_dict(),
            "first_year_at_high": self.first_year_at_high.to_dict(),
            "first_year_swing": round(self.swing, 2),
        }


def _shown(unit: str, value: float, shown: ShownCurrency) -> str:
    if unit == SHARE:
        return percent(value)
    if unit == RATE:
        return percent(value)
    if unit == HOURLY:
        return f"{usd(value, shown)}/h"  # in the workspace's currency, like every other amount
    if unit == KB:
        return f"{value:g} KB"
    if unit == SALARY:
        return f"{usd(value, shown)}/year"
    if unit == RECORDS:
        return count(value)
    if unit == DOCUMENTS:
        return f"{count(value)} documents"
    return count(value)


@dataclass(frozen=True, slots=True)
class Ranking:
    """The assumptions that move the first year at least `threshold` (USD), largest swing first,
    and the labels of those varied that moved it less. Iterates over the SHOWN largest."""

    ranked: tuple[Sensitivity, ...]
    quiet: tuple[str, ...]
    threshold: float
    share: float
    currency: ShownCurrency = DOLLARS  # the currency the threshold is shown in: the estimate's

    @property
    def shown(self) -> tuple[Sensitivity, ...]:
        return self.ranked[:SHOWN]

    def __iter__(self) -> Iterator[Sensitivity]:
        return iter(self.shown)

    def __len__(self) -> int:
        return len(self.shown)

    def __getitem__(self, i: int) -> Sensitivity:
        return self.shown[i]

    @property
    def varied(self) -> bool:
        """False when the team gave every assumption there was to vary."""
        return bool(self.ranked or self.quiet)

    def rest_sentence(self) -> str:
        """One sentence for the assumptions not listed ('' when every one is)."""
        limit = f"{percent(self.share)} of the first year ({usd(self.threshold, self.currency)})"
        quiet = ", ".join(self.quiet)
        if not self.ranked:
            return (
                f"Nothing you left to aicost moves the first year by {limit} or more at either "
                f"end of its range ({quiet}): the estimate holds whichever way they fall."
                if quiet
                else ""
            )
        said = []
        more = ", ".join(item.label for item in self.ranked[SHOWN:])
        if more:
            said.append(f"Also moving it by {limit} or more: {more}.")
        if quiet:
            said.append(f"Each of the others moves it by less than {limit}: {quiet}.")
        return " ".join(said)

    def rest(self) -> dict:
        """What the JSON says beside the ranked list: the threshold and what fell under it."""
        return {
            "threshold": round(self.threshold, 2),
            "threshold_share": self.share,
            "below_threshold": list(self.quiet),
            "not_shown_above_threshold": [item.label for item in self.ranked[SHOWN:]],
            "sentence": self.rest_sentence(),
        }


def sensitivity(
    s: Scenario, first_year: Amount, prices: PriceBook, own: Parts | None = None
) -> Ranking:
    """The assumptions of `s` that move its first year most; `own`: the parts of `s` priced with
    `prices` when the estimate made them already."""
    if own is None:
        own = parts(s, traffic(s, prices), prices)
    share = prices.figures.sensitivity.material_share.low
    threshold = share * (first_year.low + first_year.high) / 2
    found = []
    for a in assumptions(s, first_year, prices, own):
        found.append(
            Sensitivity(
                a.key, a.value, a.low, a.high, a.at(True), a.at(False), a.unit, prices.shown
            )
        )
    found.sort(key=lambda item: abs(item.swing), reverse=True)
    material = [item for item in found if abs(item.swing) >= threshold]
    quiet = tuple(item.label for item in found if abs(item.swing) < threshold)
    return Ranking(tuple(material), quiet, threshold, share, prices.shown)
