"""LLM token prices from genai-prices' bundled data (offline; never auto-updated here).

A request is priced as one request: several models charge a higher rate for the whole request
once its input passes a threshold (e.g. 200K or 272K tokens), so pricing a month of tokens in one
call would cross those tiers. `request_price` asks genai-prices for one request's usage; a cost
line multiplies it by the calls.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache, lru_cache

from genai_prices import Usage, calc_price
from genai_prices.types import PriceCalculation

_MTOK = 1_000_000
# Rates shown per Mtok are read from a request this small, below every tier threshold.
_PROBE_TOKENS = 1_000


class PricingError(ValueError):
    """The model is not one genai-prices knows; the message names close matches."""


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


def _calc(usage: Usage, ref: str) -> PriceCalculation:
    provider, model = _split(ref)
    try:
        return calc_price(usage, model_ref=model, provider_id=provider)
    except LookupError:
        # genai-prices finds a model's provider by patterns that miss some ids its own data
        # lists ("llama3.1-8b" is Cerebras'): price it at the provider that lists it.
        host = _listed_by(model) if provider is None else None
        if host is None:
            raise
        return calc_price(usage, model_ref=model, provider_id=host)


@cache
def _listed_by(model: str) -> str | None:
    """The first provider in genai-prices' snapshot whose models include exactly `model`."""
    from genai_prices.data_snapshot import get_snapshot

    for p in get_snapshot().providers:
        if any(m.id == model for m in p.models):
            return p.id
    return None


@cache
def token_prices(model: str) -> TokenPrices:
    """Per-Mtok base prices for `model`, or PricingError with suggestions."""
    ref = model.strip().lower()
    try:
        fresh = _calc(Usage(input_tokens=_PROBE_TOKENS), ref)
        cached = _calc(Usage(input_tokens=_PROBE_TOKENS, cache_read_tokens=_PROBE_TOKENS), ref)
        output = _calc(Usage(output_tokens=_PROBE_TOKENS), ref)
    except (LookupError, ValueError, TypeError):
        raise PricingError(_unknown_model_message(model)) from None
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
    model: str, input_tokens: int, cached_tokens: int, output_tokens: int
) -> float:
    """USD genai-prices charges for ONE request: `input_tokens` of which `cached_tokens` are read
    from the prompt cache, and `output_tokens`. Cached by the whole tuple: an estimate and its
    what-ifs ask for the same few requests many times."""
    usage = Usage(
        input_tokens=input_tokens, cache_read_tokens=cached_tokens, output_tokens=output_tokens
    )
    return float(_calc(usage, model.strip().lower()).total_price)


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
