"""estimate(scenario) -> Estimate: line items, totals, phases, strategies and savings."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from functools import cached_property

from estimator import facts
from estimator.breakdown import (
    Parts,
    at_other_users,
    hosted_otherwise,
    line_items,
    parts,
    usage_variants,
)
from estimator.lines import CATEGORIES, Cadence, Category, LineItem
from estimator.money import shown_in
from estimator.operations import managed_trade_off
from estimator.overrides import PriceOverrides
from estimator.phases import READING, Phase, phases, year_two_users
from estimator.prices import PriceBook, applied_settings, book_for, with_stage_defaults
from estimator.pricing import TokenPrices, effective_token_prices
from estimator.savings import Saving, savings
from estimator.scenario import MAX_USERS, Hosting, Scenario
from estimator.sensitivity import Sensitivity, sensitivity
from estimator.strategies import Strategy, strategies
from estimator.token_snapshot import snapshot_note
from estimator.totals import Amount, Totals, sum_lines
from estimator.traffic import traffic

# Where each cadence's [low, high] sits in a category's sums (Estimate.by_category).
_CADENCE_AT = {Cadence.one_time: 0, Cadence.monthly: 2, Cadence.annual: 4}


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__, 4x slower. Nothing assigns to one once made.
@dataclass(slots=True, unsafe_hash=True)
class Absent:
    """A line or lever of $0, left out of the estimate; `why` is worded when read."""

    kind: str  # "line" or "lever"
    name: str
    explain: Callable[[], str]

    @property
    def why(self) -> str:
        return self.explain()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "why": self.why}


@dataclass(frozen=True)
class Estimate:
    scenario: Scenario
    line_items: tuple[LineItem, ...]
    totals: Totals
    # The three phases and the five strategies re-estimate the scenario (year two, 10x users):
    # made when first read, so the estimates that only need totals (a what-if's, the break-even
    # search's seventy, the sensitivity's, the scaling curve's) do not pay for them.
    _phases: Callable[[], tuple[Phase, ...]] = field(repr=False)
    _strategies: Callable[[], tuple[Strategy, ...]] = field(repr=False)
    savings: tuple[Saving, ...]
    token_prices: TokenPrices | None
    # Lines and levers of $0: not shown as amounts, but named in the assumptions with the reason.
    absent: tuple[Absent, ...] = ()
    # Re-estimates the scenario 2-6 times: computed only when read (what-ifs and phase
    # sub-estimates never read it).
    _first_year_of: Callable[[Scenario], Amount] | None = field(default=None, repr=False)
    # The organisation's prices it was made with (None: the bundled ones, in USD).
    prices: PriceBook | None = None
    # Where the token prices came from: "genai-prices", or the discount or own price applied.
    token_prices_by: str = "genai-prices"
    # True when every line left out was exactly $0: `totals` are then, bit for bit, the sum over
    # all the lines that `totals_for(scenario)` makes (adding 0.0 changes no float sum).
    _totals_cover_every_line: bool = field(default=False, repr=False)
    # Its lines by the figures they read, for the sensitivity (None under a price book).
    _parts: Parts | None = field(default=None, repr=False)

    @cached_property
    def phases(self) -> tuple[Phase, ...]:
        if self.prices is None and facts.active() is None:
            return self._phases()  # the bundled prices are already the ones read
        with facts.using(self.prices):
            return self._phases()

    @cached_property
    def strategies(self) -> tuple[Strategy, ...]:
        if self.prices is None and facts.active() is None:
            return self._strategies()
        with facts.using(self.prices):
            return self._strategies()

    @cached_property
    def sensitivity(self) -> tuple[Sensitivity, ...]:
        """The (up to) three usage assumptions that move the first year most."""
        if self.prices is None and facts.active() is None:
            return self._sensitivity()
        with facts.using(self.prices):
            return self._sensitivity()

    def _sensitivity(self) -> tuple[Sensitivity, ...]:
        first_year_of = self._first_year_of or _usage_first_year(self.scenario, self._parts)
        return sensitivity(self.scenario, self.totals.first_year, first_year_of)

    def totals_hosted_otherwise(self, side: Scenario) -> Totals:
        """`totals_for(side)`, `side` being this scenario on the other hosting (the break-even's
        other side), under the prices active now: from this estimate's parts when they were
        priced under the same (the bundled ones)."""
        if self._parts is None or facts.active() is not None:
            return totals_for(side)
        return sum_lines(hosted_otherwise(side, self._parts), side.prototype_cost)

    def totals_of_every_line(self) -> Totals:
        """`totals_for(self.scenario)` under this estimate's prices (lines under a cent summed
        too, as the break-even compares them): its own totals when nothing was left out but $0."""
        if self._totals_cover_every_line:
            return self.totals
        with facts.using(self.prices):
            return totals_for(self.scenario)

    @property
    def overrides(self) -> PriceOverrides | None:
        return self.prices.overrides if self.prices is not None else None

    def shown(self) -> AbstractContextManager[None]:
        """Amounts formatted inside are in this estimate's currency, at its rate."""
        o = self.overrides
        if o is None:
            return shown_in(None)
        return shown_in(o.currency.code.value, o.currency.per_usd)

    @property
    def token_prices_from(self) -> str:
        """'genai-prices 0.2.3 bundled snapshot', or the discount applied and then the snapshot."""
        if self.token_prices_by == "genai-prices":
            return snapshot_note()
        return f"{self.token_prices_by}, {snapshot_note()}"

    @property
    def price_notes(self) -> list[str]:
        """The settings applied, then where the token prices came from (for the assumptions)."""
        notes = self.settings_applied
        if self.token_prices is not None:
            notes = [*notes, f"token prices: {self.token_prices_from}"]
        return notes

    @property
    def settings_applied(self) -> list[str]:
        """Which of the organisation's settings this estimate used, one phrase each."""
        return applied_settings(self.prices.overrides) if self.prices is not None else []

    def by_category(self) -> list[tuple[Category, Amount, Amount, Amount]]:
        """(category, one-time, monthly, annual) for each category that has lines."""
        # Per category: [one-time low, high, monthly low, high, annual low, high], summed in line
        # order; one flat list each, since every answer's breakdown table reads this.
        sums: dict[Category, list[float]] = {}
        for item in self.line_items:
            bucket = sums.get(item.category)
            if bucket is None:
                bucket = sums[item.category] = [0.0] * 6
            at = _CADENCE_AT[item.cadence]
            bucket[at] += item.low
            bucket[at + 1] += item.high
        return [
            (category, Amount(b[0], b[1]), Amount(b[2], b[3]), Amount(b[4], b[5]))
            for category in CATEGORIES
            if (b := sums.get(category)) is not None
        ]

    def _currency(self) -> dict:
        """Every amount of the JSON is USD; this says the estimate's currency and its rate."""
        o = self.overrides
        c = o.currency if o is not None else None
        per_usd = c.per_usd if c else 1.0
        first = self.totals.first_year
        return {
            "code": c.code.value if c else "USD",
            "per_usd": per_usd,
            "set_on": c.set_on.isoformat() if c and c.set_on else None,
            "amounts_are": "USD; multiply by per_usd for the currency",
            "first_year": {
                "low": round(first.low * per_usd, 2),
                "high": round(first.high * per_usd, 2),
            },
        }

    def to_dict(self) -> dict:
        s = self.scenario
        return {
            "scenario": {
                **s.model_dump(mode="json", exclude={"given"}),
                "given": sorted(s.given),
            },
            "line_items": [item.to_dict() for item in self.line_items],
            "totals": self.totals.to_dict(),
            "phases": [phase.to_dict() for phase in self.phases],
            "phase_reading": READING,
            "strategies": [strategy.to_dict() for strategy in self.strategies],
            "savings": [saving.to_dict() for saving in self.savings],
            "sensitivity": [item.to_dict() for item in self.sensitivity],
            "absent": [item.to_dict() for item in self.absent],
            "settings_applied": self.settings_applied,
            "currency": self._currency(),
            "token_prices": (
                {
                    "model": self.token_prices.model,
                    "provider": self.token_prices.provider,
                    "input_per_mtok": self.token_prices.input,
                    "cached_input_per_mtok": self.token_prices.cached_input,
                    "output_per_mtok": self.token_prices.output,
                    "context_window": self.token_prices.context_window,
                    "source": self.token_prices_from,
                }
                if self.token_prices
                else None
            ),
        }


