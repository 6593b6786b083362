"""What-if: apply a change to a scenario, and compare two estimates line by line and in total.

The Slack thread follow-ups and `aicost chat` use exactly this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from estimator.lines import Cadence, Category, LineItem
from estimator.money import count, percent, usd
from estimator.scenario import COMPLIANCE_LABELS, Compliance, Scenario, build_scenario
from estimator.totals import Amount

if TYPE_CHECKING:
    from estimator.estimate import Estimate


@dataclass(frozen=True)
class ScenarioChange:
    """What a follow-up asks for: fields to set, users to scale, frameworks to add or drop."""

    set: dict[str, Any] = field(default_factory=dict)
    scale_users: float | None = None
    add_compliance: tuple[Compliance, ...] = ()
    remove_compliance: tuple[Compliance, ...] = ()

    def is_empty(self) -> bool:
        return not (self.set or self.scale_users or self.add_compliance or self.remove_compliance)

    def merged(self, other: ScenarioChange) -> ScenarioChange:
        return ScenarioChange(
            set={**self.set, **other.set},
            scale_users=(self.scale_users or 1) * (other.scale_users or 1)
            if (self.scale_users or other.scale_users)
            else None,
            add_compliance=self.add_compliance + other.add_compliance,
            remove_compliance=self.remove_compliance + other.remove_compliance,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": {k: _plain(v) for k, v in self.set.items()},
            "scale_users": self.scale_users,
            "add_compliance": [c.value for c in self.add_compliance],
            "remove_compliance": [c.value for c in self.remove_compliance],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)


def apply_change(s: Scenario, change: ScenarioChange) -> Scenario:
    """The scenario after `change`; fields the user never chose follow the (possibly new) stage."""
    values: dict[str, Any] = {name: getattr(s, name) for name in s.given}
    values.update(change.set)
    if change.scale_users:
        values["users"] = max(1, round(s.users * change.scale_users))
    if change.add_compliance or change.remove_compliance:
        current = list(values.get("compliance", s.compliance))
        current += [c for c in change.add_compliance if c not in current]
        values["compliance"] = tuple(c for c in current if c not in change.remove_compliance)
    values.setdefault("stage", s.stage)
    return build_scenario(**values)


def describe_change(before: Scenario, after: Scenario) -> list[str]:
    """What differs between two scenarios, in words: 'users 10,000 -> 50,000'."""
    words = []
    for name, label, render in _DESCRIBED_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            words.append(f"{label} {render(old)} → {render(new)}")
    return words


_DESCRIBED_FIELDS = [
    ("users", "users", count),
    ("stage", "stage", lambda v: v.value),
    ("prototype_cost", "prototype", usd),
    ("daily_active_share", "daily active", percent),
    ("requests_per_active_user_per_day", "requests/user/day", count),
    ("input_tokens", "input tokens", count),
    ("output_tokens", "output tokens", count),
    ("model", "model", str),
    ("cache_hit_rate", "cache hit rate", percent),
    ("prompt_cache_share", "prompt-cached input", percent),
    ("regions", "regions", count),
    ("compliance", "compliance", lambda v: ", ".join(COMPLIANCE_LABELS[c] for c in v) or "none"),
    ("uptime", "uptime", lambda v: f"{v:g}%"),
    ("stored_records", "records", count),
    ("hosting", "hosting", lambda v: v.value),
    ("gpu", "GPU", lambda v: v.value.upper()),
    ("precision", "weights", lambda v: v.value.upper()),
    ("monthly_user_growth", "growth/month", percent),
]


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
    return EstimateDiff(describe_change(before.scenario, after.scenario), lines, categories, totals)


def _same(a: Amount, b: Amount) -> bool:
    return abs(a.low - b.low) < 0.5 and abs(a.high - b.high) < 0.5
