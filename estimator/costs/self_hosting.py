"""Self-hosted inference: GPUs sized from the model (memory per replica, speed per GPU) and load.

A replica (estimator/replicas.py) is one copy of the model spread over 1, 2, 4 or 8 GPUs of one
node. Its time is shared between prefill (reading prompts: compute-bound, 2 x active parameters
FLOPs per input token) and decode (writing output and reasoning tokens: the measured tokens/s per
GPU), so replicas cover both at peak; and the KV cache of the requests in flight (their whole
context) must fit the memory beside the weights. Plus a spare replica for failover and deploys.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

from estimator import facts
from estimator.gpus import GPU
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, count, figure_span, percent, quantity, usd_range
from estimator.open_models import SelfHostingError
from estimator.price_book import PriceBook
from estimator.reasoning import of as reasoning_of
from estimator.replicas import WEIGHTS_SHARE, Replica, replica
from estimator.scenario import Scenario
from estimator.traffic import Traffic, requests_basis

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LLM_INFERENCE, _MONTHLY = Category.llm_inference, Cadence.monthly

# Sizing, not a price: read once from the bundled file (a price file cannot change it).
_SPARES = int(facts.bundled_figure("gpu.spares").low)
_SECONDS_PER_MONTH = facts.DAYS_PER_MONTH * 86_400
# vLLM's default gpu_memory_utilization: the memory it takes for weights and KV cache.
_GPU_MEMORY_USED = 0.9


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
    # Prefill: input tokens/s at peak and what one replica reads (fast, slow).
    prefill_low: float = 0.0
    prefill_high: float = 0.0
    prefill_fast: float = 0.0
    prefill_slow: float = 0.0
    # KV cache: GB one request holds, GB a replica has for it, requests in flight at peak.
    kv_gb: float = 0.0
    kv_room_gb: float = 0.0
    in_flight_high: float = 0.0

    def primary_gpus(self, *, low: bool) -> int:
        return (self.replicas_low if low else self.replicas_high) * self.replica.gpus

    def region_gpus(self, *, low: bool) -> int:
        per_region = self.region_replicas_low if low else self.region_replicas_high
        return self.extra_regions * per_region * self.replica.gpus

    def total_gpus(self, *, low: bool) -> int:
        return self.primary_gpus(low=low) + self.region_gpus(low=low)


@lru_cache(maxsize=256)  # a model's own figure: the break-even's search sizes a fleet a point
def _kv_mb_per_token(params_b: float, prices: PriceBook) -> float:
    """KV cache MB per token of context, interpolated in log-log on total parameters."""
    table = prices.tables.kv_cache.mb_per_token
    sizes, mb = table["sizes_b"], table["mb"]
    if params_b <= sizes[0]:
        return float(mb[0])
    points = list(zip(sizes, mb, strict=True))
    for (a0, m0), (a1, m1) in itertools.pairwise(points):
        if params_b <= a1:
            w = math.log(params_b / a0) / math.log(a1 / a0)
            return math.exp((1 - w) * math.log(m0) + w * math.log(m1))
    return float(mb[-1]) * (params_b / sizes[-1]) ** 0.5


def fleet(s: Scenario, t: Traffic, prices: PriceBook) -> Fleet:
    r = replica(s.model, s.gpu, s.precision, "precision" in s.given, prices)
    peak = prices.figures.traffic.peak_to_average
    replica_share = prices.figures.network.replica_region_share
    calls = t.llm_requests_per_month / _SECONDS_PER_MONTH
    decoded = s.output_tokens + reasoning_of(s).tokens  # reasoning is decoded like output
    per_second = calls * decoded
    peak_low, peak_high = per_second * peak.low, per_second * peak.high
    fast, slow = r.per_gpu_high * r.gpus, r.per_gpu_low * r.gpus
    # Prefill: GPU FLOPS x utilisation / (2 x active parameters) input tokens/s per replica.
    use = prices.figures.prefill.utilisation
    flops = prices.tables.prefill.tflops[s.gpu] * 1e12 * r.gpus
    per_token = 2 * r.weights.active_b * 1e9
    read_fast, read_slow = flops * use.high / per_token, flops * use.low / per_token
    prefill_low = calls * peak.low * s.input_tokens
    prefill_high = calls * peak.high * s.input_tokens
    # KV cache: requests in flight (Little's law: arrivals x time each is held) x their context.
    stream = prices.figures.kv_cache.sequence_tokens_per_second
    kv_gb = (s.input_tokens + decoded) * _kv_mb_per_token(r.weights.params_b, prices) / 1000
    room = max(r.memory_gb * _GPU_MEMORY_USED - r.weights_gb, 1e-9)

    def in_flight(rate: float, read: float, streamed: float) -> float:
        return rate * (s.input_tokens / read + decoded / streamed)

    def replicas(share: float, tokens: float, speed: float, read: float, kv: float) -> int:
        busy = share * (tokens / speed + (prefill_high if speed == slow else prefill_low) / read)
        return max(1, math.ceil(busy), math.ceil(share * kv * kv_gb / room))

    flight_low = in_flight(calls * peak.low, read_fast, stream.high)
    flight_high = in_flight(calls * peak.high, read_slow, stream.low)
    return Fleet(
        replica=r,
        peak_tokens_low=peak_low,
        peak_tokens_high=peak_high,
        replicas_low=replicas(1.0, peak_low, fast, read_fast, flight_low) + _SPARES,
        replicas_high=replicas(1.0, peak_high, slow, read_slow, flight_high) + _SPARES,
        region_replicas_low=replicas(replica_share.low, peak_low, fast, read_fast, flight_low),
        region_replicas_high=replicas(replica_share.high, peak_high, slow, read_slow, flight_high),
        extra_regions=s.regions - 1,
        prefill_low=prefill_low,
        prefill_high=prefill_high,
        prefill_fast=read_fast,
        prefill_slow=read_slow,
        kv_gb=kv_gb,
        kv_room_gb=room,
        in_flight_high=flight_high,
    )


def _hourly(gpu: GPU, prices: PriceBook) -> tuple[float, float]:
    table = getattr(prices.tables.gpu, gpu)  # gpu.<name>; a StrEnum reads as its value
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


def amounts(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: Fleet | None = None
) -> list[tuple[float, float]]:
    """The (low, high) of each of `lines`, in its order (all monthly), without wording a line:
    what the break-even's search sums, from the same fleet and hourly prices."""
    f = gpus if gpus is not None else fleet(s, t, prices)
    found = [_primary_cost(f, s.gpu, prices)]
    if f.extra_regions:
        hourly_low, hourly_high = _hourly(s.gpu, prices)
        found.append(
            (
                f.region_gpus(low=True) * hourly_low * facts.HOURS_PER_MONTH,
                f.region_gpus(low=False) * hourly_high * facts.HOURS_PER_MONTH,
            )
        )
    return found


