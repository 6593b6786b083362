"""estimate(scenario) -> Estimate: line items, totals, phases, strategies, savings, sensitivity.

An answer's estimate is complete: everything a renderer reads is computed before it is returned,
so the terminal, Slack, CSV/JSON and chart renderers only format it. The estimates made inside
the estimator to be summed (a what-if's other side, the break-even search's, a comparison's
options) are asked for with `complete=False` and computed no further than their lines and totals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

from estimator.breakdown import (
    Parts,
    at_other_users,
    hosted_otherwise,
    line_items,
    parts,
)
from estimator.curve import CurvePoint, scaling_curve
from estimator.lines import CATEGORIES, Cadence, Category, LineItem
from estimator.money import ShownCurrency
from estimator.operations import ManagedTradeOff, managed_trade_off
from estimator.overrides import PriceOverrides
from estimator.phases import READING, Phase, phases, year_two_users
from estimator.price_book import BUNDLED_BOOK, PriceBook, applied_settings
from estimator.price_months import add_months, one_price
from estimator.savings import Saving, savings
from estimator.scenario import MAX_USERS, Hosting, Scenario
from estimator.sensitivity import Ranking, sensitivity
from estimator.strategies import Strategy, strategies
from estimator.token_prices import TokenPrices
from estimator.token_snapshot import snapshot_note
from estimator.totals import Amount, Totals, sum_lines, sum_shown_lines
from estimator.traffic import Traffic, traffic

# Where each cadence's [low, high] sits in a category's sums (Estimate.by_category).
_CADENCE_AT = {Cadence.one_time: 0, Cadence.monthly: 2, Cadence.annual: 4}


# Not frozen, like LineItem (lines.py): a frozen dataclass sets each field through
# object.__setattr__ (docs/architecture.md, "Performance idioms"). Nothing assigns to one once made.
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
    # The price book it was made with (the bundled one unless an organisation's own prices).
    prices: PriceBook = BUNDLED_BOOK
    # Where the token prices came from: "genai-prices", or the discount or own price applied.
    token_prices_by: str = "genai-prices"
    # True when every line left out was exactly $0: `totals` are then, bit for bit, the sum over
    # all the lines that `totals_for(scenario)` makes (adding 0.0 changes no float sum).
    _totals_cover_every_line: bool = field(default=False, repr=False)
    # Its lines by the figures they read, for the sensitivity (None under own prices).
    _parts: Parts | None = field(default=None, repr=False)
    # True when phases, strategies (with their tenfold-users totals) and sensitivity were computed
    # before it was returned: reading them then computes nothing.
    complete: bool = False
    # The scaling curve at the users it was asked for (a chart's), else empty.
    curve: tuple[CurvePoint, ...] = ()

    @cached_property
    def phases(self) -> tuple[Phase, ...]:
        return self._phases()

    @cached_property
    def strategies(self) -> tuple[Strategy, ...]:
        return self._strategies()

    @cached_property
    def sensitivity(self) -> Ranking:
        """The assumptions that move the first year most (iterating gives the shown ones)."""
        return sensitivity(self.scenario, self.totals.first_year, self.prices, self._parts)

    def totals_hosted_otherwise(self, side: Scenario) -> Totals:
        """`totals_for(side)`, `side` being this scenario on the other hosting (the break-even's
        other side), under this estimate's prices: from its parts when it has them."""
        if self._parts is None:
            return totals_for(side, self.prices)
        return sum_lines(hosted_otherwise(side, self._parts, self.prices), side.prototype_cost)

    def totals_of_every_line(self) -> Totals:
        """`totals_for(self.scenario)` under this estimate's prices (lines under a cent summed
        too, as the break-even compares them): its own totals when nothing was left out but $0."""
        if self._totals_cover_every_line:
            return self.totals
        return totals_for(self.scenario, self.prices)

    @property
    def overrides(self) -> PriceOverrides | None:
        return self.prices.overrides

    @property
    def currency(self) -> tuple[str, float]:
        """The currency its amounts are shown in and units of it per USD: ("USD", 1.0) unless the
        organisation's prices set one (amounts themselves are all USD)."""
        o = self.prices.overrides
        c = o.currency if o is not None else None
        return ("USD", 1.0) if c is None else (c.code.value, c.per_usd)

    @property
    def shown(self) -> ShownCurrency:
        """The currency its amounts are shown in (its price book's), for the money formatters."""
        return self.prices.shown

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
        o = self.prices.overrides
        return applied_settings(o) if o is not None else []

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
            "sensitivity": [item.to_dict() for item in self.sensitivity.ranked],
            "sensitivity_rest": self.sensitivity.rest(),
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


def totals_for(s: Scenario, prices: PriceBook = BUNDLED_BOOK) -> Totals:
    return sum_lines(line_items(s, prices), s.prototype_cost)


