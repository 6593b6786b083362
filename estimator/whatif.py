"""What-if: compare two estimates line by line and in total (the change itself: estimator/changes).

The Slack thread follow-ups and `aicost chat` use exactly this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from estimator.changes import ScenarioChange, apply_change, describe_change
from estimator.estimate import Estimate
from estimator.lines import Cadence, Category, LineItem
from estimator.money import ShownCurrency
from estimator.totals import Amount


@dataclass(frozen=True, slots=True)
class LineDiff:
    category: Category
    item: str
    cadence: Cadence
    before: Amount | None
    after: Amount | None

    @property
    def change(self) -> Amount:
        before = self.before or Amount(0, 0)
        after = self.after or Amount(0, 0)
        return Amount(after.low - before.low, after.high - before.high)


@dataclass(frozen=True, slots=True)
class CategoryDiff:
    """First-year impact of a change in one category."""

    category: Category
    before: Amount
    after: Amount

    @property
    def change(self) -> Amount:
        return Amount(self.after.low - self.before.low, self.after.high - self.before.high)


@dataclass(frozen=True)
class EstimateDiff:
    changed_fields: list[str]
    lines: list[LineDiff]
    categories: list[CategoryDiff]
    totals: dict[str, tuple[Amount, Amount]]
    shown: ShownCurrency  # the currency the two estimates are shown in (the later one's)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed_fields,
            "lines": [
                {
                    "category": d.category.value,
                    "item": d.item,
                    "cadence": d.cadence.value,
                    "before": d.before.to_dict() if d.before else None,
                    "after": d.after.to_dict() if d.after else None,
                    "change": d.change.to_dict(),
                }
                for d in self.lines
            ],
            "categories": [
                {
                    "category": d.category.value,
                    "before": d.before.to_dict(),
                    "after": d.after.to_dict(),
                    "change": d.change.to_dict(),
                }
                for d in self.categories
            ],
            "totals": {
                name: {"before": a.to_dict(), "after": b.to_dict()}
                for name, (a, b) in self.totals.items()
            },
        }


def _first_year(item: LineItem) -> Amount:
    return Amount(item.first_year(low=True), item.first_year(low=False))


def diff_estimates(before: Estimate, after: Estimate) -> EstimateDiff:
    """Per line (only lines that moved), per category (first-year impact) and in total."""
    old = {item.key: item for item in before.line_items}
    new = {item.key: item for item in after.line_items}
    lines = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        amount_a = Amount(a.low, a.high) if a else None
        amount_b = Amount(b.low, b.high) if b else None
        if amount_a is not None and amount_b is not None and _same(amount_a, amount_b):
            continue
        ref = a or b
        assert ref is not None
        lines.append(LineDiff(ref.category, ref.item, ref.cadence, amount_a, amount_b))
    categories = []
    for category in Category:
        a_total = sum(
            (_first_year(i) for i in before.line_items if i.category is category), Amount(0, 0)
        )
        b_total = sum(
            (_first_year(i) for i in after.line_items if i.category is category), Amount(0, 0)
        )
        if not _same(a_total, b_total):
            categories.append(CategoryDiff(category, a_total, b_total))
    t0, t1 = before.totals, after.totals
    totals = {
        "monthly": (t0.monthly, t1.monthly),
        "one_time": (t0.one_time, t1.one_time),
        "annual": (t0.annual, t1.annual),
        "first_year": (t0.first_year, t1.first_year),
    }
    shown = after.shown
    return EstimateDiff(
        describe_change(before.scenario, after.scenario, shown), lines, categories, totals, shown
    )


def _same(a: Amount, b: Amount) -> bool:
    return abs(a.low - b.low) < 0.5 and abs(a.high - b.high) < 0.5


__all__ = [
    "CategoryDiff",
    "EstimateDiff",
    "LineDiff",
    "ScenarioChange",
    "apply_change",
    "describe_change",
    "diff_estimates",
]
