"""An organisation's own prices (overrides): the settings a workspace (or a price file) puts over
the bundled figures, validated, with one short message per bad field. Reading a price file into
them is estimator/price_file.py; putting them over the bundled figures is the price book's
(estimator/price_book.py), through `salary_range`, `token_prices_for`, `gpu_hourly` and
`figure_for` here.

Every amount here is in US dollars, like the bundled data file: the estimator computes in USD and
converts the result with the workspace's rate, so an estimate in EUR is the USD estimate times one
stated rate.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from estimator import facts
from estimator.facts import Range
from estimator.gpus import GPU, gpus_offered
from estimator.token_prices import TokenPrices

# Where a figure came from, as said in a `basis` line and in `aicost prices`.
BUNDLED = "bundled"


class Currency(StrEnum):
    USD = "USD"
    EUR = "EUR"
    GBP = "GBP"
    JPY = "JPY"
    INR = "INR"
    CAD = "CAD"
    AUD = "AUD"


class SalaryRegion(StrEnum):
    us = "US"
    eu_west = "EU-West"
    uk = "UK"
    india = "India"
    latam = "LatAm"


# --- the bundled regional figures -----------------------------------------------------------


@cache
def regions_data() -> dict[str, Any]:
    """The parsed regional data file (salary ranges per region, default currency rates)."""
    text = resources.files("estimator").joinpath("data/regions.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def roles() -> tuple[str, ...]:
    """The team roles, as named by costs.toml's [salary.*] entries."""
    return tuple(facts.bundled_entry("salary"))


def default_rate(currency: Currency) -> float:
    """Units of `currency` per US dollar in the data file: a starting point, not a live rate."""
    return float(regions_data()["currency"][Currency(currency).value]["per_usd"])


def region_salary(region: SalaryRegion, role: str) -> Range:
    """The data file's base salary range for `role` in `region` (US: costs.toml's own)."""
    if region is SalaryRegion.us:
        return facts.bundled_figure(f"salary.{role}")
    table = regions_data()["region"][region.value][role]
    return Range(
        low=float(table["low"]),
        high=float(table["high"]),
        unit="USD/year",
        source=str(table["source"]),
        checked=str(table["checked"]),
    )


# --- the settings ---------------------------------------------------------------------------------

_STRICT = ConfigDict(frozen=True, extra="forbid")


class CurrencySetting(BaseModel):
    """The currency estimates are shown in, at the rate the workspace set on `set_on`."""

    model_config = _STRICT

    code: Currency = Currency.USD
    per_usd: float = Field(default=1.0, description="units of the currency per US dollar")
    set_on: dt.date | None = None

    @field_validator("per_usd")
    @classmethod
    def _positive_rate(cls, value: float) -> float:
        if not 0 < value <= 1_000_000:
            raise ValueError("The rate must be more than 0 (units of the currency per US dollar).")
        return value

    @model_validator(mode="after")
    def _usd_is_one(self) -> CurrencySetting:
        if self.code is Currency.USD and self.per_usd != 1.0:
            raise ValueError("The rate of USD is 1: choose another currency to set a rate.")
        return self

    def convert(self, usd: float) -> float:
        return usd * self.per_usd

    def describe(self) -> str:
        """'EUR at 0.92 per USD (set 2026-11-29)'."""
        if self.code is Currency.USD:
            return "USD"
        when = f" (set {self.set_on.isoformat()})" if self.set_on else ""
        return f"{self.code.value} at {self.per_usd:g} per USD{when}"


class SalaryRange(BaseModel):
    """A base salary range in USD per year per full-time person."""

    model_config = _STRICT

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> SalaryRange:
        if not 1_000 <= self.low <= self.high <= 10_000_000:
            raise ValueError("A salary range is low-high in USD a year, e.g. 90000-140000.")
        return self


class ModelPrice(BaseModel):
    """A negotiated price for one model, USD per million tokens."""

    model_config = _STRICT

    input: float
    output: float
    cached_input: float | None = None  # defaults to the input price: no cache discount assumed

    @model_validator(mode="after")
    def _in_range(self) -> ModelPrice:
        prices = [self.input, self.output]
        if self.cached_input is not None:
            prices.append(self.cached_input)
        if not all(0 <= p <= 10_000 for p in prices):
            raise ValueError("Token prices are USD per million tokens, from 0 to 10,000.")
        return self


class GpuPrice(BaseModel):
    """What one GPU costs an hour, USD: on demand and on a reserved contract."""

    model_config = _STRICT

    on_demand: float
    reserved: float | None = None

    @model_validator(mode="after")
    def _in_range(self) -> GpuPrice:
        if not 0 < self.on_demand <= 1_000:
            raise ValueError("A GPU hour costs more than $0 and at most $1,000.")
        if self.reserved is not None and not 0 < self.reserved <= self.on_demand:
            raise ValueError("The reserved price is more than $0 and at most the on-demand price.")
        return self


