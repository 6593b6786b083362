"""Self-hosted inference: GPUs sized from the model (memory per replica, speed per GPU) and load.

A replica is one copy of the model spread over 1, 2, 4 or 8 GPUs (tensor parallel, one node). It
needs enough memory for the weights plus room for KV cache; its speed falls with the model's active
parameters. Replicas cover peak output tokens/s, plus a spare replica for failover and deploys.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

from estimator import facts
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, percent, quantity, usd_range
from estimator.open_models import SelfHostingError, Weights, weights
from estimator.scenario import GPU, Precision, Scenario
from estimator.traffic import Traffic, requests_basis

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LLM_INFERENCE, _MONTHLY = Category.llm_inference, Cadence.monthly

_PEAK = facts.live("traffic.peak_to_average")
_SPARES = int(facts.figure("gpu.spares").low)
_WEIGHTS_SHARE = facts.figure("self_hosting.weights_memory_share").low
_BYTES = facts.live_entry("self_hosting.bytes_per_parameter")
_MAX_TP = int(facts.figure("self_hosting.max_gpus_per_replica").low)
_REPLICA_SHARE = facts.live("network.replica_region_share")
_SECONDS_PER_MONTH = facts.DAYS_PER_MONTH * 86_400
# Size classes the data file gives throughput for, in billions of active parameters.
_CLASSES = ((8.0, "per_gpu_8b"), (70.0, "per_gpu_70b"), (405.0, "per_gpu_400b"))


@dataclass(frozen=True, slots=True)
class Replica:
    """One serving copy of the model on one GPU type."""

    gpu: GPU
    weights: Weights
    precision: str  # "BF16" or "FP8"
    gpus: int  # tensor-parallel width
    per_gpu_low: float  # output tokens/s per GPU (slow case)
    per_gpu_high: float

    @property
    def weights_gb(self) -> float:
        return self.weights.params_b * _BYTES[self.precision.lower()]

    @property
    def memory_gb(self) -> float:
        return self.gpus * facts.entry(f"gpu.{self.gpu.value}")["memory_gb"]


def _gpus_for(params_b: float, precision: str, gpu: GPU) -> int | None:
    """Fewest GPUs (a power of two, up to one node) whose memory holds the weights plus KV cache."""
    need = params_b * _BYTES[precision] / _WEIGHTS_SHARE
    memory = facts.entry(f"gpu.{gpu.value}")["memory_gb"]
    width = 1
    while width <= _MAX_TP:
        if width * memory >= need:
            return width
        width *= 2
    return None


def _per_gpu(active_b: float, gpu: GPU) -> tuple[float, float]:
    """Output tokens/s per GPU for a model with `active_b` billion active parameters: the data's
    8B/70B/400B figures, interpolated in log-log space; below 8B held at the 8B figure, above 400B
    falling in proportion to the parameters read per token."""
    table = facts.entry(f"gpu.{gpu.value}")
    if active_b <= _CLASSES[0][0]:
        low, high = table[_CLASSES[0][1]]
        return float(low), float(high)
    for (a0, k0), (a1, k1) in itertools.pairwise(_CLASSES):
        if active_b <= a1:
            w = math.log(active_b / a0) / math.log(a1 / a0)
            return tuple(  # type: ignore[return-value]
                math.exp((1 - w) * math.log(x0) + w * math.log(x1))
                for x0, x1 in zip(table[k0], table[k1], strict=True)
            )
    a_last, k_last = _CLASSES[-1]
    return tuple(x * a_last / active_b for x in table[k_last])  # type: ignore[return-value]


def replica(
    model: str, gpu: GPU, precision: Precision = Precision.bf16, chosen: bool = False
) -> Replica:
    """The replica for `model` on `gpu`, or SelfHostingError naming what fits. An unchosen
    precision is BF16, or FP8 when the weights ship in FP8 or BF16 does not fit one node."""
    return _replica(model, gpu, precision, chosen, facts.active())


@lru_cache(maxsize=4096)  # per price book: a price file may change a GPU's memory or speed
def _replica(model: str, gpu: GPU, precision: Precision, chosen: bool, book: object) -> Replica:
    w = weights(model)
    if chosen:
        tried: tuple[str, ...] = (precision.value,)
    else:
        # Weights that ship below BF16 (FP8, 4-bit MXFP4) are served as released.
        tried = (w.released,) if w.released != "bf16" else ("bf16", "fp8")
    for name in tried:
        width = _gpus_for(w.params_b, name, gpu)
        if width is not None:
            low, high = _per_gpu(w.active_b, gpu)
            return Replica(gpu, w, name.upper(), width, low, high)
    last = tried[-1]
    fits = [g.value.upper() for g in GPU if _gpus_for(w.params_b, last, g) is not None]
    where = f"it fits on {', '.join(fits)}" if fits else "no 8-GPU node offered here holds it"
    if last == "bf16" and _gpus_for(w.params_b, "fp8", gpu) is not None:
        where = f"it fits in fp8{' or on ' + ', '.join(fits) if fits else ''}"
    raise SelfHostingError(
        f"{w.model} ({count(w.params_b)}B parameters) does not fit one node of 8 "
        f"{gpu.value.upper()} GPUs in {last.upper()}: {where}."
    )


def check(
    model: str, gpu: GPU, precision: Precision = Precision.bf16, chosen: bool = False
) -> None:
    """Raise SelfHostingError if `model` cannot be self-hosted on `gpu`."""
    replica(model, gpu, precision, chosen)


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


def fleet(s: Scenario, t: Traffic) -> Fleet:
    r = replica(s.model, s.gpu, s.precision, "precision" in s.given)
    per_second = t.llm_requests_per_month / _SECONDS_PER_MONTH * s.output_tokens
    peak_low, peak_high = per_second * _PEAK.low, per_second * _PEAK.high
    fast, slow = r.per_gpu_high * r.gpus, r.per_gpu_low * r.gpus

    def replicas(tokens: float, speed: float) -> int:
        return max(1, math.ceil(tokens / speed))

    return Fleet(
        replica=r,
        peak_tokens_low=peak_low,
        peak_tokens_high=peak_high,
        replicas_low=replicas(peak_low, fast) + _SPARES,
        replicas_high=replicas(peak_high, slow) + _SPARES,
        region_replicas_low=replicas(peak_low * _REPLICA_SHARE.low, fast),
        region_replicas_high=replicas(peak_high * _REPLICA_SHARE.high, slow),
        extra_regions=s.regions - 1,
    )


def _hourly(gpu: GPU) -> tuple[float, float]:
    table = facts.entry(f"gpu.{gpu.value}")
    return table["hourly_low"], table["hourly_high"]


def _hourly_said(gpu: GPU) -> str:
    """' (on demand, workspace settings)' when the active price book sets this GPU's price."""
    book = facts.active()
    own = book.overrides.gpu_hourly(gpu) if book is not None else None
    return f" (on demand, {own[2]})" if own else ""


