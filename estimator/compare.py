"""Two to five scenarios side by side: an Estimate each, the cheapest, where they differ most."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from estimator.estimate import Estimate, estimate
from estimator.lines import CATEGORIES, Category
from estimator.money import ShownCurrency
from estimator.price_book import BUNDLED_BOOK, PriceBook
from estimator.scenario import Scenario
from estimator.totals import Amount

MIN_OPTIONS = 2
MAX_OPTIONS = 5


@dataclass(frozen=True, slots=True)
class Option:
    label: str  # as the user named it, e.g. "claude-haiku-4-5"
    estimate: Estimate

    @property
    def cost_per_user(self) -> Amount:
        """All-in monthly cost (annual costs spread over 12) per monthly active user."""
        t = self.estimate.totals
        return t.monthly_all_in.scaled(1 / self.estimate.scenario.users)


@dataclass(frozen=True, slots=True)
class Comparison:
    options: tuple[Option, ...]

    @property
    def shown(self) -> ShownCurrency:
        """The currency its amounts are shown in: its options' (all priced with one book)."""
        return self.options[0].estimate.shown

    @property
    def cheapest(self) -> int:
        """Index of the option with the lowest first-year midpoint (ties: the first named)."""
        mids = [_mid(o.estimate.totals.first_year) for o in self.options]
        return mids.index(min(mids))

    def category_first_year(self, category: Category) -> tuple[Amount, ...]:
        """Each option's first-year cost in one category."""
        return tuple(_category_first_year(o.estimate, category) for o in self.options)

    @property
    def widest_category(self) -> Category:
        """The category whose first-year midpoint differs most between the options."""

        def spread(category: Category) -> float:
            mids = [_mid(a) for a in self.category_first_year(category)]
            return max(mids) - min(mids)

        return max(CATEGORIES, key=spread)

    def to_dict(self) -> dict:
        widest = self.widest_category
        return {
            "options": [
                {
                    "label": o.label,
                    "estimate": o.estimate.to_dict(),
                    "cost_per_user_monthly": o.cost_per_user.to_dict(),
                }
                for o in self.options
            ],
            "cheapest": self.options[self.cheapest].label,
            "differs_most": {
                "category": widest.value,
                "first_year": [a.to_dict() for a in self.category_first_year(widest)],
            },
        }


def compare(
    options: Sequence[tuple[str, Scenario]],
    prices: PriceBook = BUNDLED_BOOK,
    *,
    complete: bool = False,
) -> Comparison:
    """One estimate per (label, scenario), each priced with `prices`; ValueError outside two to
    five options. The options' estimates are complete only when asked (`complete=True`, for a
    comparison's JSON, which carries each in full): its message reads their lines and totals."""
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ValueError(f"compare takes {MIN_OPTIONS} to {MAX_OPTIONS} options")
    return Comparison(
        tuple(Option(label, estimate(s, prices, complete=complete)) for label, s in options)
    )


def _category_first_year(e: Estimate, category: Category) -> Amount:
    low = sum(i.first_year(low=True) for i in e.line_items if i.category is category)
    high = sum(i.first_year(low=False) for i in e.line_items if i.category is category)
    return Amount(low, high)


def _mid(a: Amount) -> float:
    return (a.low + a.high) / 2
