"""LLM token prices from genai-prices' bundled data (offline; never auto-updated here).

A request is priced as one request: several models charge a higher rate for the whole request
once its input passes a threshold (e.g. 200K or 272K tokens), so pricing a month of tokens in one
call would cross those tiers. `request_price` asks genai-prices for one request's usage; a cost
line multiplies it by the calls.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from genai_prices import Usage, calc_price
from genai_prices.types import PriceCalculation, StartDateConstraint

try:  # genai-prices' own parts of calc_price (0.2.x), for `_rates`; without them, calc_price
    from genai_prices.decompose import compute_leaf_values
    from genai_prices.types import _collect_resolved_model_prices, calc_unit_price
    from genai_prices.units import _get_registry
    from genai_prices.validation import validate_priced_units
except ImportError:  # pragma: no cover - another genai-prices: every request by calc_price
    _get_registry = None

_MTOK = 1_000_000
# Rates shown per Mtok are read from a request this small, below every tier threshold.
_PROBE_TOKENS = 1_000


# Validation context of a scenario read back from storage: its model was priced when it was
# written, and is looked up again where prices are read (the bot's estimate worker), not there.
READ_BACK = {"read_back": True}


class PricingError(ValueError):
    """The model is not one genai-prices knows; the message names close matches, found when the
    message is read: a name tried and refused while reading a request (a spelling of a model, a
    family) is only caught, and finding close matches reads every known id."""

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.model = model
        self._message: str | None = None

    def __str__(self) -> str:
        if self._message is None:
            self._message = _unknown_model_message(self.model)
        return self._message


@dataclass(frozen=True, slots=True)
class TokenPrices:
    """USD per million tokens for one model, at its base (shortest-context) tier."""

    model: str
    provider: str
    input: float
    cached_input: float
    output: float
    # Most input tokens one request may carry, where genai-prices knows it.
    context_window: int | None = None

    def per_mtok(self) -> str:
        """$0.15/$0.075/$0.60 per Mtok (input / cached input / output)."""
        return f"${self.input:g}/${self.cached_input:g}/${self.output:g} per Mtok"


@cache
def provider_ids() -> frozenset[str]:
    """Every provider id in genai-prices' snapshot ('openai', 'groq', ...)."""
    from genai_prices.data_snapshot import get_snapshot

    return frozenset(p.id for p in get_snapshot().providers)


@cache
def _split(ref: str) -> tuple[str | None, str]:
    """'groq/llama-3.3-70b-versatile' -> ('groq', 'llama-3.3-70b-versatile'): a leading provider
    id names the host whose price applies. Other ids ('meta-llama/...') stay whole."""
    provider, _, model = ref.partition("/")
    if model and provider in provider_ids():
        return provider, model
    return None, ref


def today() -> dt.date:
    """Today in UTC: the day prices are read as of unless a date is given."""
    return dt.datetime.now(dt.UTC).date()


def _moment(day: dt.date) -> dt.datetime:
    # Noon UTC: a price that varies by time of day (DeepSeek's off-peak discount) is read at its
    # standard rate, and the same day always gives the same price.
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _calc(usage: Usage, ref: str, day: dt.date) -> PriceCalculation:
    provider, model = _split(ref)
    when = _moment(day)
    try:
        return calc_price(
            usage, model_ref=model, provider_id=provider, genai_request_timestamp=when
        )
    except LookupError:
        # genai-prices finds a model's provider by patterns that miss some ids its own data
        # lists ("llama3.1-8b" is Cerebras'): price it at the provider that lists it.
        host = _listed_by(model) if provider is None else None
        if host is None:
            raise
        return calc_price(usage, model_ref=model, provider_id=host, genai_request_timestamp=when)


def _listed_by(model: str) -> str | None:
    """The first provider in genai-prices' snapshot whose models include exactly `model`."""
    return _listings().get(model)


@cache
def _listings() -> dict[str, str]:
    """Each model id in genai-prices' snapshot -> the first provider listing it: read once, where
    a name tried while reading a request (most are no id) would otherwise scan every model."""
    from genai_prices.data_snapshot import get_snapshot

    found: dict[str, str] = {}
    for p in get_snapshot().providers:
        for m in p.models:
            found.setdefault(m.id, p.id)
    return found