def _totals_at(s: Scenario, users: int, own: Parts | None, prices: PriceBook) -> Totals:
    """`totals_for` of `s` at `users` (year two, ten times as many) under `prices`: from the
    estimate's parts `own` when it has them (the bundled prices)."""
    v = s.varied({"users": users})
    if own is None:
        return totals_for(v, prices)
    return sum_lines(at_other_users(v, own, prices), v.prototype_cost)


def _priced_as_year_one(s: Scenario) -> bool:
    """Whether year two (months 13-24) is priced as the first year: self-hosted, or on an API
    whose token price does not change in the 24 months."""
    return s.hosting is not Hosting.api or one_price(s.model, s.start_month, 24)


def _is_zero(low: float, high: float) -> bool:
    return -0.005 < low < 0.005 and -0.005 < high < 0.005  # under a cent


def _line_absent(item: LineItem) -> Absent:
    return Absent("line", item.item, lambda: item.basis)


def _lever_absent(saving: Saving) -> Absent:
    return Absent("lever", saving.name, lambda: saving.detail)


def estimate(
    s: Scenario,
    prices: PriceBook = BUNDLED_BOOK,
    *,
    complete: bool = True,
    curve_at: tuple[int, ...] = (),
) -> Estimate:
    """The estimate of `s`, priced with `prices` (`price_book(overrides)` for an organisation's
    own; everything it re-estimates inside is priced with the same).

    Complete unless `complete=False` (only its lines and totals are needed: the other side of a
    what-if, a step of a search); with the scaling curve at `curve_at` users when given."""
    return _estimate(s, prices, complete, curve_at)


def with_stage_defaults(s: Scenario, overrides: PriceOverrides) -> Scenario:
    """`s` with the organisation's usage defaults where the user gave no figure of their own."""
    update = {k: v for k, v in overrides.stage_defaults.given().items() if k not in s.given}
    return s.model_copy(update=update) if update else s


def _estimate(s: Scenario, book: PriceBook, complete: bool, curve_at: tuple[int, ...]) -> Estimate:
    if book.overrides is not None:
        s = with_stage_defaults(s, book.overrides)
    t = traffic(s, book)
    own = parts(s, t, book) if book.bundled else None  # under own prices, lines carry notes
    totals, items, zero_lines, zeros_exact = sum_shown_lines(
        own.lines() if own is not None else line_items(s, book, t), s.prototype_cost
    )
    managed = managed_trade_off(items, book)
    kept, zero_levers = [], []
    for lever in savings(s, managed, book, t):
        (zero_levers if _is_zero(lever.monthly.low, lever.monthly.high) else kept).append(lever)

    # Partials of module-level functions, not closures: a closure's cells are made on every
    # estimate (docs/architecture.md, "Performance idioms").
    ten_x: list[Totals] = []  # priced once: up front when complete, else when the advice is read
    at_ten_x = partial(_at_ten_x, ten_x, s, own, book)
    prices, prices_from = (
        book.token_prices(s.model, s.start_month) if s.hosting is Hosting.api else (None, "")
    )
    e = Estimate(
        scenario=s,
        line_items=tuple(items),
        totals=totals,
        _phases=partial(_three_phases, s, totals, own, book),
        _strategies=partial(_five_strategies, s, items, totals, at_ten_x, managed, book, t),
        savings=tuple(kept),
        token_prices=prices,
        absent=(*map(_line_absent, zero_lines), *map(_lever_absent, zero_levers)),
        prices=book,
        token_prices_by=prices_from,
        _totals_cover_every_line=zeros_exact,
        _parts=own,
        complete=complete,
        curve=tuple(scaling_curve(s, book, curve_at)) if curve_at else (),
    )
    if complete:
        # Computed now, in the estimator, rather than when a renderer first reads them.
        e.phases, e.strategies, e.sensitivity  # noqa: B018
        at_ten_x()
    return e


def _three_phases(
    s: Scenario, totals: Totals, own: Parts | None, book: PriceBook
) -> tuple[Phase, ...]:
    average_users, _ = year_two_users(s)
    # Year two's tokens at months 13-24's prices. Only an API's token price reads the month:
    # where no price change falls in either year, they are the first year's prices, and the
    # first year's request quote (its band too) is year two's.
    later = (
        s if _priced_as_year_one(s) else s.varied({"start_month": add_months(s.start_month, 12)})
    )
    year_two = _totals_at(later, min(average_users, MAX_USERS), own, book)
    return tuple(phases(s, totals, year_two))


def _at_ten_x(ten_x: list[Totals], s: Scenario, own: Parts | None, book: PriceBook) -> Totals:
    if not ten_x:
        ten_x.append(_totals_at(s, min(s.users * 10, MAX_USERS), own, book))
    return ten_x[0]


def _five_strategies(
    s: Scenario,
    items: list[LineItem],
    totals: Totals,
    at_ten_x: Callable[[], Totals],
    managed: ManagedTradeOff,
    book: PriceBook,
    t: Traffic,
) -> tuple[Strategy, ...]:
    return tuple(strategies(s, items, totals, at_ten_x, managed, book, t))