def lines(s: Scenario, t: Traffic, prices: PriceBook, gpus: Fleet | None = None) -> list[LineItem]:
    """`gpus`: the fleet for `t` when the caller sized it already (infrastructure reads it too)."""
    f = gpus if gpus is not None else fleet(s, t, prices)
    r = f.replica
    hourly_low, hourly_high = _hourly(s.gpu, prices)
    low, high = _primary_cost(f, s.gpu, prices)  # gpu_cost, with the fleet sized once
    replica_share = prices.figures.network.replica_region_share
    name = s.gpu.value.upper()
    use = prices.figures.prefill.utilisation
    thinking = reasoning_of(s)
    decoded = s.output_tokens + thinking.tokens
    thought = (
        f" ({count(s.output_tokens)} out + {thinking.words(s.model)})"
        if thinking.tokens
        else " out"
    )

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
            f"{count(round(t.llm_requests_per_month))} LLM calls x {count(decoded)} "
            f"tok decoded{thought} = peak "
            f"{figure_span(f.peak_tokens_low, f.peak_tokens_high, ',.0f')} "
            f"out tok/s; {sizing()}; "
            f"decode {figure_span(r.per_gpu_low, r.per_gpu_high, ',.0f')} tok/s per GPU; prefill "
            f"{count(s.input_tokens)} in tok x peak = {f.prefill_low:,.0f}-{f.prefill_high:,.0f} "
            f"in tok/s against {f.prefill_slow:,.0f}-{f.prefill_fast:,.0f} per replica "
            f"({r.gpus} x {name} at {use.low:.0%}-{use.high:.0%} of peak FLOPS / 2 x "
            f"{count(r.weights.active_b)}B active); KV cache {f.kv_gb:,.2f} GB per request x up "
            f"to {f.in_flight_high:,.1f} in flight against {f.kv_room_gb:,.0f} GB per replica → "
            f"{quantity(f.replicas_low, f.replicas_high, 'replica')} (incl. {_SPARES} spare) = "
            f"{quantity(f.primary_gpus(low=True), f.primary_gpus(low=False), 'GPU')} x "
            f"{usd_range(hourly_low, hourly_high, DOLLARS)}/h{_hourly_said(s.gpu, prices)} x "
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
                    f"{usd_range(hourly_low, hourly_high, DOLLARS)}/h x {facts.HOURS_PER_MONTH} h"
                ),
                VARIES_WITH_USERS,
            )
        )
    return items


__all__ = [
    "Fleet",
    "Replica",
    "SelfHostingError",
    "amounts",
    "fleet",
    "gpu_cost",
    "lines",
    "replica",
]
