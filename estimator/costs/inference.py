"""LLM inference: tokens priced through genai-prices; self-hosted GPU fleets in self_hosting."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from estimator.costs import self_hosting
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, figure_span, percent, usd
from estimator.price_book import PriceBook
from estimator.prompt_cache import PromptCache, prompt_cache
from estimator.scenario import Hosting, Scenario
from estimator.token_prices import TokenPrices
from estimator.traffic import Traffic, requests_basis
from estimator.uncertainty import USAGE_FIELDS, Band, band

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LLM_INFERENCE, _MONTHLY = Category.llm_inference, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = ("traffic.llm_overhead",)


@dataclass(frozen=True, slots=True)
class RequestQuote:
    """One request priced by genai-prices, and the p10-p90 band of the usage around it."""

    price: float  # USD for one request
    cache: PromptCache
    band: Band


@lru_cache(maxsize=4096)
def _quote(
    model: str,
    share: float,
    input_tokens: int,
    output_tokens: int,
    daily: float,
    requests: float,
    given: frozenset[str],
    prices: PriceBook,  # its discounts or own model prices change the price
) -> RequestQuote:
    unsure = tuple(name for name in USAGE_FIELDS if name not in given)

    def price(input_tokens: int, output_tokens: int) -> float:
        cached = prompt_cache(model, input_tokens, share).cached_tokens
        return prices.request_price(model, input_tokens, cached, output_tokens)

    central = price(input_tokens, output_tokens)
    scale = {"daily_active_share": daily, "requests_per_active_user_per_day": requests}

    def cost_at(name: str, value: float) -> float:
        # Per call of the central scenario: calls scale with daily share and requests.
        if name in scale:
            return central * value / scale[name]
        if name == "input_tokens":
            return price(int(value), output_tokens)
        return price(input_tokens, int(value))

    values = {**scale, "input_tokens": input_tokens, "output_tokens": output_tokens}
    return RequestQuote(
        central,
        prompt_cache(model, input_tokens, share),
        band(unsure, values, cost_at, prices),
    )


def quote(
    s: Scenario, prices: PriceBook, model: str | None = None, share: float | None = None
) -> RequestQuote:
    """The scenario's request on `model` (default its own) with `share` of input prompt-cached."""
    return _quote(
        model or s.model,
        s.prompt_cache_share if share is None else share,
        s.input_tokens,
        s.output_tokens,
        s.daily_active_share,
        s.requests_per_active_user_per_day,
        s.given,
        prices,
    )


def token_cost(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    model: str | None = None,
    prompt_cache_share: float | None = None,
) -> tuple[float, float]:
    """Monthly USD (low, high) of the LLM calls in `t`: calls x one request's price, within the
    p10-p90 band of the usage the user did not give, x the retry/eval overhead."""
    return _cost(quote(s, prices, model, prompt_cache_share), t, prices)


def _cost(q: RequestQuote, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    overhead = prices.figure("traffic.llm_overhead")
    central = t.llm_requests_per_month * q.price
    return central * q.band.down * overhead.low, central * q.band.up * overhead.high


def gpu_cost(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    """Monthly USD (low, high) of the self-hosted GPU fleet for the calls in `t`."""
    return self_hosting.gpu_cost(s, t, prices)


def monthly_cost(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    """Monthly USD (low, high) of inference as hosted: tokens on an API, or GPUs."""
    if s.hosting is Hosting.self_hosted:
        return gpu_cost(s, t, prices)
    return token_cost(s, t, prices)


def _tier_note(s: Scenario, q: RequestQuote, prices: TokenPrices) -> str:
    """Said when the request costs more than its base-tier rates: a long-context tier applies."""
    cached = q.cache.cached_tokens
    base = (
        (s.input_tokens - cached) * prices.input
        + cached * prices.cached_input
        + s.output_tokens * prices.output
    ) / 1_000_000
    if q.price > base * 1.0001:
        return (
            f"; this request's input passes {s.model}'s long-context threshold, so its higher "
            "tier applies to the whole request"
        )
    return ""


def lines(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> list[LineItem]:
    """`gpus`: the self-hosted GPU fleet for `t` when the caller sized it already."""
    if s.hosting is Hosting.self_hosted:
        return self_hosting.lines(s, t, prices, gpus)
    q = quote(s, prices)
    calls = t.llm_requests_per_month
    low, high = _cost(q, t, prices)  # token_cost, with the request quoted once
    overhead = prices.figure("traffic.llm_overhead")

    def api_basis() -> str:
        # Looked up here, like every figure a basis words: most lines made are never shown.
        rates, where = prices.token_prices(s.model)
        return (
            f"{requests_basis(s, t)}, {percent(s.cache_hit_rate)} from response cache → "
            f"{count(round(calls))} LLM calls x ${q.price:.6g} per request ("
            f"{count(s.input_tokens)} in, {q.cache.basis(s.model)}; {count(s.output_tokens)} out;"
            f" {where} {rates.per_mtok()} in/cached/out{_tier_note(s, q, rates)}) = "
            f"{usd(calls * q.price)}/month; "
            f"{q.band.words()}; x {figure_span(overhead.low, overhead.high)} for retries and evals"
        )

    return [
        LineItem(
            _LLM_INFERENCE,
            f"LLM tokens ({s.model})",
            _MONTHLY,
            low,
            high,
            api_basis,
            VARIES_WITH_USERS,
        )
    ]
