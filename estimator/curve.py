"""The scaling curve: all-in monthly cost and cost per user at 100 to 1M users, fixed vs "
"variable."""

from __future__ import annotations

from dataclasses import dataclass

from estimator.breakdown import line_items
from estimator.changes import ScenarioChange, apply_change
from estimator.lines import Cadence
from estimator.price_book import BUNDLED_BOOK, PriceBook
from estimator.scenario import Scenario
from estimator.totals import Amount

CURVE_USERS = (100, 1_000, 10_000, 100_000, 1_000_000)


@dataclass(frozen=True, slots=True)
class CurvePoint:
    users: int
    fixed: Amount  # monthly, annual costs spread over 12 months included
    variable: Amount

    @property
    def monthly(self) -> Amount:
        return self.fixed + self.variable

    @property
    def per_user(self) -> Amount:
        return self.monthly.scaled(1 / self.users)

    def to_dict(self) -> dict:
        return {
            "users": self.users,
            "monthly": self.monthly.to_dict(),
            "fixed": self.fixed.to_dict(),
            "variable": self.variable.to_dict(),
            "per_user": {
                "low": round(self.per_user.low, 4),
                "high": round(self.per_user.high, 4),
            },
        }


def scaling_curve(
    s: Scenario, prices: PriceBook = BUNDLED_BOOK, users: tuple[int, ...] = CURVE_USERS
) -> list[CurvePoint]:
    points = []
    for n in users:
        scenario = apply_change(s, ScenarioChange(set={"users": n}))
        fixed = [0.0, 0.0]
        variable = [0.0, 0.0]
        for item in line_items(scenario, prices):
            if item.cadence is Cadence.one_time:
                continue
            share = 1 / 12 if item.cadence is Cadence.annual else 1
            bucket = variable if item.varies_with_users else fixed
            bucket[0] += item.low * share
            bucket[1] += item.high * share
        points.append(CurvePoint(n, Amount(*fixed), Amount(*variable)))
    return points