@cache
def token_prices(model: str, day: dt.date | None = None) -> TokenPrices:
    """Per-Mtok base prices for `model` in force on `day` (default today), or PricingError with
    suggestions."""
    ref = model.strip().lower()
    day = day or today()
    try:
        key = (ref, _changes_in_force(ref, day))
    except (LookupError, ValueError, TypeError):
        raise PricingError(model) from None
    # Read once for all the days on which the same of genai-prices' dated prices is in force.
    found = SHOWN.get(key)
    if found is None:
        found = SHOWN[key] = _token_prices_on(model, ref, day)
    return found


def _token_prices_on(model: str, ref: str, day: dt.date) -> TokenPrices:
    try:
        fresh = _calc(Usage(input_tokens=_PROBE_TOKENS), ref, day)
        cached = _calc(Usage(input_tokens=_PROBE_TOKENS, cache_read_tokens=_PROBE_TOKENS), ref, day)
        output = _calc(Usage(output_tokens=_PROBE_TOKENS), ref, day)
    except (LookupError, ValueError, TypeError):
        raise PricingError(model) from None
    scale = _MTOK // _PROBE_TOKENS  # exact in Decimal, so $0.15 stays 0.15
    return TokenPrices(
        model=ref,
        provider=fresh.provider.id,
        input=float(fresh.total_price * scale),
        cached_input=float(cached.total_price * scale),
        output=float(output.total_price * scale),
        context_window=fresh.model.context_window,
    )


@lru_cache(maxsize=65_536)
def list_request_price(
    model: str,
    input_tokens: int,
    cached_tokens: int,
    output_tokens: int,
    day: dt.date,
    written_tokens: int = 0,
) -> float:
    """USD genai-prices charges for ONE request on `day`: `input_tokens` of which `cached_tokens`
    are read from the prompt cache and `written_tokens` written to it, and `output_tokens`.
    Cached by the whole tuple: an estimate and its what-ifs ask for the same few requests many
    times."""
    ref = model.strip().lower()
    rates = _rates(ref, day)
    if rates is not None:
        total = rates.total((input_tokens, cached_tokens, written_tokens, output_tokens))
        if total is not None:
            return float(total)
    usage = Usage(
        input_tokens=input_tokens,
        cache_read_tokens=cached_tokens,
        cache_write_tokens=written_tokens,
        output_tokens=output_tokens,
    )
    return float(_calc(usage, ref, day).total_price)


# The four token counts a request is priced by, in the order `_Rates` reads them.
_FIELDS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")


@dataclass(frozen=True, slots=True)
class _Rates:
    """One model's price on one day, as genai-prices computes a request's total: for each priced
    unit (in genai-prices' order) its price and how many of the request's tokens it bills, a
    whole-number combination of the four counts (uncached input = input - cache reads - cache
    writes, ...). The total is genai-prices' own sum (calc_unit_price, in Decimal): the same
    figure, without working out for every request which tokens each unit bills."""

    units: tuple[tuple[object, object, tuple[int, int, int, int], int], ...]

    def total(self, counts: tuple[int, int, int, int]) -> Decimal | None:
        """The request's price; None where a unit would bill fewer than no tokens (genai-prices
        refuses such a request: it goes through calc_price to say so)."""
        input_tokens, cached, written, output = counts
        total = Decimal(0)
        for price, per, weights, constant in self.units:
            if weights is None:
                billed = constant
            else:
                a, b, c, d = weights
                billed = a * input_tokens + b * cached + c * written + d * output
                if billed < 0:
                    return None
            total += calc_unit_price(price, billed, input_tokens, per)
        return total


def _billed(weights: tuple[int, int, int, int], counts: tuple[int, int, int, int]) -> int:
    return sum(w * n for w, n in zip(weights, counts, strict=True))


@lru_cache(maxsize=1024)
def _rates(ref: str, day: dt.date) -> _Rates | None:
    """`ref`'s units and prices on `day`, each unit's billed tokens read off genai-prices'
    decomposition at a few requests and checked at another; None where a request is priced any
    other way (then every request goes through calc_price). Read off once for all the days on
    which the same of genai-prices' dated prices is in force (the first year's and year two's
    days, most models having one price for both)."""
    try:
        key = (ref, _changes_in_force(ref, day))
    except (LookupError, ValueError, TypeError):
        return None
    found = READ_OFF.get(key, _UNREAD)
    if found is _UNREAD:
        found = READ_OFF[key] = _read_off(ref, day)
    return found


# Rates read off (`_rates`) and per-Mtok prices (`token_prices`) by model and how many of its
# dated price changes are in force; emptied with the other caches when the snapshot is refreshed
# (token_snapshot.py).
READ_OFF: dict[tuple[str, int], _Rates | None] = {}
SHOWN: dict[tuple[str, int], TokenPrices] = {}
_UNREAD = object()


