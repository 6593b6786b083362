"""LLM inference: tokens priced through genai-prices; self-hosted GPU fleets in self_hosting."""

from __future__ import annotations

from estimator import facts
from estimator.costs import self_hosting
from estimator.lines import Cadence, Category, LineItem
from estimator.money import count, percent
from estimator.pricing import token_prices
from estimator.scenario import Hosting, Scenario
from estimator.traffic import Traffic, requests_basis

_OVERHEAD = facts.figure("traffic.llm_overhead")


def token_cost(
    s: Scenario, t: Traffic, model: str | None = None, prompt_cache_share: float | None = None
) -> tuple[float, float]:
    """Monthly USD (low, high) of the LLM calls in `t`, by default on the scenario's model and
    prompt-cache share."""
    prices = token_prices(model or s.model)
    calls = t.llm_requests_per_month
    share = s.prompt_cache_share if prompt_cache_share is None else prompt_cache_share
    base = prices.cost(calls * s.input_tokens, calls * s.output_tokens, share)
    return base * _OVERHEAD.low, base * _OVERHEAD.high


def gpu_cost(s: Scenario, t: Traffic) -> tuple[float, float]:
    """Monthly USD (low, high) of the self-hosted GPU fleet for the calls in `t`."""
    return self_hosting.gpu_cost(s, t)


def monthly_cost(s: Scenario, t: Traffic) -> tuple[float, float]:
    """Monthly USD (low, high) of inference as hosted: tokens on an API, or GPUs."""
    return gpu_cost(s, t) if s.hosting is Hosting.self_hosted else token_cost(s, t)


def lines(s: Scenario, t: Traffic) -> list[LineItem]:
    def usage() -> str:
        return (
            f"{requests_basis(s, t)}, {percent(s.cache_hit_rate)} from response cache → "
            f"{count(round(t.llm_requests_per_month))} LLM calls x {count(s.input_tokens)} in "
            f"({percent(s.prompt_cache_share)} cached) / {count(s.output_tokens)} out tok"
        )

    if s.hosting is Hosting.self_hosted:
        return self_hosting.lines(s, t)
    prices = token_prices(s.model)
    low, high = token_cost(s, t)
    return [
        LineItem(
            Category.llm_inference,
            f"LLM tokens ({s.model})",
            Cadence.monthly,
            low,
            high,
            lambda: (
                f"{usage()} @ {s.model} {prices.per_mtok()} (in/cached/out), "
                f"x {_OVERHEAD.low:g}-{_OVERHEAD.high:g} for retries and evals"
            ),
            varies_with_users=True,
        )
    ]
