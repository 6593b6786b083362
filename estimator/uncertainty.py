"""How unsure the LLM line is about the usage a user did not give.

Each usage assumption (share of users active daily, requests per active user, input and output
tokens per request) has a published range in the data file (`[usage_range]`), read as the p10-p90
of an independent log-normal factor on the line. Independent normal logs add in quadrature, so
the line's p10-p90 band is the root-sum-square of the factors' log half-widths (taken on each
side, since the defaults are not the ranges' geometric middles). A figure the user gave carries no
uncertainty and drops out. docs/methodology.md ("Uncertainty and sensitivity") has the formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from estimator.price_book import PriceBook
from estimator.reasoning import of as reasoning_of
from estimator.scenario import Scenario

USAGE_FIELDS = (
    "daily_active_share",
    "requests_per_active_user_per_day",
    "input_tokens",
    "output_tokens",
)
USAGE_LABELS = {
    "daily_active_share": "share of users active daily",
    "requests_per_active_user_per_day": "requests per active user per day",
    "input_tokens": "input tokens per request",
    "output_tokens": "output tokens per request",
    "reasoning_tokens": "reasoning tokens per request",
}
_SHORT = {
    "daily_active_share": "daily share",
    "requests_per_active_user_per_day": "requests",
    "input_tokens": "tokens in",
    "output_tokens": "tokens out",
    "reasoning_tokens": "reasoning",
}
_WHOLE = {"input_tokens", "output_tokens", "reasoning_tokens"}


def unsure_fields(s: Scenario) -> tuple[str, ...]:
    """The usage assumptions the user did not give, in a fixed order; reasoning tokens last,
    when the model reasons and the team gave no figure (an effort's figure is assumed)."""
    mask = given_mask(s.given)
    return not_given(mask, not mask & REASONING_GIVEN and reasoning_of(s).unsure)


def given_mask(given: frozenset[str]) -> int:
    """Which of the usage figures and the reasoning tokens a scenario gave, a bit each: all an
    uncertainty band reads of `given`, so a cache keyed by it is shared by every scenario that
    gave the same figures (whatever else each gave) and its key holds no set."""
    return (
        ("daily_active_share" in given)
        | ("requests_per_active_user_per_day" in given) << 1
        | ("input_tokens" in given) << 2
        | ("output_tokens" in given) << 3
        | ("reasoning_tokens" in given) << 4
    )


REASONING_GIVEN = 16  # given_mask's bit for the reasoning tokens


def not_given(mask: int, reasoning_unsure: bool) -> tuple[str, ...]:
    """`unsure_fields` of a scenario that gave the figures of `mask` (`given_mask`); reasoning
    tokens last when `reasoning_unsure` (its model reasons, no figure given). One tuple for
    each, shared by every band and request quote made with it rather than built for each."""
    return _NOT_GIVEN[(mask & 15) | (REASONING_GIVEN if reasoning_unsure else 0)]


def _not_given(index: int) -> tuple[str, ...]:
    unsure = tuple(name for bit, name in enumerate(USAGE_FIELDS) if not index & 1 << bit)
    return (*unsure, "reasoning_tokens") if index & REASONING_GIVEN else unsure


_NOT_GIVEN = tuple(_not_given(index) for index in range(32))
# The bits as given_mask sets them, in USAGE_FIELDS' order.
assert given_mask(frozenset({"reasoning_tokens"})) == REASONING_GIVEN == 1 << len(USAGE_FIELDS)
assert all(given_mask(frozenset({n})) == 1 << bit for bit, n in enumerate(USAGE_FIELDS))


def assumption_span(s: Scenario, name: str, prices: PriceBook) -> tuple[float, float, float]:
    """(the scenario's value, low, high) of an unsure assumption: reasoning tokens take their
    effort's range (`[reasoning.per_request]`), the others their published one."""
    if name == "reasoning_tokens":
        r = reasoning_of(s)
        return float(r.tokens), float(r.low), float(r.high)
    value = getattr(s, name)
    return (value, *span(name, value, prices))


def span(name: str, value: float, prices: PriceBook) -> tuple[float, float]:
    """The published [low, high] of an assumption, widened to hold the scenario's own `value`."""
    r = getattr(prices.figures.usage_range, name)  # usage_range.<name>
    low, high = min(r.low, value), max(r.high, value)
    if name in _WHOLE:
        return float(round(low)), float(round(high))
    return low, high


@dataclass(frozen=True, slots=True)
class Band:
    """Multipliers on the line's central figure for its p10 (down) and p90 (up), and the
    assumptions that went into them."""

    down: float
    up: float
    fields: tuple[str, ...]

    def words(self) -> str:
        if not self.fields:
            return "usage all given by you, so no usage range"
        named = ", ".join(_SHORT[f] for f in self.fields)
        return f"x {self.down:.2f}-{self.up:.2f} p10-p90 for usage you did not give ({named})"


def band(
    fields: tuple[str, ...],
    values: dict[str, float],
    cost_at: Callable[[str, float], float],
    prices: PriceBook,
    ranges: dict[str, tuple[float, float]] | None = None,
) -> Band:
    """The p10-p90 band of a cost over the unsure `fields` (central `values`): `cost_at(name,
    value)` prices the same calls with that one assumption at `value`. `ranges`: a field's own
    [low, high] where it has no published range (reasoning tokens: their effort's)."""
    down_sq = up_sq = 0.0
    for name in fields:
        central = cost_at(name, values[name])
        if central <= 0:
            continue
        if ranges and name in ranges:
            low, high = ranges[name]
        else:
            low, high = span(name, values[name], prices)
        down_sq += math.log(central / max(cost_at(name, low), 1e-12)) ** 2
        up_sq += math.log(max(cost_at(name, high), 1e-12) / central) ** 2
    return Band(math.exp(-math.sqrt(down_sq)), math.exp(math.sqrt(up_sq)), fields)
