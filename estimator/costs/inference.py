"""LLM inference: tokens priced through genai-prices, or a GPU fleet when self-hosted."""

from __future__ import annotations

import math

from estimator import facts
from estimator.lines import Cadence, Category, LineItem
from estimator.money import count, percent, quantity, usd_range
from estimator.pricing import token_prices
from estimator.scenario import GPU, Hosting, Scenario
from estimator.traffic import Traffic, requests_basis

_OVERHEAD = facts.figure("traffic.llm_overhead")
_PEAK = facts.figure("traffic.peak_to_average")
_SPARES = facts.figure("gpu.spares")
_SECONDS_PER_MONTH = facts.DAYS_PER_MONTH * 86_400


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


def gpus_needed(s: Scenario, t: Traffic, gpu: GPU) -> tuple[int, int]:
    """(low, high) GPUs for peak output tokens/s, plus spares."""
    table = facts.entry(f"gpu.{gpu.value}")
    peak_tokens_low = t.llm_requests_per_month / _SECONDS_PER_MONTH * _PEAK.low * s.output_tokens
    peak_tokens_high = t.llm_requests_per_month / _SECONDS_PER_MONTH * _PEAK.high * s.output_tokens
    spares = int(_SPARES.low)
    low = max(1, math.ceil(peak_tokens_low / table["tokens_per_second_high"])) + spares
    high = max(1, math.ceil(peak_tokens_high / table["tokens_per_second_low"])) + spares
    return low, high


def gpu_cost(s: Scenario, t: Traffic) -> tuple[float, float]:
    """Monthly USD (low, high) of the self-hosted GPU fleet for the calls in `t`."""
    table = facts.entry(f"gpu.{s.gpu.value}")
    low_gpus, high_gpus = gpus_needed(s, t, s.gpu)
    return (
        low_gpus * table["hourly_low"] * facts.HOURS_PER_MONTH,
        high_gpus * table["hourly_high"] * facts.HOURS_PER_MONTH,
    )


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
        table = facts.entry(f"gpu.{s.gpu.value}")
        low_gpus, high_gpus = gpus_needed(s, t, s.gpu)
        low, high = gpu_cost(s, t)
        return [
            LineItem(
                Category.llm_inference,
                f"Self-hosted GPUs ({s.gpu.value.upper()})",
                Cadence.monthly,
                low,
                high,
                lambda: (
                    f"{usage()}; peak output at {table['tokens_per_second_low']:,}-"
                    f"{table['tokens_per_second_high']:,} tok/s per GPU → "
                    f"{quantity(low_gpus, high_gpus, 'GPU')} "
                    f"(incl. {int(_SPARES.low)} spare) x "
                    f"{usd_range(table['hourly_low'], table['hourly_high'])}/h x "
                    f"{facts.HOURS_PER_MONTH} h"
                ),
                varies_with_users=True,
            )
        ]
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
