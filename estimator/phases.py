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
    "5-8x). One-time costs land in Phase 1; year 2 applies the scenario's monthly user growth "
    "and is priced at the year's average users."
)


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__ (docs/architecture.md, "Performance idioms"). Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Phase:
    name: str
    months: str
    users: int  # the monthly active users the phase is priced at (year 2: the year's average)
    spend: Amount
    cumulative: Amount
    article_multiple: tuple[float, float]
    prototype_cost: float
    users_at_end: int = 0  # users in the phase's last month (0: the same as `users`)

    @property
    def multiple(self) -> Amount:
        return self.cumulative.scaled(1 / self.prototype_cost)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "months": self.months,
            "users": self.users,
            "users_at_end": self.users_at_end or self.users,
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
    # On floats, one Amount for each figure a phase keeps: the operations and their order of
    # run_rate = monthly + annual x 1/12, first = one-time + run_rate x 3, second = run_rate x 9,
    # third = year two's monthly x 12 + its annual, so the same floats (half the Amounts made).
    one_time, monthly, annual = totals.one_time, totals.monthly, totals.annual
    run_low, run_high = monthly.low + annual.low * (1 / 12), monthly.high + annual.high * (1 / 12)
    first_low, first_high = one_time.low + run_low * 3, one_time.high + run_high * 3
    second_low, second_high = run_low * 9, run_high * 9
    later_monthly, later_annual = year_two.monthly, year_two.annual
    third_low = later_monthly.low * 12 + later_annual.low
    third_high = later_monthly.high * 12 + later_annual.high
    both_low, both_high = first_low + second_low, first_high + second_high
    first = Amount(first_low, first_high)
    third = Amount(third_low, third_high)
    average_users, final_users = year_two_users(s)
    return (
        Phase("Production Ready", "months 1-3", s.users, first, first, (2, 3), s.prototype_cost),
        Phase(
            "Market Scale",
            "months 4-12",
            s.users,
            Amount(second_low, second_high),
            Amount(both_low, both_high),
            (5, 8),
            s.prototype_cost,
        ),
        Phase(
            "Growth Scale",
            "months 13-24",
            average_users,
            third,
            Amount(both_low + third_low, both_high + third_high),
            (10, 15),
            s.prototype_cost,
            final_users,
        ),
    )