class StageDefaults(BaseModel):
    """Usage the workspace assumes when a request does not say (each optional)."""

    model_config = _STRICT

    requests_per_active_user_per_day: float | None = Field(default=None, ge=0.1, le=1_000)
    input_tokens: int | None = Field(default=None, ge=1, le=2_000_000)
    output_tokens: int | None = Field(default=None, ge=1, le=200_000)
    daily_active_share: float | None = Field(default=None, ge=0.01, le=1.0)

    def given(self) -> dict[str, float | int]:
        """Only what was set, as scenario values."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class PriceOverrides(BaseModel):
    """A workspace's (or a price file's) prices over the bundled ones. Empty = the bundled ones."""

    model_config = _STRICT

    currency: CurrencySetting = CurrencySetting()
    salary_region: SalaryRegion = SalaryRegion.us
    salaries: dict[str, SalaryRange] = {}  # role -> own range; wins over the region's
    loaded_factor: float | None = Field(default=None, ge=1.0, le=3.0)
    provider_discounts: dict[str, float] = {}  # provider id -> percent off list price
    model_prices: dict[str, ModelPrice] = {}  # model id -> own $/Mtok; wins over a discount
    gpu_prices: dict[GPU, GpuPrice] = {}
    cloud_multiplier: float = Field(default=1.0, ge=0.1, le=10.0)
    stage_defaults: StageDefaults = StageDefaults()
    # Any other entry of costs.toml by dotted name -> its numeric fields (price files only).
    entries: dict[str, dict[str, float]] = {}
    origin: str = Field(default="workspace settings", max_length=200)

    @field_validator("salaries")
    @classmethod
    def _known_roles(cls, value: dict[str, SalaryRange]) -> dict[str, SalaryRange]:
        unknown = sorted(set(value) - set(roles()))
        if unknown:
            raise ValueError(f"Unknown role {unknown[0]!r}: use {', '.join(roles())}.")
        return value

    @field_validator("provider_discounts")
    @classmethod
    def _discounts(cls, value: dict[str, float]) -> dict[str, float]:
        known = known_providers()
        for provider, share in value.items():
            if provider not in known:
                raise ValueError(
                    f"Unknown provider {provider!r}: use e.g. openai, anthropic, google."
                )
            if not 0 <= share < 100:
                raise ValueError(f"The discount for {provider} must be from 0% to 99%.")
        return value

    @field_validator("model_prices")
    @classmethod
    def _model_ids(cls, value: dict[str, ModelPrice]) -> dict[str, ModelPrice]:
        for model in value:
            if not 0 < len(model) <= 100 or model != model.strip().lower():
                raise ValueError(
                    f"Model names are lower case without spaces, e.g. gpt-4o (got {model!r})."
                )
        return value

    def is_default(self) -> bool:
        return self == PriceOverrides(origin=self.origin)

    # --- how the estimator will read these (applied by the lead after the cost modules merge) ---

    def salary_range(self, role: str) -> tuple[Range, str]:
        """The base salary range for `role` and where it came from.

        The team cost line will read its salaries here instead of `facts.figure("salary.<role>")`
        and multiply by `loaded_factor` when set (else the bundled loaded factor), its basis saying
        e.g. "ML engineer $76,000-114,000 (UK, regions.toml)" or "(workspace settings)".
        """
        own = self.salaries.get(role)
        if own is not None:
            return Range(own.low, own.high, "USD/year", self.origin, ""), self.origin
        figure = region_salary(self.salary_region, role)
        where = BUNDLED if self.salary_region is SalaryRegion.us else self.salary_region.value
        return figure, where

    def token_prices_for(self, bundled: TokenPrices) -> tuple[TokenPrices, str]:
        """The model's $/Mtok after the workspace's own price or its provider's discount.

        The inference line will pass `estimator.token_prices.token_prices(model)` through here; an
        explicit model price wins over a provider discount, and the basis names which applied
        ("gpt-4o $2.125/$10 per Mtok: openai list less 15% (workspace settings)").
        """
        own = self.model_prices.get(bundled.model)
        if own is not None:
            cached = own.input if own.cached_input is None else own.cached_input
            prices = TokenPrices(bundled.model, bundled.provider, own.input, cached, own.output)
            return prices, self.origin
        discount = self.provider_discounts.get(bundled.provider)
        if not discount:
            return bundled, BUNDLED
        keep = 1 - discount / 100
        prices = TokenPrices(
            bundled.model,
            bundled.provider,
            bundled.input * keep,
            bundled.cached_input * keep,
            bundled.output * keep,
        )
        return prices, f"{bundled.provider} list less {discount:g}% ({self.origin})"

    def gpu_hourly(self, gpu: GPU) -> tuple[float, float, str] | None:
        """(on-demand, reserved, origin) USD an hour for `gpu`, or None for the bundled range.

        The self-hosted inference line will cost GPU hours at `on_demand` (a point, low = high)
        and quote `reserved` in its reserved-capacity saving instead of costs.toml's
        gpu.reserved_saving share when it is set.
        """
        own = self.gpu_prices.get(gpu)
        if own is None:
            return None
        reserved = own.on_demand if own.reserved is None else own.reserved
        return own.on_demand, reserved, self.origin

    def figure_for(self, name: str, bundled: Range) -> tuple[Range, str]:
        """A costs.toml figure with this price file's fields over it, and where it came from.

        `estimator.facts.figure` will route through here for entries a price file overrides;
        app-tier cloud prices (compute.*, network.*, storage.*, monitoring.host_monthly) are then
        multiplied by `cloud_multiplier`, their basis saying "x1.1 cloud multiplier".
        """
        own = self.entries.get(name)
        if not own:
            return bundled, BUNDLED
        return (
            Range(
                low=float(own.get("low", bundled.low)),
                high=float(own.get("high", bundled.high)),
                unit=bundled.unit,
                source=self.origin,
                checked=bundled.checked,
            ),
            self.origin,
        )


@cache
def known_providers() -> frozenset[str]:
    """Provider ids in genai-prices' bundled snapshot (openai, anthropic, google, ...)."""
    from genai_prices.data_snapshot import get_snapshot

    return frozenset(p.id for p in get_snapshot().providers)


