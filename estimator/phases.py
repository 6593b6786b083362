"""The article's three-phase budget, computed from the estimate's own line items.

Reading: the article's phase multiples (2-3x, 5-8x, 10-15x the prototype) are cumulative spend
since launch. That is the reading its worked examples agree with: the startup's $300k first year is
6x a $50k prototype, inside Phase 2's 5-8x; read as separate amounts, the three phases would add up
to far more than the examples. Each phase here shows its own spend and the cumulative total.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from estimator import facts
from estimator.scenario import Scenario
from estimator.totals import Amount, Totals

# The reference article every "the article" in the estimate points to.
ARTICLE = '"From Prototype to Production: Estimating the Cost of AI Scaling" (2025-08-12)'

# Worded once from the bundled file: the reading is the same whatever prices an estimate uses.
_LOADED = facts.bundled_figure("team.loaded_cost_factor")

READING = (
    f"The article is {ARTICLE}. Salaries are fully loaded (x{_LOADED.low:g}-{_LOADED.high:g} for "
    "payroll taxes, benefits, equipment). "
    "Phase multiples are read as cumulative spend since launch (the reading the article's worked "
    "examples agree with: a startup's $300k first year is 6x its $50k prototype, inside Phase 2's "
    "5-8x). One-time costs land in Phase 1; year 2 applies the scenario's monthly user growth."
)


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__, 4x slower. Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Phase:
    name: str
    months: str
    users: int
    spend: Amount
    cumulative: Amount
    article_multiple: tuple[float, float]
    prototype_cost: float

    @property
    def multiple(self) -> Amount:
        return self.cumulative.scaled(1 / self.prototype_cost)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "months": self.months,
            "users": self.users,
            "low": round(self.cumulative.low, 2),
            "high": round(self.cumulative.high, 2),
            "spend": self.spend.to_dict(),
            "multiple": {
                "low": round(self.multiple.low, 2),
                "high": round(self.multiple.high, 2),
            },
            "article_multiple": {
                "low": self.article_multiple[0],
                "high": self.article_multiple[1],
            },
        }


def year_two_users(s: Scenario) -> tuple[int, int]:
    """(average, final) monthly active users over months 13-24 with monthly growth compounding."""
    months_summed, final = _year_two_growth(s.monthly_user_growth)
    return round(s.users * months_summed / 12), round(s.users * final)


@lru_cache(maxsize=256)  # read three times an answer; a growth rate has one answer
def _year_two_growth(monthly_growth: float) -> tuple[float, float]:
    """(the twelve months' growth factors summed, the last month's factor)."""
    monthly = 1 + monthly_growth
    factors = [monthly**k for k in range(1, 13)]
    return sum(factors), factors[-1]


def phases(s: Scenario, totals: Totals, year_two: Totals) -> tuple[Phase, Phase, Phase]:
    """Production Ready (months 1-3), Market Scale (4-12), Growth Scale (year 2, `year_two` totals
    priced at the year's average users)."""
    run_rate = totals.monthly + totals.annual.scaled(1 / 12)
    first = totals.one_time + run_rate.scaled(3)
    second = run_rate.scaled(9)
    third = year_two.monthly.scaled(12) + year_two.annual
    _, final_users = year_two_users(s)
    return (
        Phase("Production Ready", "months 1-3", s.users, first, first, (2, 3), s.prototype_cost),
        Phase(
            "Market Scale", "months 4-12", s.users, second, first + second, (5, 8), s.prototype_cost
        ),
        Phase(
            "Growth Scale",
            "months 13-24",
            final_users,
            third,
            first + second + third,
            (10, 15),
            s.prototype_cost,
        ),
    )