def gpu_cost(s: Scenario, t: Traffic) -> tuple[float, float]:
    """Monthly USD (low, high) of the primary region's GPUs for the calls in `t`."""
    return _primary_cost(fleet(s, t), s.gpu)


def _primary_cost(f: Fleet, gpu: GPU) -> tuple[float, float]:
    low, high = _hourly(gpu)
    return (
        f.primary_gpus(low=True) * low * facts.HOURS_PER_MONTH,
        f.primary_gpus(low=False) * high * facts.HOURS_PER_MONTH,
    )


def lines(s: Scenario, t: Traffic, gpus: Fleet | None = None) -> list[LineItem]:
    """`gpus`: the fleet for `t` when the caller sized it already (infrastructure reads it too)."""
    f = gpus if gpus is not None else fleet(s, t)
    r = f.replica
    hourly_low, hourly_high = _hourly(s.gpu)
    low, high = _primary_cost(f, s.gpu)  # gpu_cost, with the fleet sized once
    name = s.gpu.value.upper()

    def sizing() -> str:
        moe = f", {count(r.weights.active_b)}B active" if r.weights.mixture_of_experts else ""
        return (
            f"{s.model} {count(r.weights.params_b)}B params{moe} in {r.precision} = "
            f"{r.weights_gb:,.0f} GB weights, at most {percent(_WEIGHTS_SHARE)} of memory (rest KV "
            f"cache) → {r.gpus} x {name} ({r.memory_gb:,.0f} GB) per replica"
        )

    def basis() -> str:
        return (
            f"{requests_basis(s, t)}, {percent(s.cache_hit_rate)} from response cache → "
            f"{count(round(t.llm_requests_per_month))} LLM calls x {count(s.output_tokens)} "
            f"out tok = peak {f.peak_tokens_low:,.0f}-{f.peak_tokens_high:,.0f} out tok/s; "
            f"{sizing()}; "
            f"{r.per_gpu_low:,.0f}-{r.per_gpu_high:,.0f} tok/s per GPU → "
            f"{quantity(f.replicas_low, f.replicas_high, 'replica')} (incl. {_SPARES} spare) = "
            f"{quantity(f.primary_gpus(low=True), f.primary_gpus(low=False), 'GPU')} x "
            f"{usd_range(hourly_low, hourly_high)}/h{_hourly_said(s.gpu)} x "
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
                    f"{percent(_REPLICA_SHARE.low)} of peak: "
                    f"{quantity(f.region_replicas_low, f.region_replicas_high, 'replica')} x "
                    f"{r.gpus} {name} = "
                    f"{quantity(f.region_gpus(low=True), f.region_gpus(low=False), 'GPU')} x "
                    f"{usd_range(hourly_low, hourly_high)}/h x {facts.HOURS_PER_MONTH} h"
                ),
                VARIES_WITH_USERS,
            )
        )
    return items


__all__ = ["Fleet", "Replica", "SelfHostingError", "check", "fleet", "gpu_cost", "lines", "replica"]
