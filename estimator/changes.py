"""A scenario change: what a follow-up or a lever asks for (fields to set, users to scale,
frameworks to add or drop), applied to a scenario and described in words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from estimator.money import ShownCurrency, count, percent, usd
from estimator.scenario import COMPLIANCE_LABELS, Compliance, Scenario, build_scenario
from estimator.uncertainty import USAGE_FIELDS


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


def describe_change(before: Scenario, after: Scenario, shown: ShownCurrency) -> list[str]:
    """What differs between two scenarios, in words: 'users 10,000 -> 50,000' (amounts in
    `shown`, the currency the estimates are shown in)."""
    words = []
    money = partial(usd, shown=shown)
    for name, label, render in _DESCRIBED_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        render = render or money
        if old != new:
            words.append(f"{label} {render(old)} → {render(new)}")
        # The same figure, now given rather than assumed (or back to assumed): its range, and
        # so the totals, narrow (or widen) although the figure itself did not move.
        elif name not in USAGE_FIELDS:
            continue
        elif name in after.given and name not in before.given:
            words.append(f"{label} {render(new)} now your figure, not an assumed range")
        elif name in before.given and name not in after.given:
            words.append(f"{label} {render(new)} back to an assumed range")
    return words


_DESCRIBED_FIELDS: list[tuple[str, str, Callable[[Any], str] | None]] = [
    ("users", "users", count),
    ("stage", "stage", lambda v: v.value),
    ("prototype_cost", "prototype", None),  # money: in the shown currency
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
    ("corpus_documents", "corpus documents", count),
    ("vector_store", "vector search", lambda v: v.label),
    ("hosting", "hosting", lambda v: v.value),
    ("gpu", "GPU", lambda v: v.value.upper()),
    ("precision", "weights", lambda v: v.value.upper()),
    ("monthly_user_growth", "growth/month", percent),
    ("start_month", "start", lambda v: v.strftime("%b %Y")),
    ("reasoning_effort", "reasoning effort", lambda v: v or "model's default"),
    (
        "reasoning_tokens",
        "reasoning tokens",
        lambda v: "effort's figure" if v is None else count(v),
    ),
]
