"""The prices an estimate is made with: the bundled data file, with an organisation's own over it.

`PriceBook(overrides)` answers the estimator's every `facts.figure`/`facts.entry` read while it is
active (`facts.using(book)`, which `estimate(scenario, overrides)` does), and says where each
figure came from so a `basis` line can name it. Without overrides no book is active and the
bundled figures are read directly (the fast path).

How each setting enters (docs/methodology.md, "Your own prices"):
- a price file's entry: its fields replace the bundled ones, e.g. compute.instance_monthly;
- salaries: `salary.<role>` is the region's range or the team's own; the loaded-cost factor
  replaces team.loaded_cost_factor (low = high);
- GPU prices: `gpu.<name>` hourly_low = hourly_high = the on-demand price;
- cloud multiplier: multiplies the app tier, i.e. every USD figure under compute.*, network.*,
  storage.* (incl. the database tiers), cache_tiers and monitoring.host_monthly;
- LLM prices: each request's genai-prices price less the provider's discount, or the model's own
  input/output price per token (see `request_price`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from estimator import facts
from estimator.facts import Range
from estimator.money import shown_in
from estimator.overrides import BUNDLED, PriceOverrides, roles
from estimator.scenario import Scenario

# The app tier the cloud multiplier applies to: the instances, networking, data stores and host
# monitoring a team rents from its cloud. SaaS seats, logs and people are not cloud prices.
APP_TIER_PREFIXES = ("compute.", "network.", "storage.")
APP_TIER_NAMES = frozenset({"monitoring.host_monthly"})
APP_TIER_TABLES = frozenset({"storage.database_tiers", "cache_tiers"})
_MTOK = 1_000_000


def is_app_tier(name: str, unit: str) -> bool:
    """A cloud price of the app tier: a USD figure under compute/network/storage, or a host."""
    return unit.startswith("USD") and (name.startswith(APP_TIER_PREFIXES) or name in APP_TIER_NAMES)


class PriceBook:
    """The bundled figures with `overrides` over them; remembers which overridden ones were read."""

    def __init__(self, overrides: PriceOverrides) -> None:
        self.overrides = overrides
        self._figures: dict[str, tuple[Range, str]] = {}
        self._entries: dict[str, Any] = {}
        self.read: set[str] | None = None  # names of non-bundled figures read, while recording

    @cached_property
    def key(self) -> str:
        return self.overrides.model_dump_json()

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PriceBook) and other.key == self.key

    # --- facts.Book ----------------------------------------------------------------------

    def figure(self, name: str) -> Range:
        found = self._figures.get(name)
        if found is None:
            found = self._figures[name] = self._resolve(name)
        if self.read is not None and found[1] != BUNDLED:
            self.read.add(name)
        return found[0]

    def entry(self, name: str) -> Any:
        found = self._entries.get(name)
        if found is None:
            found = self._entries[name] = self._resolve_entry(name)
        return found

    def overridden(self, name: str) -> bool:
        """Whether the figure or table `name` differs from the bundled one under this book."""
        if name in self.overrides.entries:
            return True
        if isinstance(facts.bundled_entry(name), dict) and "low" in facts.bundled_entry(name):
            return self.origin(name) != BUNDLED
        return False

    def origin(self, name: str) -> str:
        """Where the figure `name` came from: 'bundled', a price file, 'workspace settings'."""
        self.figure(name)
        return self._figures[name][1]

    # --- resolving ------------------------------------------------------------------------

    def _resolve(self, name: str) -> tuple[Range, str]:
        o = self.overrides
        bundled = facts.bundled_figure(name)
        if name.startswith("salary.") and name.removeprefix("salary.") in roles():
            figure, where = o.salary_range(name.removeprefix("salary."))
            return figure, where
        if name == "team.loaded_cost_factor" and o.loaded_factor is not None:
            f = o.loaded_factor
            return Range(f, f, bundled.unit, o.origin, bundled.checked), o.origin
        figure, where = o.figure_for(name, bundled)
        m = o.cloud_multiplier
        if m != 1.0 and is_app_tier(name, bundled.unit):
            figure = Range(figure.low * m, figure.high * m, figure.unit, o.origin, figure.checked)
            said = f"x{m:g} cloud multiplier"
            where = f"{said} ({o.origin})" if where == BUNDLED else f"{where}, {said}"
        return figure, where

    def _resolve_entry(self, name: str) -> Any:
        o = self.overrides
        bundled = facts.bundled_entry(name)
        m = o.cloud_multiplier
        if name in APP_TIER_TABLES and m != 1.0:
            return [_scaled(table, m) for table in bundled]
        if not isinstance(bundled, dict):
            return bundled
        table = {**bundled, **o.entries.get(name, {})}
        if name.startswith("gpu."):
            own = o.gpu_prices.get(name.removeprefix("gpu."))  # type: ignore[call-overload]
            if own is not None:
                table["hourly_low"] = table["hourly_high"] = own.on_demand
        return table

    # --- LLM tokens ---------------------------------------------------------------------------

    def request_price(self, model: str, list_price: float, tokens: tuple[int, int, int]) -> float:
        """One request's USD after the model's own price or its provider's discount."""
        from estimator.pricing import token_prices

        prices, where = self.overrides.token_prices_for(token_prices(model))
        if where == BUNDLED:
            return list_price
        own = self.overrides.model_prices.get(prices.model)
        if own is not None:
            input_tokens, cached, output_tokens = tokens
            return (
                (input_tokens - cached) * prices.input
                + cached * prices.cached_input
                + output_tokens * prices.output
            ) / _MTOK
        discount = self.overrides.provider_discounts[prices.provider]
        return list_price * (1 - discount / 100)

    # --- what was applied ----------------------------------------------------------------------

    def _said(self, name: str) -> str:
        """An overridden entry's new values: '80-120' for a figure, 'chat 0.8, email 0.15' else."""
        if name in self._figures:
            return _amount(self._figures[name][0])
        return ", ".join(f"{k} {v:g}" for k, v in self.overrides.entries[name].items())

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """The names of overridden figures read inside (used to annotate one basis line)."""
        before, self.read = self.read, set()
        try:
            yield self.read
        finally:
            self.read = before

    def note(self, names: set[str], *, entries: bool, cloud: bool) -> str:
        """'; priced with compute.instance_monthly 80-120 (my-prices.toml)': the overridden
        figures in `names` when `entries` moved the line, the cloud multiplier when `cloud` did."""
        o = self.overrides
        parts = []
        if entries:
            parts = [
                f"{name} {self._said(name)} ({o.origin})"
                for name in sorted(names)
                if name in o.entries
            ]
        if cloud:
            parts.append(f"cloud prices x{o.cloud_multiplier:g} ({o.origin})")
        return f"; priced with {', '.join(parts)}" if parts else ""


