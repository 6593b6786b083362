"""The price book: every figure an estimate reads, the bundled data file with an organisation's
own prices over it. One book is made per set of own prices (`price_book(overrides)`; the bundled
one once, at import) and passed explicitly to every cost line; it says where each figure came
from so a `basis` line can name it.

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

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from estimator import facts
from estimator.facts import Range
from estimator.gpus import GPU
from estimator.money import DOLLARS, ShownCurrency, shown_currency
from estimator.overrides import BUNDLED, PriceOverrides, roles
from estimator.token_prices import TokenPrices, list_request_price, token_prices

# The app tier the cloud multiplier applies to: the instances, networking, data stores and host
# monitoring a team rents from its cloud. SaaS seats, logs and people are not cloud prices.
APP_TIER_PREFIXES = ("compute.", "network.", "storage.")
# Object-storage vectors are the cloud's own service; a managed vector database is SaaS, unscaled.
APP_TIER_NAMES = frozenset(
    {
        "monitoring.host_monthly",
        "vector_store.object_per_gb_month",
        "vector_store.object_per_million_queries",
    }
)
APP_TIER_TABLES = frozenset({"storage.database_tiers", "cache_tiers"})
_MTOK = 1_000_000


def is_app_tier(name: str, unit: str) -> bool:
    """A cloud price of the app tier: a USD figure under compute/network/storage, or a host."""
    return unit.startswith("USD") and (name.startswith(APP_TIER_PREFIXES) or name in APP_TIER_NAMES)


def _shape(table: dict[str, Any], prefix: str = "") -> tuple[type, dict[str, Any]]:
    """The slotted class of `book.figures` at one table of the data file, and its members: for
    each attribute, the dotted name of a figure (a table with low and high) or the shape of a
    table of figures under it."""
    members: dict[str, Any] = {}
    for key, value in table.items():
        if not isinstance(value, dict):
            continue
        if "low" in value and "high" in value:
            members[key] = prefix + key
        elif (under := _shape(value, f"{prefix}{key}."))[1]:
            members[key] = under
    return type("Figures", (), {"__slots__": tuple(members)}), members


# The data file's figures as nested attributes: `figures.compute.instance_monthly`.
_SHAPE = _shape(facts.raw())


def _table_shape() -> tuple[type, dict[str, Any]]:
    """`_shape` for `book.tables`: each table of the data file (a dict or list) as an attribute
    of its section, e.g. `tables.storage.database_tiers`, or of the book's tables when it has
    none (`tables.cache_tiers`)."""
    members: dict[str, Any] = {}
    for section, table in facts.raw().items():
        if isinstance(table, list):
            members[section] = section
        elif isinstance(table, dict):
            keys = [key for key, value in table.items() if isinstance(value, (dict, list))]
            under = {key: f"{section}.{key}" for key in keys if key.isidentifier()}
            if under:
                members[section] = (type("Tables", (), {"__slots__": tuple(under)}), under)
    return type("Tables", (), {"__slots__": tuple(members)}), members


_TABLES = _table_shape()


def _made(shape: tuple[type, dict[str, Any]], resolve: Callable[[str], Any]) -> Any:
    cls, members = shape
    made = cls()
    for attr, member in members.items():
        value = resolve(member) if isinstance(member, str) else _made(member, resolve)
        setattr(made, attr, value)
    return made


def _recording_class(shape: tuple[type, dict[str, Any]], resolved: Any) -> type:
    """The class of a Recorder's `figures` at one table, for one book: a figure the book
    overrides is a property that notes its name in the recorder's `read` set, as `figure` does;
    any other a plain class attribute; a table under it made on its first read. Made once per
    book, so a read costs about what the book's own does."""
    attributes: dict[str, Any] = {}
    for attr, member in shape[1].items():
        if isinstance(member, str):
            value, where = resolved[member]
            attributes[attr] = value if where == BUNDLED else _noted_read(member, value)
        else:
            attributes[attr] = _table_read(attr, _recording_class(member, resolved))
    return type("RecordedFigures", (), {**attributes, "__slots__": ("_read", "_made")})


def _noted_read(name: str, value: Range) -> property:
    def read(self: Any) -> Range:
        self._read.add(name)
        return value

    return property(read)