def totals_for(s: Scenario) -> Totals:
    return sum_lines(line_items(s), s.prototype_cost)


def _totals_at(s: Scenario, users: int, own: Parts | None) -> Totals:
    """`totals_for` of `s` at `users` (year two, ten times as many), under the prices active now:
    from the estimate's parts `own` when they were priced under the same (the bundled ones)."""
    v = s.model_copy(update={"users": users})
    if own is None or facts.active() is not None:
        return totals_for(v)
    return sum_lines(at_other_users(v, own), v.prototype_cost)


def _usage_first_year(s: Scenario, own: Parts | None) -> Callable[[Scenario], Amount]:
    """The first year of a copy of `s` with other usage figures, as `totals_for` sums it: only
    the lines that read usage are priced again for each (the sensitivity prices eight)."""
    lines_of = usage_variants(s, own)
    return lambda v: sum_lines(lines_of(v), v.prototype_cost).first_year


def _is_zero(low: float, high: float) -> bool:
    return -0.005 < low < 0.005 and -0.005 < high < 0.005  # under a cent


def _line_absent(item: LineItem) -> Absent:
    return Absent("line", item.item, lambda: item.basis)


def _lever_absent(saving: Saving) -> Absent:
    return Absent("lever", saving.name, lambda: saving.detail)


