"""LLM token prices from genai-prices' bundled data (offline; never auto-updated here)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from genai_prices import Usage, calc_price

_MTOK = 1_000_000


class PricingError(ValueError):
    """The model is not one genai-prices knows; the message names close matches."""


@dataclass(frozen=True, slots=True)
class TokenPrices:
    """USD per million tokens for one model."""

    model: str
    provider: str
    input: float
    cached_input: float
    output: float

    def cost(self, input_tokens: float, output_tokens: float, cached_share: float) -> float:
        """USD for this many tokens, with `cached_share` of the input read from the prompt cache."""
        fresh = input_tokens * (1 - cached_share) * self.input
        cached = input_tokens * cached_share * self.cached_input
        return (fresh + cached + output_tokens * self.output) / _MTOK

    def per_mtok(self) -> str:
        """$0.15/$0.075/$0.60 per Mtok (input / cached input / output)."""
        return f"${self.input:g}/${self.cached_input:g}/${self.output:g} per Mtok"


@cache
def token_prices(model: str) -> TokenPrices:
    """Per-Mtok prices for `model`, or PricingError with suggestions."""
    ref = model.strip().lower()
    try:
        fresh = calc_price(Usage(input_tokens=_MTOK), model_ref=ref)
        cached = calc_price(Usage(input_tokens=_MTOK, cache_read_tokens=_MTOK), model_ref=ref)
        output = calc_price(Usage(output_tokens=_MTOK), model_ref=ref)
    except (LookupError, ValueError, TypeError):
        raise PricingError(_unknown_model_message(model)) from None
    return TokenPrices(
        model=ref,
        provider=fresh.provider.id,
        input=float(fresh.total_price),
        cached_input=float(cached.total_price),
        output=float(output.total_price),
    )


@cache
def known_models() -> tuple[str, ...]:
    """Every model id in genai-prices' bundled snapshot."""
    from genai_prices.data_snapshot import get_snapshot

    # Fine-tune prefixes ("ft:gpt-4o") are not models a team would pick.
    ids = {m.id for p in get_snapshot().providers for m in p.models if ":" not in m.id}
    return tuple(sorted(ids))


def close_matches(model: str, limit: int = 3) -> list[str]:
    return difflib.get_close_matches(model.strip().lower(), known_models(), n=limit, cutoff=0.6)


def _unknown_model_message(model: str) -> str:
    shown = model.strip()[:40] or "(empty)"
    matches = close_matches(model)
    if matches:
        return f"Unknown model '{shown}'. Did you mean {', '.join(matches)}?"
    return f"Unknown model '{shown}'. Try gpt-4o-mini, claude-haiku-4-5 or gemini-2.5-flash."