def _scaled(table: dict[str, Any], m: float) -> dict[str, Any]:
    return {k: v * m if k in ("low", "high") else v for k, v in table.items()}


def _amount(r: Range) -> str:
    return f"{r.low:g}" if r.low == r.high else f"{r.low:g}-{r.high:g}"


def book_for(overrides: PriceOverrides | None) -> PriceBook | None:
    """The book for `overrides`, or None when they change nothing (the bundled fast path)."""
    if overrides is None or overrides.is_default():
        return None
    return PriceBook(overrides)


@contextmanager
def applied(overrides: PriceOverrides | None) -> Iterator[PriceBook | None]:
    """Everything estimated inside uses `overrides` (a front end wraps a whole answer in this)."""
    book = book_for(overrides)
    with facts.using(book):
        yield book


@contextmanager
def priced(overrides: PriceOverrides | None) -> Iterator[None]:
    """Estimates priced with `overrides` and amounts shown in their currency at their rate: what a
    front end wraps one whole answer (messages, files, pictures) in."""
    currency = overrides.currency if overrides is not None else None
    with (
        applied(overrides),
        shown_in(currency.code.value if currency else None, currency.per_usd if currency else 1),
    ):
        yield


def with_stage_defaults(s: Scenario, overrides: PriceOverrides) -> Scenario:
    """`s` with the organisation's usage defaults where the user gave no figure of their own."""
    update = {k: v for k, v in overrides.stage_defaults.given().items() if k not in s.given}
    return s.model_copy(update=update) if update else s


def applied_settings(o: PriceOverrides) -> list[str]:
    """Which settings an estimate applied, one phrase each, for its assumptions."""
    said: list[str] = []
    where = f"({o.origin})"
    if o.currency.code.value != "USD":
        said.append(f"Currency {o.currency.describe()}: every amount is the USD figure x the rate")
    if o.salary_region.value != "US":
        said.append(f"Salaries of {o.salary_region.value} (regions.toml)")
    for role, own in sorted(o.salaries.items()):
        said.append(f"{role.replace('_', ' ')} salary ${own.low:,.0f}-{own.high:,.0f} {where}")
    if o.loaded_factor is not None:
        said.append(f"Loaded-cost factor {o.loaded_factor:g} {where}")
    for provider, share in sorted(o.provider_discounts.items()):
        said.append(f"{provider} token prices less {share:g}% {where}")
    for model, own in sorted(o.model_prices.items()):
        said.append(f"{model} at ${own.input:g} in / ${own.output:g} out per Mtok {where}")
    for gpu, own in sorted(o.gpu_prices.items()):
        reserved = f", ${own.reserved:g} reserved" if own.reserved is not None else ""
        said.append(f"{gpu.value.upper()} ${own.on_demand:g}/h on demand{reserved} {where}")
    if o.cloud_multiplier != 1.0:
        said.append(
            f"Cloud prices of the app tier x{o.cloud_multiplier:g} (compute, networking, storage, "
            f"database and cache tiers, host monitoring) {where}"
        )
    defaults = o.stage_defaults.given()
    if defaults:
        shown = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in defaults.items())
        said.append(f"Usage defaults where not given: {shown} {where}")
    for name, fields in sorted(o.entries.items()):
        shown = ", ".join(f"{k} {v:g}" for k, v in fields.items())
        said.append(f"{name}: {shown} {where}")
    return said
