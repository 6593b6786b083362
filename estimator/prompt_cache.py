"""Provider prompt caching: the shortest prefix a provider caches, and the cached input tokens of
one request under it. Below the minimum nothing is cached, whatever share the scenario assumes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from estimator import facts
from estimator.money import count, percent
from estimator.token_prices import token_prices


@cache
def minimum_prefix(model: str) -> int | None:
    """Fewest input tokens `model`'s provider caches, or None when none is on file."""
    model_id = model.rsplit("/", 1)[-1] if model.count("/") == 1 else model
    best: tuple[int, int] | None = None
    for rule in facts.bundled_entry("prompt_cache_minimum")["models"]:
        for prefix in rule["prefixes"]:
            if model_id.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), int(rule["tokens"]))
    if best:
        return best[1]
    provider = token_prices(model).provider
    value = facts.bundled_entry("prompt_cache_minimum.providers").get(provider)
    return int(value) if isinstance(value, int) else None


@dataclass(frozen=True, slots=True)
class PromptCache:
    """How much of one request's input is read from the provider's prompt cache."""

    cached_tokens: int
    share: float  # as assumed by the scenario (or a lever)
    minimum: int | None
    input_tokens: int

    @property
    def below_minimum(self) -> bool:
        return self.share > 0 and self.minimum is not None and self.input_tokens < self.minimum

    def basis(self, model: str) -> str:
        if self.below_minimum:
            return (
                f"0 cached: below {model}'s {count(self.minimum or 0)}-token caching minimum, "
                f"so the assumed {percent(self.share)} does not apply"
            )
        return f"{percent(self.share)} cached"


@cache
def prompt_cache(model: str, input_tokens: int, share: float) -> PromptCache:
    """Cached tokens of one request: `share` of the input, or 0 under the provider's minimum."""
    minimum = minimum_prefix(model)
    cached = round(input_tokens * share)
    if minimum is not None and input_tokens < minimum:
        cached = 0
    return PromptCache(cached, share, minimum, input_tokens)
