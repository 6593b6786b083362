"""Totals of a set of line items: one-time, monthly run-rate, annual, first year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from estimator.lines import Cadence, LineItem


# Not frozen, for the reason LineItem is not (lines.py): a frozen dataclass sets each field through
# object.__setattr__, and one answer makes about 170 amounts. Nothing assigns to an amount once
# made; it still compares and hashes by its fields as a frozen one did.
@dataclass(slots=True, unsafe_hash=True)
class Amount:
    low: float
    high: float

    def to_dict(self) -> dict:
        return {"low": round(self.low, 2), "high": round(self.high, 2)}

    def __add__(self, other: Amount) -> Amount:
        return Amount(self.low + other.low, self.high + other.high)

    def scaled(self, factor: float) -> Amount:
        return Amount(self.low * factor, self.high * factor)


@dataclass(slots=True, unsafe_hash=True)  # not frozen, like Amount: one per estimate priced
class Totals:
    one_time: Amount
    monthly: Amount
    annual: Amount
    prototype_cost: float

    # Written out, one Amount each (read about 20 times an answer): the same operations in the
    # same order as one_time + monthly.scaled(12) + annual, so the same floats.

    @property
    def first_year(self) -> Amount:
        """One-time + 12 months of run-rate + one year of annual costs."""
        one_time, monthly, annual = self.one_time, self.monthly, self.annual
        return Amount(
            one_time.low + monthly.low * 12 + annual.low,
            one_time.high + monthly.high * 12 + annual.high,
        )

    @property
    def monthly_all_in(self) -> Amount:
        """Run-rate with annual costs (salaries, insurance) spread over 12 months."""
        monthly, annual = self.monthly, self.annual
        return Amount(monthly.low + annual.low * (1 / 12), monthly.high + annual.high * (1 / 12))

    @property
    def prototype_multiple(self) -> Amount:
        return self.first_year.scaled(1 / self.prototype_cost)

    def to_dict(self) -> dict:
        return {
            "one_time": self.one_time.to_dict(),
            "monthly": self.monthly.to_dict(),
            "annual": self.annual.to_dict(),
            "first_year": self.first_year.to_dict(),
            "monthly_all_in": self.monthly_all_in.to_dict(),
            "prototype_multiple": {
                "low": round(self.prototype_multiple.low, 2),
                "high": round(self.prototype_multiple.high, 2),
            },
        }


def sum_lines(items: Iterable[LineItem], prototype_cost: float) -> Totals:
    one_low = one_high = monthly_low = monthly_high = annual_low = annual_high = 0.0
    monthly, annual = Cadence.monthly, Cadence.annual
    for item in items:  # every line of every estimate: plain locals, no bucket lookups
        cadence = item.cadence
        if cadence is monthly:
            monthly_low += item.low
            monthly_high += item.high
        elif cadence is annual:
            annual_low += item.low
            annual_high += item.high
        else:
            one_low += item.low
            one_high += item.high
    # By position (12 sums an answer): one-time, monthly, annual, then the prototype's cost.
    return Totals(
        Amount(one_low, one_high),
        Amount(monthly_low, monthly_high),
        Amount(annual_low, annual_high),
        prototype_cost,
    )


def sum_shown_lines(
    lines: Iterable[LineItem], prototype_cost: float
) -> tuple[Totals, list[LineItem], list[LineItem], bool]:
    """`sum_lines` of the lines of a cent or more at either end (what an estimate shows), those
    lines, the ones under a cent (left out, named in its assumptions), and whether those were all
    exactly $0. One pass: it runs for every line of every estimate, and the sums are the same
    floats as `sum_lines` of the shown lines (added in the same order)."""
    one_low = one_high = monthly_low = monthly_high = annual_low = annual_high = 0.0
    monthly, annual = Cadence.monthly, Cadence.annual
    shown: list[LineItem] = []
    under_a_cent: list[LineItem] = []
    exact = True
    for item in lines:
        low, high = item.low, item.high
        if -0.005 < low < 0.005 and -0.005 < high < 0.005:
            under_a_cent.append(item)
            if low or high:
                exact = False
            continue
        shown.append(item)
        cadence = item.cadence
        if cadence is monthly:
            monthly_low += low
            monthly_high += high
        elif cadence is annual:
            annual_low += low
            annual_high += high
        else:
            one_low += low
            one_high += high
    totals = Totals(
        Amount(one_low, one_high),
        Amount(monthly_low, monthly_high),
        Amount(annual_low, annual_high),
        prototype_cost,
    )
    return totals, shown, under_a_cent, exact