def estimate(s: Scenario, overrides: PriceOverrides | None = None) -> Estimate:
    """The estimate of `s`, priced with `overrides` (None: the prices already active, usually the
    bundled ones; everything that re-estimates inside inherits them)."""
    if overrides is None:
        return _estimate(s, facts.active())
    book = book_for(overrides)
    with facts.using(book):
        return _estimate(s, book)


def _estimate(s: Scenario, book: PriceBook | None) -> Estimate:
    if book is not None:
        s = with_stage_defaults(s, book.overrides)
    t = traffic(s)
    own = parts(s, t) if book is None else None  # under a book, lines carry its notes
    items, zero_lines = [], []
    for item in own.lines() if own is not None else line_items(s, t):
        # _is_zero written out: it runs for every line of every estimate.
        low, high = item.low, item.high
        zero = -0.005 < low < 0.005 and -0.005 < high < 0.005
        (zero_lines if zero else items).append(item)
    totals = sum_lines(items, s.prototype_cost)
    managed = managed_trade_off(items)
    kept, zero_levers = [], []
    for lever in savings(s, managed, t):
        (zero_levers if _is_zero(lever.monthly.low, lever.monthly.high) else kept).append(lever)

    def three_phases() -> tuple[Phase, ...]:
        average_users, _ = year_two_users(s)
        year_two = _totals_at(s, min(average_users, MAX_USERS), own)
        return tuple(phases(s, totals, year_two))

    def five_strategies() -> tuple[Strategy, ...]:
        ten_x: list[Totals] = []  # priced when the plan's advice is first read, then kept

        def at_ten_x() -> Totals:
            if not ten_x:
                ten_x.append(_totals_at(s, min(s.users * 10, MAX_USERS), own))
            return ten_x[0]

        plans = strategies(s, items, totals, at_ten_x, managed, t)
        if book is not None:  # their wording reads figures: word it under the same prices
            plans = [replace(p, explain=_pinned(book, p.explain)) for p in plans]
        return tuple(plans)

    prices, prices_from = (
        effective_token_prices(s.model) if s.hosting is Hosting.api else (None, "")
    )
    if book is not None:  # their wording reads figures: word it under the same prices
        kept = [replace(k, explain=_pinned(book, k.explain)) for k in kept]
    return Estimate(
        scenario=s,
        line_items=tuple(items),
        totals=totals,
        _phases=three_phases,
        _strategies=five_strategies,
        savings=tuple(kept),
        token_prices=prices,
        absent=(*map(_line_absent, zero_lines), *map(_lever_absent, zero_levers)),
        prices=book,
        token_prices_by=prices_from,
        _totals_cover_every_line=all(not (i.low or i.high) for i in zero_lines),
        _parts=own,
    )


def _pinned(book: PriceBook, explain: Callable[[], str]) -> Callable[[], str]:
    def worded() -> str:
        with facts.using(book):
            return explain()

    return worded
