"""A variant's first year from an estimate's own sums, adding again only what the variant moves.

`sum_lines` adds each cadence's lines (one-time, monthly, annual) into its own pair of floats, in
line order. A variant (a sensitivity swing) prices again a few groups of lines
(`breakdown.Changes`); its totals are the same additions with those groups' lines in their place.
So, per cadence: when no changed group has a line of that cadence, before or after the change,
the variant's sum is the scenario's own; otherwise the additions restart from the own sum as it
stood before the first group that changed one, and go on over the changed lines and the own lines
of that cadence after it. The same floats added in the same order: the very sums, bit for bit, a
full re-estimate gives (tests/estimator/test_sensitivity.py), without listing or re-adding the
lines that did not move.
"""

from __future__ import annotations

from estimator.breakdown import Changes, Parts
from estimator.lines import Cadence
from estimator.totals import Amount

_CADENCES = (Cadence.one_time, Cadence.monthly, Cadence.annual)
_GROUPS = range(10)  # the groups of breakdown.Parts, in the order lines are summed


class OwnSums:
    """The scenario's own lines (its `Parts`) summed by cadence, with the sums as they stood
    before each group, for variants of it to continue from."""

    __slots__ = ("amounts", "before", "totals")

    def __init__(self, own: Parts) -> None:
        groups = (
            own.infrastructure,
            own.regions,
            own.inference,
            own.engineering,
            own.records,
            [own.transcripts],
            own.security,
            own.team,
            own.support,
            own.legal,
        )
        # amounts[c][g]: the (low, high) of group g's lines of cadence c, in line order;
        # before[c][g]: cadence c's sums over the groups before g.
        self.amounts: list[list[list[tuple[float, float]]]] = []
        self.before: list[list[tuple[float, float]]] = []
        self.totals: list[tuple[float, float]] = []
        for cadence in _CADENCES:
            low = high = 0.0
            amounts, before = [], []
            for lines in groups:
                before.append((low, high))
                found = [(item.low, item.high) for item in lines if item.cadence is cadence]
                for a, b in found:
                    low += a
                    high += b
                amounts.append(found)
            self.amounts.append(amounts)
            self.before.append(before)
            self.totals.append((low, high))

    def first_year(self, changes: Changes) -> Amount:
        """The first year of the variant whose changed groups are `changes`: `sum_lines` of
        `breakdown.with_changes(own, changes)`, then `Totals.first_year`, to the bit."""
        changed = sorted(changes)
        sums = []
        for c, cadence in enumerate(_CADENCES):
            amounts = self.amounts[c]
            start = next(
                (
                    g
                    for g in changed
                    if amounts[g] or any(item.cadence is cadence for item in changes[g])
                ),
                None,
            )
            if start is None:
                sums.append(self.totals[c])
                continue
            low, high = self.before[c][start]
            for g in _GROUPS[start:]:
                new = changes.get(g)
                if new is None:
                    for a, b in amounts[g]:
                        low += a
                        high += b
                    continue
                for item in new:
                    if item.cadence is cadence:
                        low += item.low
                        high += item.high
            sums.append((low, high))
        (one_low, one_high), (month_low, month_high), (year_low, year_high) = sums
        # Totals.first_year's arithmetic, in its order.
        return Amount(one_low + month_low * 12 + year_low, one_high + month_high * 12 + year_high)
