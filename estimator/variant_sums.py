"""A variant's first year from an estimate's own sums, adding again only what the variant moves.

`sum_lines` adds each cadence's lines (one-time, monthly, annual) into its own pair of floats, in
line order. A variant (a sensitivity swing) prices again a few groups of lines
(`breakdown.Changes`); its totals are the same additions with those groups' lines in their place.
So the additions restart from the own sums as they stood before the first group that changed,
and go on over the changed groups' lines and the own lines of the groups after it. The same
floats added in the same order: the very sums, bit for bit, a full re-estimate gives
(tests/estimator/test_sensitivity.py), without listing the variant's lines or adding again those
before its first change (a swing of salaries adds the team, support and legal lines alone). A
group priced for sums alone (`lines.Amounts`: the app tier, the team) adds its pairs.
"""

from __future__ import annotations

from estimator.breakdown import Changes, Parts
from estimator.lines import Amounts, Cadence, LineItem
from estimator.totals import Amount

_MONTHLY, _ANNUAL = Cadence.monthly, Cadence.annual
_GROUPS = range(10)  # the groups of breakdown.Parts, in the order lines are summed


class OwnSums:
    """The scenario's own lines (its `Parts`) by group, with `sum_lines`' six sums as they stood
    before each group, for variants of it to continue from."""

    __slots__ = ("before", "groups", "monthly", "only_monthly", "totals")

    def __init__(self, own: Parts) -> None:
        self.groups = (
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
        self.before: list[tuple[float, float, float, float, float, float]] = []
        sums = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        for lines in self.groups:
            self.before.append(sums)
            sums = _added(sums, lines)
        self.totals = sums
        # Each group's monthly amounts, and whether it has lines of no other cadence.
        self.monthly = [
            [(item.low, item.high) for item in lines if item.cadence is _MONTHLY]
            for lines in self.groups
        ]
        self.only_monthly = [
            len(amounts) == len(lines)
            for amounts, lines in zip(self.monthly, self.groups, strict=True)
        ]

    def first_year(self, changes: Changes) -> Amount:
        """The first year of the variant whose changed groups are `changes`: `sum_lines` of
        `breakdown.with_changes(own, changes)`, then `Totals.first_year`, to the bit."""
        start = min(changes, default=0)  # nothing moved: the own first year, summed as ever
        only_monthly = self.only_monthly
        if all(only_monthly[g] for g in changes):  # most swings: usage moves monthly lines
            found = self._monthly(changes, start)
            if found is not None:
                return found
        one_low, one_high, month_low, month_high, year_low, year_high = self.before[start]
        at, groups = changes.get, self.groups
        for g in _GROUPS[start:]:
            new = at(g)  # a changed group may have no lines where the own one had some
            if type(new) is Amounts:  # one cadence's amounts, in line order
                if new.cadence is _MONTHLY:
                    for a, b in new:
                        month_low += a
                        month_high += b
                elif new.cadence is _ANNUAL:
                    for a, b in new:
                        year_low += a
                        year_high += b
                else:
                    for a, b in new:
                        one_low += a
                        one_high += b
                continue
            # sum_lines' loop, written out here too: it runs for every swing.
            for item in groups[g] if new is None else new:
                cadence = item.cadence
                if cadence is _MONTHLY:
                    month_low += item.low
                    month_high += item.high
                elif cadence is _ANNUAL:
                    year_low += item.low
                    year_high += item.high
                else:
                    one_low += item.low
                    one_high += item.high
        # Totals.first_year's arithmetic, in its order.
        return Amount(one_low + month_low * 12 + year_low, one_high + month_high * 12 + year_high)

    def _monthly(self, changes: Changes, start: int) -> Amount | None:
        """first_year where every changed group had monthly lines only, and has (None if one
        has another cadence now): the one-time and annual sums are then the own ones."""
        _, _, month_low, month_high, _, _ = self.before[start]
        at, monthly = changes.get, self.monthly
        for g in _GROUPS[start:]:
            new = at(g)
            if new is None or type(new) is Amounts:
                if new is not None and new.cadence is not _MONTHLY:
                    return None
                for a, b in monthly[g] if new is None else new:
                    month_low += a
                    month_high += b
                continue
            for item in new:
                if item.cadence is not _MONTHLY:
                    return None
                month_low += item.low
                month_high += item.high
        one_low, one_high, _, _, year_low, year_high = self.totals
        return Amount(one_low + month_low * 12 + year_low, one_high + month_high * 12 + year_high)


def _added(
    sums: tuple[float, float, float, float, float, float], lines: list[LineItem]
) -> tuple[float, float, float, float, float, float]:
    """`sums` (one-time, monthly, annual; low and high) with `lines` added, as sum_lines adds."""
    one_low, one_high, month_low, month_high, year_low, year_high = sums
    for item in lines:
        cadence = item.cadence
        if cadence is _MONTHLY:
            month_low += item.low
            month_high += item.high
        elif cadence is _ANNUAL:
            year_low += item.low
            year_high += item.high
        else:
            one_low += item.low
            one_high += item.high
    return one_low, one_high, month_low, month_high, year_low, year_high
