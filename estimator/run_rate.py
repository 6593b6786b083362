"""The break-even's reading of one side at a user count: the midpoint of its all-in monthly
run-rate (annual costs spread over 12), summed from amounts.

The search reads it 10-20 times a crossing scenario, so the groups that read users and cost
the most to word (the app tier's own lines, the team) are summed from their amounts functions
(`infrastructure.amounts`, `team.amounts`: the same figures their lines are worded from)
without making a line; the rest from their lines. The sum is `breakdown.at_other_users`'s
lines summed by `sum_lines`, then `Totals.monthly_all_in`: the same additions in the same
order (infrastructure's lines are all monthly, the team's all annual, so each keeps its place
among its cadence's), so the same float (tests/estimator/test_breakeven.py).
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
# (monthly low, monthly high, annual low, annual high)
_Sums = tuple[float, float, float, float]


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
