"""Provider prompt caching: the shortest prefix a provider caches, and the cached input tokens of
one request under it. A cached prefix shorter than the minimum is not cached, whatever share the
scenario assumes: the minimum applies to the prefix itself, not to the whole prompt."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from estimator import facts
from estimator.money import count, percent
from estimator.token_prices import token_prices, writes_charged


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
    # The provider bills writing the prefix to its cache above normal input (Anthropic).
    writes_charged: bool = False

    @property
    def prefix_tokens(self) -> int:
        """The prefix the assumed share would cache."""
        return round(self.input_tokens * self.share)

    @property
    def below_minimum(self) -> bool:
        return self.share > 0 and self.minimum is not None and self.prefix_tokens < self.minimum

    def basis(self, model: str) -> str:
        if self.below_minimum:
            return (
                f"0 cached: the {count(self.prefix_tokens)}-token prefix ({percent(self.share)} "
                f"of {count(self.input_tokens)}) is below {model}'s "
                f"{count(self.minimum or 0)}-token caching minimum, so it is not cached"
            )
        return f"{percent(self.share)} cached"


@cache
def prompt_cache(model: str, input_tokens: int, share: float) -> PromptCache:
    """Cached tokens of one request: `share` of the input, or 0 when that prefix is shorter than
    the provider's minimum."""
    minimum = minimum_prefix(model)
    cached = round(input_tokens * share)
    if minimum is not None and cached < minimum:
        cached = 0
    return PromptCache(cached, share, minimum, input_tokens, cached > 0 and writes_charged(model))