def _table_read(attr: str, cls: type) -> property:
    def read(self: Any) -> Any:
        made = self._made.get(attr)
        if made is None:
            made = self._made[attr] = _recording(cls, self._read)
        return made

    return property(read)


def _recording(cls: Any, read: set[str]) -> Any:
    made = cls()
    made._read, made._made = read, {}
    return made


class _Memo(dict):
    """Values by name, each made by `make` when first asked for and kept."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, name: str) -> Any:
        value = self[name] = self._make(name)
        return value


class PriceBook:
    """Every figure an estimate reads: the bundled data file with `overrides` over it (None: the
    bundled figures alone). Made once per set of own prices (`price_book`) and passed to every
    cost line; nothing in it changes once made, save the memo of figures already resolved.

    `figures`: every [low, high] figure of the data file by attribute, resolved when the book is
    made, e.g. `figures.compute.instance_monthly` (docs/architecture.md, "Performance idioms").
    `figure(name)`: the same figure by dotted name, for a name made at run time.
    `tables`: every table (or list of tables) of the data file by attribute, own fields over it,
    e.g. `tables.storage.database_tiers`; `entry(name)`: the same by dotted name.
    `figure` and `entry` are a memo's own lookup (no Python call once a name is resolved)."""

    # Equal and hashed by identity (one book per set of own prices, see `price_book`): the cost
    # modules' caches key on the book, and an object's own hash costs no Python call.
    __slots__ = (
        "_recorded_figures", "_resolved", "entry", "figure", "figures", "overrides", "shown",
        "tables",
    )  # fmt: skip

    figures: Any
    tables: Any
    figure: Callable[[str], Range]
    entry: Callable[[str], Any]
    # The currency amounts priced with this book are shown in: the own prices' at their rate.
    shown: ShownCurrency

    def __init__(self, overrides: PriceOverrides | None = None) -> None:
        self.overrides = overrides
        self.shown = (
            DOLLARS
            if overrides is None
            else shown_currency(overrides.currency.code.value, overrides.currency.per_usd)
        )
        self._resolved: dict[str, tuple[Range, str]] = _Memo(self._resolve)
        self.figure = _Memo(lambda name: self._resolved[name][0]).__getitem__
        self.entry = _Memo(self._resolve_entry).__getitem__
        self._lay_out()

    def _lay_out(self) -> None:
        """Make `figures` and `tables`, every one resolved (again, after a pinned book's pins)."""
        resolved = self._resolved
        self.figures = _made(_SHAPE, lambda name: resolved[name][0])
        self.tables = _made(_TABLES, self.entry)
        self._recorded_figures: type | None = None  # a Recorder's, made on the first (`recorder`)

    def __repr__(self) -> str:
        return f"PriceBook({self.overrides.origin if self.overrides else BUNDLED})"

    @property
    def bundled(self) -> bool:
        """True for the bundled figures alone (the usual case, and the fast path)."""
        return self.overrides is None

    def overridden(self, name: str) -> bool:
        """Whether the figure or table `name` differs from the bundled one under this book."""
        if self.overrides is None:
            return False
        if name in self.overrides.entries:
            return True
        if isinstance(facts.bundled_entry(name), dict) and "low" in facts.bundled_entry(name):
            return self.origin(name) != BUNDLED
        return False

    def origin(self, name: str) -> str:
        """Where the figure `name` came from: 'bundled', a price file, 'workspace settings'."""
        return self._resolved[name][1]

    def recorder(self) -> Recorder:
        """A view of this book that notes which overridden figures are read through it."""
        return Recorder(self)

    def recorded_figures(self) -> type:
        """The class of a Recorder's `figures` for this book, made on the first asked."""
        if self._recorded_figures is None:
            self._recorded_figures = _recording_class(_SHAPE, self._resolved)
        return self._recorded_figures

    # --- resolving ------------------------------------------------------------------------

    def _resolve(self, name: str) -> tuple[Range, str]:
        o = self.overrides
        bundled = facts.bundled_figure(name)
        if o is None:
            return bundled, BUNDLED
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
        if o is None:
            return bundled
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

    def request_price(
        self,
        model: str,
        input_tokens: int,
        cached_tokens: int,
        output_tokens: int,
        day: dt.date,
        written_tokens: int = 0,
    ) -> float:
        """USD for ONE request on `day` at genai-prices' list price (`written_tokens` of the input
        written to the prompt cache), less the provider's discount, or at the model's own price
        when the own prices set one (no date, no cache-write premium)."""
        price = list_request_price(
            model, input_tokens, cached_tokens, output_tokens, day, written_tokens
        )
        o = self.overrides
        if o is None:
            return price
        prices, where = o.token_prices_for(token_prices(model))
        if where == BUNDLED:
            return price
        own = o.model_prices.get(prices.model)
        if own is not None:
            return (
                (input_tokens - cached_tokens) * prices.input
                + cached_tokens * prices.cached_input
                + output_tokens * prices.output
            ) / _MTOK
        return price * (1 - o.provider_discounts[prices.provider] / 100)

    def token_prices(self, model: str, day: dt.date | None = None) -> tuple[TokenPrices, str]:
        """The model's per-Mtok prices on `day` (default today) under this book, and where they
        came from."""
        prices = token_prices(model, day)
        o = self.overrides
        if o is None:
            return prices, "genai-prices"
        prices, where = o.token_prices_for(prices)
        if where == "bundled":
            return prices, "genai-prices"
        return prices, f"own price ({where})" if where == o.origin else where

    def gpu_hourly(self, gpu: GPU) -> tuple[float, float, str] | None:
        """(on-demand, reserved, origin) USD an hour the own prices set for `gpu`, or None."""
        return self.overrides.gpu_hourly(gpu) if self.overrides is not None else None

    # --- what was applied ----------------------------------------------------------------------

    def _said(self, name: str) -> str:
        """An overridden entry's new values: '80-120' for a figure, 'chat 0.8, email 0.15' else."""
        if name in self._resolved:  # every figure, resolved when the book was made
            return _amount(self._resolved[name][0])
        assert self.overrides is not None
        return ", ".join(f"{k} {v:g}" for k, v in self.overrides.entries[name].items())

    def note(self, names: set[str], *, entries: bool, cloud: bool) -> str:
        """'; priced with compute.instance_monthly 80-120 (my-prices.toml)': the overridden
        figures in `names` when `entries` moved the line, the cloud multiplier when `cloud` did."""
        o = self.overrides
        if o is None:
            return ""
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


