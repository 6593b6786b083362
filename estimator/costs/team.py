"""Team: the people production needs, by role, scaled with stage and users."""

from __future__ import annotations

import math

from estimator import facts
from estimator.lines import Cadence, Category, LineItem
from estimator.money import count, usd_range
from estimator.scenario import Scenario

ROLES = {
    "ml_engineer": "ML engineers",
    "devops_engineer": "DevOps engineers",
    "site_reliability_engineer": "Site reliability engineers",
    "product_manager": "Product manager",
}
_SCALING = facts.entry("headcount_scaling")
_SALARY = {role: facts.figure(f"salary.{role}") for role in ROLES}


def scale_factor(s: Scenario) -> float:
    """How far headcount moves from the stage's reference: +per_tenfold for each 10x users."""
    reference = facts.entry(f"headcount.{s.stage.value}")["reference_users"]
    factor = 1 + _SCALING["per_tenfold"] * math.log10(s.users / reference)
    return min(_SCALING["ceiling"], max(_SCALING["floor"], factor))


def headcount(s: Scenario) -> dict[str, float]:
    """Full-time people per role, rounded to half a person (a role the stage has keeps at least "
    "0.5)."""
    base = facts.entry(f"headcount.{s.stage.value}")
    factor = scale_factor(s)
    people = {}
    for role in ROLES:
        if base[role] <= 0:
            continue
        people[role] = max(0.5, math.floor(base[role] * factor * 2 + 0.5) / 2)
    return people


def lines(s: Scenario) -> list[LineItem]:
    factor = scale_factor(s)
    return [_role_line(s, role, people, factor) for role, people in headcount(s).items()]


def _role_line(s: Scenario, role: str, people: float, factor: float) -> LineItem:
    salary = _SALARY[role]
    base = facts.entry(f"headcount.{s.stage.value}")[role]
    return LineItem(
        Category.team,
        ROLES[role],
        Cadence.annual,
        people * salary.low,
        people * salary.high,
        lambda: (
            f"{count(people)} FTE x {usd_range(salary.low, salary.high)}/year "
            f"({s.stage.value} base {count(base)} x {factor:.2f} for {count(s.users)} users)"
        ),
    )
