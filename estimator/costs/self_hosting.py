"""Self-hosted inference: GPUs sized from the model (memory per replica, speed per GPU) and load.

A replica (estimator/replicas.py) is one copy of the model spread over 1, 2, 4 or 8 GPUs of one
node. Replicas cover peak output tokens/s, plus a spare replica for failover and deploys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimator import facts
from estimator.gpus import GPU
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, figure_span, percent, quantity, usd_range
from estimator.open_models import SelfHostingError
from estimator.price_book import PriceBook
from estimator.replicas import WEIGHTS_SHARE, Replica, replica
from estimator.scenario import Scenario
from estimator.traffic import Traffic, requests_basis

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LLM_INFERENCE, _MONTHLY = Category.llm_inference, Cadence.monthly

# Sizing, not a price: read once from the bundled file (a price file cannot change it).
_SPARES = int(facts.bundled_figure("gpu.spares").low)
_SECONDS_PER_MONTH = facts.DAYS_PER_MONTH * 86_400


# Not frozen, like Amount (totals.py): made several times an estimate; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class Fleet:
    """GPUs for the primary region (replicas for peak plus spare) and for each extra region."""

    replica: Replica
    peak_tokens_low: float
    peak_tokens_high: float
    replicas_low: int
    replicas_high: int
    region_replicas_low: int
    region_replicas_high: int
    extra_regions: int

    def primary_gpus(self, *, low: bool) -> int:
        return (self.replicas_low if low else self.replicas_high) * self.replica.gpus

    def region_gpus(self, *, low: bool) -> int:
        per_region = self.region_replicas_low if low else self.region_replicas_high
        return self.extra_regions * per_region * self.replica.gpus

    def total_gpus(self, *, low: bool) -> int:
        return self.primary_gpus(low=low) + self.region_gpus(low=low)


def fleet(s: Scenario, t: Traffic, prices: PriceBook) -> Fleet:
    r = replica(s.model, s.gpu, s.precision, "precision" in s.given, prices)
    peak = prices.figure("traffic.peak_to_average")
    replica_share = prices.figure("network.replica_region_share")
    per_second = t.llm_requests_per_month / _SECONDS_PER_MONTH * s.output_tokens
    peak_low, peak_high = per_second * peak.low, per_second * peak.high
    fast, slow = r.per_gpu_high * r.gpus, r.per_gpu_low * r.gpus

    def replicas(tokens: float, speed: float) -> int:
        return max(1, math.ceil(tokens / speed))

    return Fleet(
        replica=r,
        peak_tokens_low=peak_low,
        peak_tokens_high=peak_high,
        replicas_low=replicas(peak_low, fast) + _SPARES,
        replicas_high=replicas(peak_high, slow) + _SPARES,
        region_replicas_low=replicas(peak_low * replica_share.low, fast),
        region_replicas_high=replicas(peak_high * replica_share.high, slow),
        extra_regions=s.regions - 1,
    )


def _hourly(gpu: GPU, prices: PriceBook) -> tuple[float, float]:
    table = prices.entry(f"gpu.{gpu.value}")
    return table["hourly_low"], table["hourly_high"]


def _hourly_said(gpu: GPU, prices: PriceBook) -> str:
    """' (on demand, workspace settings)' when the own prices set this GPU's price."""
    own = prices.gpu_hourly(gpu)
    return f" (on demand, {own[2]})" if own else ""


def gpu_cost(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[float, float]:
    """Monthly USD (low, high) of the primary region's GPUs for the calls in `t`."""
    return _primary_cost(fleet(s, t, prices), s.gpu, prices)


def _primary_cost(f: Fleet, gpu: GPU, prices: PriceBook) -> tuple[float, float]:
    low, high = _hourly(gpu, prices)
    return (
        f.primary_gpus(low=True) * low * facts.HOURS_PER_MONTH,
        f.primary_gpus(low=False) * high * facts.HOURS_PER_MONTH,
    )


def lines(s: Scenario, t: Traffic, prices: PriceBook, gpus: Fleet | None = None) -> list[LineItem]:
    """`gpus`: the fleet for `t` when the caller sized it already (infrastructure reads it too)."""
    f = gpus if gpus is not None else fleet(s, t, prices)
    r = f.replica
    hourly_low, hourly_high = _hourly(s.gpu, prices)
    low, high = _primary_cost(f, s.gpu, prices)  # gpu_cost, with the fleet sized once
    replica_share = prices.figure("network.replica_region_share")
    name = s.gpu.value.upper()

    def sizing() -> str:
        moe = f", {count(r.weights.active_b)}B active" if r.weights.mixture_of_experts else ""
        return (
            f"{s.model} {count(r.weights.params_b)}B params{moe} in {r.precision} = "
            f"{r.weights_gb:,.0f} GB weights, at most {percent(WEIGHTS_SHARE)} of memory (rest KV "
            f"cache) → {r.gpus} x {name} ({r.memory_gb:,.0f} GB) per replica"
        )

    def basis() -> str:
        return (
            f"{requests_basis(s, t)}, {percent(s.cache_hit_rate)} from response cache → "
            f"{count(round(t.llm_requests_per_month))} LLM calls x {count(s.output_tokens)} "
            f"out tok = peak {figure_span(f.peak_tokens_low, f.peak_tokens_high, ',.0f')} "
            "out tok/s; "
            f"{sizing()}; "
            f"{figure_span(r.per_gpu_low, r.per_gpu_high, ',.0f')} tok/s per GPU → "
            f"{quantity(f.replicas_low, f.replicas_high, 'replica')} (incl. {_SPARES} spare) = "
            f"{quantity(f.primary_gpus(low=True), f.primary_gpus(low=False), 'GPU')} x "
            f"{usd_range(hourly_low, hourly_high)}/h{_hourly_said(s.gpu, prices)} x "
            f"{facts.HOURS_PER_MONTH} h"
        )

    items = [
        LineItem(
            _LLM_INFERENCE,
            f"Self-hosted GPUs ({name}), primary region",
            _MONTHLY,
            low,
            high,
            basis,
            VARIES_WITH_USERS,
        )
    ]
    if f.extra_regions:
        region_low = f.region_gpus(low=True) * hourly_low * facts.HOURS_PER_MONTH
        region_high = f.region_gpus(low=False) * hourly_high * facts.HOURS_PER_MONTH
        items.append(
            LineItem(
                _LLM_INFERENCE,
                f"Self-hosted GPUs ({name}), extra regions",
                _MONTHLY,
                region_low,
                region_high,
                lambda: (
                    f"{quantity(f.extra_regions, f.extra_regions, 'extra region')}, each sized for "
                    f"{percent(replica_share.low)} of peak: "
                    f"{quantity(f.region_replicas_low, f.region_replicas_high, 'replica')} x "
                    f"{r.gpus} {name} = "
                    f"{quantity(f.region_gpus(low=True), f.region_gpus(low=False), 'GPU')} x "
                    f"{usd_range(hourly_low, hourly_high)}/h x {facts.HOURS_PER_MONTH} h"
                ),
                VARIES_WITH_USERS,
            )
        )
    return items


__all__ = ["Fleet", "Replica", "SelfHostingError", "fleet", "gpu_cost", "lines", "replica"]
