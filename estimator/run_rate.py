"""The break-even's reading of one side at a user count: the midpoint of its all-in monthly
run-rate (annual costs spread over 12), summed from amounts.

The search reads it 10-20 times a crossing scenario, so the groups that read users and cost
the most to word (the app tier's own lines, the team) are summed from their amounts functions
(`infrastructure.amounts`, `team.amounts`: the same figures their lines are worded from)
without making a line; the rest from their lines. The sum is `breakdown.at_other_users`'s
lines summed by `sum_lines`, then `Totals.monthly_all_in`: the same additions in the same
order (infrastructure's lines are all monthly, the team's all annual, so each keeps its place
among its cadence's), so the same float (tests/estimator/test_breakeven.py).

The search reads the sign of the two sides' difference: `unshared` is a side's reading without
what both sides share (the groups of `breakdown.shared`, the app tier, the parts of the
staging and monitoring lines that read traffic only, the roles of the team but MLOps), and
`Points` the two sides at each count, made once for the difference and the regime the search
reads there (estimator/breakeven.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from estimator.breakdown import Common, Unscaled, shared
from estimator.costs import app_tier, inference, infrastructure, self_hosting, team
from estimator.lines import Cadence, LineItem
from estimator.price_book import PriceBook
from estimator.scenario import Hosting, Scenario
from estimator.traffic import Traffic, traffic

_MONTHLY, _ANNUAL = Cadence.monthly, Cadence.annual
_SELF_HOSTED = Hosting.self_hosted
# A user count's two sides (self-hosted, API), their traffic and the self-hosted GPU fleet.
_Point = tuple[Scenario, Scenario, Traffic, Traffic, self_hosting.Fleet | None]
# (monthly low, monthly high, annual low, annual high)
_Sums = tuple[float, float, float, float]


class Points:
    """The two sides at each user count the search read, with their traffic and the GPU fleet:
    the regime is read only at counts whose difference was read already (the ends of a
    bracket), so it takes them from here instead of making them again."""

    __slots__ = ("api", "prices", "seen", "self_hosted")

    def __init__(self, self_hosted: Scenario, api: Scenario, prices: PriceBook) -> None:
        self.self_hosted, self.api, self.prices = self_hosted, api, prices
        self.seen: dict[int, _Point] = {}

    def at(self, users: int) -> _Point:
        found = self.seen.get(users)
        if found is None:
            prices = self.prices
            hosted, served = self.self_hosted.at_users(users), self.api.at_users(users)
            t = traffic(hosted, prices)
            gpus = self_hosting.fleet(hosted, t, prices) if hosted.hosting is _SELF_HOSTED else None
            found = self.seen[users] = (hosted, served, t, traffic(served, prices), gpus)
        return found


def run_rate(
    v: Scenario,
    own: Unscaled,
    prices: PriceBook,
    common: Common | None = None,
    t: Traffic | None = None,
    app: app_tier.AppTier | None = None,
    gpus: self_hosting.Fleet | None = None,
) -> float:
    """The midpoint of the all-in monthly run-rate of `at_other_users(v, own, prices, common, t,
    app)`, lines under a cent left out as estimate() leaves them; the prototype's cost is not in
    it. The arguments are at_other_users's; `gpus`, the GPU fleet of `v` at `t` when the caller
    sized it already (the break-even's regime reads the same one)."""
    if t is None:
        t = traffic(v, prices)
    if gpus is None and v.hosting is _SELF_HOSTED:
        gpus = self_hosting.fleet(v, t, prices)
    regions_lines, records, transcripts, support_lines, legal_lines = common or shared(v, t, prices)
    monthly_low = monthly_high = 0.0
    for low, high in infrastructure.amounts(v, t, prices, gpus, app):
        if -0.005 < low < 0.005 and -0.005 < high < 0.005:
            continue
        monthly_low += low
        monthly_high += high
    sums = (monthly_low, monthly_high, 0.0, 0.0)
    sums = _added(regions_lines, sums)
    sums = _added(inference.lines(v, t, prices, gpus), sums)
    sums = _added(own.engineering, sums)
    sums = _added(records, sums)
    sums = _added((transcripts,), sums)
    sums = _added(own.security, sums)
    monthly_low, monthly_high, annual_low, annual_high = sums
    for low, high in team.amounts(v, prices):
        if -0.005 < low < 0.005 and -0.005 < high < 0.005:
            continue
        annual_low += low
        annual_high += high
    sums = (monthly_low, monthly_high, annual_low, annual_high)
    sums = _added(support_lines, sums)
    monthly_low, monthly_high, annual_low, annual_high = _added(legal_lines, sums)
    all_in_low = monthly_low + annual_low * (1 / 12)
    all_in_high = monthly_high + annual_high * (1 / 12)
    return (all_in_low + all_in_high) / 2


def _added(items: Iterable[LineItem], sums: _Sums) -> _Sums:
    """`sums` with the monthly and annual lines of `items` added, as `sum_lines` adds them."""
    monthly_low, monthly_high, annual_low, annual_high = sums
    for item in items:
        low, high = item.low, item.high
        if -0.005 < low < 0.005 and -0.005 < high < 0.005:
            continue
        cadence = item.cadence
        if cadence is _MONTHLY:
            monthly_low += low
            monthly_high += high
        elif cadence is _ANNUAL:
            annual_low += low
            annual_high += high
    return monthly_low, monthly_high, annual_low, annual_high


def unshared(
    v: Scenario,
    own: Unscaled,
    prices: PriceBook,
    t: Traffic,
    gpus: self_hosting.Fleet | None = None,
) -> tuple[float, float]:
    """`run_rate(v, own, prices, common, t, app, gpus)` without what a break-even's two sides
    share line for line or part for part (they cancel in the difference of the two readings):
    the `common` groups, the app tier, of the staging and monitoring lines all but
    `infrastructure.own_amounts`, and of the team all but `team.own_amounts`; and the sum of
    the absolute amounts it added: (reading, weight). The lines under a cent are left out as
    run_rate leaves them (the staging and monitoring lines are never under a cent under the
    bundled prices, the only ones searched this way: tests/estimator/test_breakeven_crossing.py).
    """
    if gpus is None and v.hosting is _SELF_HOSTED:
        gpus = self_hosting.fleet(v, t, prices)
    (staging_low, staging_high), (monitoring_low, monitoring_high) = infrastructure.own_amounts(
        v, t, prices, gpus
    )
    monthly_low = staging_low + monitoring_low
    monthly_high = staging_high + monitoring_high
    annual_low = annual_high = 0.0
    weight = abs(staging_low) + abs(staging_high) + abs(monitoring_low) + abs(monitoring_high)
    for low, high in inference.amounts(v, t, prices, gpus):  # all monthly
        if -0.005 < low < 0.005 and -0.005 < high < 0.005:
            continue
        monthly_low += low
        monthly_high += high
        weight += abs(low) + abs(high)
    for items in (own.engineering, own.security):
        for item in items:
            low, high = item.low, item.high
            if -0.005 < low < 0.005 and -0.005 < high < 0.005:
                continue
            cadence = item.cadence
            if cadence is _MONTHLY:
                monthly_low += low
                monthly_high += high
            elif cadence is _ANNUAL:
                annual_low += low
                annual_high += high
            else:
                continue  # one-time: not in a run-rate
            weight += abs(low) + abs(high)
    for low, high in team.own_amounts(v, prices):
        if -0.005 < low < 0.005 and -0.005 < high < 0.005:
            continue
        annual_low += low
        annual_high += high
        weight += abs(low) + abs(high)
    all_in_low = monthly_low + annual_low * (1 / 12)
    all_in_high = monthly_high + annual_high * (1 / 12)
    return (all_in_low + all_in_high) / 2, weight


def weight_of(common: Common) -> float:
    """The sum of the absolute amounts run_rate adds of `common` (see `unshared`)."""
    regions_lines, records, transcripts, support_lines, legal_lines = common
    weight = 0.0
    for items in (regions_lines, records, (transcripts,), support_lines, legal_lines):
        for item in items:
            low, high = item.low, item.high
            if -0.005 < low < 0.005 and -0.005 < high < 0.005:
                continue
            if item.cadence is _MONTHLY or item.cadence is _ANNUAL:
                weight += abs(low) + abs(high)
    return weight


def shared_weight(api: Scenario, t: Traffic, prices: PriceBook) -> float:
    """At least the sum of the absolute amounts of what `unshared` leaves out of either side of
    a break-even at `api`'s users (the API side, at traffic `t`): the `common` groups, the API
    side's infrastructure lines (the app tier and the shared parts of staging and monitoring,
    plus its own paging seats) and its team (the roles both sides have, plus its own cover):
    amounts that are never below zero."""
    weight = weight_of(shared(api, t, prices))
    for low, high in (*infrastructure.amounts(api, t, prices), *team.amounts(api, prices)):
        weight += abs(low) + abs(high)
    return weight