def _changes_in_force(ref: str, day: dt.date) -> int:
    """How many of genai-prices' dated changes of `ref`'s price have taken effect by `day`. Days
    with the same count are priced alike: genai-prices picks a model's price by its start dates
    alone (its other constraint, the time of day, is read at noon every day, see `_moment`)."""
    return sum(1 for change in price_changes(ref) if change <= day)


def _read_off(ref: str, day: dt.date) -> _Rates | None:
    try:
        probe = _calc(Usage(input_tokens=_PROBE_TOKENS), ref, day)
    except (LookupError, ValueError, TypeError):
        return None
    if probe.provider.id == "groq" and probe.model.id.startswith("whisper"):
        return None  # billed by audio seconds, with a minimum
    if _get_registry is None:
        return None
    registry = _get_registry()
    resolved = _collect_resolved_model_prices(probe.model_price, registry)
    try:
        validate_priced_units(tuple(unit for unit, _ in resolved), registry)
    except ValueError:
        return None
    keyed = {unit.usage_key: unit for unit, _ in resolved if unit.usage_key != "requests"}

    def leaves(counts: tuple[int, int, int, int]) -> dict[str, int]:
        usage = Usage(**dict(zip(_FIELDS, counts, strict=True)))
        return compute_leaf_values(set(keyed), usage, keyed) if keyed else {}

    base = (7_000_003, 1_000_003, 100_003, 2_000_003)
    at_base = leaves(base)
    weights: dict[str, list[int]] = {key: [0, 0, 0, 0] for key in keyed}
    for i in range(4):
        moved = leaves(tuple(n + (k == i) for k, n in enumerate(base)))
        for key in keyed:
            weights[key][i] = moved[key] - at_base[key]
    check = (12_345_677, 3_456_781, 234_567, 987_653)
    at_check = leaves(check)
    for key in keyed:
        if type(at_base[key]) is not int or _billed(tuple(weights[key]), base) != at_base[key]:
            return None
        if _billed(tuple(weights[key]), check) != at_check[key]:
            return None
    units = []
    for unit, price in resolved:
        if unit.usage_key == "requests":
            units.append((price, unit.per, None, 1))
        else:
            units.append((price, unit.per, tuple(weights[unit.usage_key]), 0))
    return _Rates(tuple(units))


@cache
def price_changes(model: str) -> tuple[dt.date, ...]:
    """The dates on which genai-prices' data changes `model`'s price, oldest first."""
    info = _calc(Usage(input_tokens=_PROBE_TOKENS), model.strip().lower(), today()).model
    prices = info.prices if isinstance(info.prices, list) else []
    return tuple(
        sorted(
            p.constraint.start_date for p in prices if isinstance(p.constraint, StartDateConstraint)
        )
    )


@cache
def writes_charged(model: str) -> bool:
    """Whether the provider bills writing to its prompt cache above normal input (Anthropic)."""
    ref = model.strip().lower()
    plain = _calc(Usage(input_tokens=_PROBE_TOKENS), ref, today()).total_price
    usage = Usage(input_tokens=_PROBE_TOKENS, cache_write_tokens=_PROBE_TOKENS)
    return _calc(usage, ref, today()).total_price > plain


@cache
def known_models() -> tuple[str, ...]:
    """Every model id in genai-prices' bundled snapshot."""
    from genai_prices.data_snapshot import get_snapshot

    # Fine-tune prefixes ("ft:gpt-4o") are not models a team would pick.
    ids = {m.id for p in get_snapshot().providers for m in p.models if ":" not in m.id}
    return tuple(sorted(ids))


def close_matches(model: str, limit: int = 3) -> list[str]:
    """Known ids close to `model`, never `model` itself (an id genai-prices lists but cannot
    price would otherwise be offered back as its own suggestion)."""
    typed = model.strip().lower()
    close = difflib.get_close_matches(typed, known_models(), n=limit + 1, cutoff=0.6)
    return [m for m in close if m != typed][:limit]


def _unknown_model_message(model: str) -> str:
    shown = model.strip()[:40] or "(empty)"
    matches = close_matches(model)
    if matches:
        return f"Unknown model '{shown}'. Did you mean {', '.join(matches)}?"
    return f"Unknown model '{shown}'. Try gpt-4o-mini, claude-haiku-4-5 or gemini-2.5-flash."