# --- one-line messages ----------------------------------------------------------------------------

# What to type, per field, when the value is not even the right kind of thing.
_EXAMPLES = {
    "currency": "a currency: USD, EUR, GBP, JPY, INR, CAD or AUD",
    "per_usd": "a rate, like 0.92",
    "set_on": "a date, like 2026-11-29",
    "code": "a currency: USD, EUR, GBP, JPY, INR, CAD or AUD",
    "salary_region": "a region: US, EU-West, UK, India or LatAm",
    "loaded_factor": "a factor from 1 to 3, like 1.3",
    "cloud_multiplier": "a multiplier from 0.1 to 10, like 1.1",
}


def messages(exc: ValidationError) -> dict[str, str]:
    """{top-level field: one sentence for a person} from a validation error; first error wins."""
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else "settings"
        if field in found:
            continue
        found[field] = _sentence(error, loc)
    return found


def _sentence(error: Any, loc: list[str]) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return f"Unknown setting {'.'.join(loc)!r}."
    if kind == "missing":
        return f"{_label(loc)} is required."
    if loc and loc[0] == "gpu_prices":
        return f"Enter a GPU: {gpus_offered()}."
    bounds = _field_bounds(PriceOverrides, loc)
    if bounds is not None and kind in _OUT_OF_RANGE:
        low, high = bounds
        whole = "a whole number " if _is_whole(loc) else ""
        return f"{_label(loc)} must be {whole}between {_number(low)} and {_number(high)}."
    example = _EXAMPLES.get(loc[-1] if loc else "") or _EXAMPLES.get(loc[0] if loc else "")
    if example:
        return f"Enter {example}."
    if bounds is not None:
        low, high = bounds
        return f"{_label(loc)} must be a number between {_number(low)} and {_number(high)}."
    return f"{_label(loc)}: {str(error['msg']).lower()}."


_OUT_OF_RANGE = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


def _field_info(model: type[BaseModel], loc: list[str]) -> Any:
    """The pydantic FieldInfo at `loc` (through nested settings models), or None."""
    field = model.model_fields.get(loc[0]) if loc else None
    if field is None:
        return None
    if len(loc) == 1:
        return field
    inner = field.annotation
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return _field_info(inner, loc[1:])
    return None


def _field_bounds(model: type[BaseModel], loc: list[str]) -> tuple[float, float] | None:
    field = _field_info(model, loc)
    if field is None:
        return None
    low = high = None
    for meta in field.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return None if low is None or high is None else (float(low), float(high))


def _is_whole(loc: list[str]) -> bool:
    field = _field_info(PriceOverrides, loc)
    return field is not None and field.annotation in (int, int | None)


def _label(loc: list[str]) -> str:
    """The innermost named field, as words: 'input tokens' for stage_defaults.input_tokens."""
    words = [part for part in loc if part != "[key]" and not part.isdigit()]
    text = (words[-1] if words else "this setting").replace("_", " ")
    return text[:1].upper() + text[1:]


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) and value >= 10 else f"{value:g}"
