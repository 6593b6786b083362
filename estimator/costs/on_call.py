"""On-call: who holds the pager for the uptime target, and what the slots the team cannot fill cost.

A 24/7 rotation needs enough people to hold it (`on_call.rotation_people` by uptime target). The
team's engineers who carry the production pager hold as many slots as they are people; the slots
left over are contracted cover, priced for the share of a person's time a slot takes. Paging seats
go to the people holding the rotation, never more seats than people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, percent, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_TEAM, _ANNUAL = Category.team, Cadence.annual

FIGURES = (
    "on_call.rotation_people",
    "on_call.cover_share",
    "on_call.paged_roles",
    "salary.site_reliability_engineer",
    "team.loaded_cost_factor",
)


@dataclass(frozen=True, slots=True)
class Rotation:
    needed: int  # people a 24/7 rotation needs at this uptime target (0: working hours only)
    engineers: float  # FTE of the team's roles that carry the pager
    contracted: float  # rotation slots the team cannot fill

    @property
    def seats(self) -> int:
        """Paging seats: one per person who carries the pager."""
        return max(self.needed, math.ceil(self.engineers - 1e-9), 1)


def rotation(s: Scenario, prices: PriceBook, people: dict[str, float]) -> Rotation:
    """`people`: the team's FTE by role (`team.headcount`)."""
    return rotation_at(s.uptime, prices, people)


def rotation_at(uptime: float, prices: PriceBook, people: dict[str, float]) -> Rotation:
    """The rotation at an uptime target (%), for `team.rotation`, which keeps each one made."""
    needed = int(prices.tables.on_call.rotation_people[format(uptime, "g")])
    paged = prices.tables.on_call.paged_roles["roles"]
    engineers = sum(fte for role, fte in people.items() if role in paged)
    return Rotation(needed, engineers, max(0.0, needed - engineers))


def lines(
    s: Scenario, prices: PriceBook, people: dict[str, float], r: Rotation | None = None
) -> list[LineItem]:
    """`r`: the rotation of `people` when the caller has it (`team.rotation`)."""
    if r is None:
        r = rotation(s, prices, people)
    priced = cover(prices, r)
    if priced is None:
        return []
    low, high, share, salary, loaded = priced
    return [
        LineItem(
            _TEAM,
            "On-call cover for the 24/7 rotation",
            _ANNUAL,
            low,
            high,
            lambda: (
                f"{r.contracted * share.low:.2f} FTE ({s.uptime:g}% uptime needs a 24/7 rotation "
                f"of {r.needed} people; the team's paged engineers are {r.engineers:.2f} FTE, so "
                f"{r.contracted:.2f} slots are contracted cover x {percent(share.low)} of a "
                f"person's time on call) x {usd_range(salary.low, salary.high, DOLLARS)} SRE "
                "salary x "
                f"{loaded.low:g}-{loaded.high:g} fully loaded"
            ),
            VARIES_WITH_USERS,
        )
    ]


def cover(prices: PriceBook, r: Rotation) -> tuple[float, float, Range, Range, Range] | None:
    """(low, high, cover share, SRE salary, loaded cost factor) of the contracted cover line;
    None when the team holds the rotation."""
    if r.contracted <= 0:
        return None
    share = prices.figures.on_call.cover_share
    salary = prices.figures.salary.site_reliability_engineer
    loaded = prices.figures.team.loaded_cost_factor
    low = r.contracted * share.low * salary.low * loaded.low
    high = r.contracted * share.high * salary.high * loaded.high
    return low, high, share, salary, loaded