class Recorder(PriceBook):
    """A price book that notes the names of the overridden figures read through it (`read`), so
    a line priced through it can say which of them it was priced with."""

    __slots__ = ("book", "read")

    def __init__(self, book: PriceBook) -> None:  # the book's own figures and memo
        self.book, self.overrides, self.shown = book, book.overrides, book.shown
        self._resolved, self.entry = book._resolved, book.entry
        self.figure = self._recorded
        self.read: set[str] = set()
        self._recorded_figures = book.recorded_figures()
        self.figures = _recording(self._recorded_figures, self.read)
        self.tables = book.tables  # a table read is not noted (see `entry`)

    # The same prices as its book: a cache keyed on either finds the other's entries.
    def __hash__(self) -> int:
        return hash(self.book)

    def __eq__(self, other: object) -> bool:
        return other is self.book or (isinstance(other, Recorder) and other.book is self.book)

    def _recorded(self, name: str) -> Range:
        found, where = self._resolved[name]
        if where != BUNDLED:
            self.read.add(name)
        return found


def _scaled(table: dict[str, Any], m: float) -> dict[str, Any]:
    return {k: v * m if k in ("low", "high") else v for k, v in table.items()}


def _amount(r: Range) -> str:
    return f"{r.low:g}" if r.low == r.high else f"{r.low:g}-{r.high:g}"


# The bundled figures alone: the book of every estimate made without own prices.
BUNDLED_BOOK = PriceBook()


@lru_cache(maxsize=256)
def _book(key: str) -> PriceBook:
    return PriceBook(PriceOverrides.model_validate_json(key))


def price_book(overrides: PriceOverrides | None = None) -> PriceBook:
    """The price book for `overrides`: the bundled one when they change nothing, else one made
    once per distinct set of own prices and kept (a workspace's estimates share it)."""
    if overrides is None or overrides.is_default():
        return BUNDLED_BOOK
    return _book(overrides.model_dump_json())


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
