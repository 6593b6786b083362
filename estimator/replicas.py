"""A replica: one serving copy of an open model on 1, 2, 4 or 8 GPUs of one type (tensor parallel,
one node), sized by memory (weights plus room for KV cache) and speed (output tokens/s per GPU,
falling with the model's active parameters).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

from estimator import facts
from estimator.gpus import GPU, Precision, gpus_offered
from estimator.money import count
from estimator.open_models import SelfHostingError, Weights, weights
from estimator.price_book import BUNDLED_BOOK, PriceBook

# Sizing, not prices: read once from the bundled file (a price file cannot change them).
WEIGHTS_SHARE = facts.bundled_figure("self_hosting.weights_memory_share").low
_MAX_TP = int(facts.bundled_figure("self_hosting.max_gpus_per_replica").low)
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
    bytes_per_parameter: float  # at `precision`
    gpu_memory_gb: float

    @property
    def weights_gb(self) -> float:
        return self.weights.params_b * self.bytes_per_parameter

    @property
    def memory_gb(self) -> float:
        return self.gpus * self.gpu_memory_gb


def _gpus_for(params_b: float, precision: str, gpu: GPU, prices: PriceBook) -> int | None:
    """Fewest GPUs (a power of two, up to one node) whose memory holds the weights plus KV cache."""
    need = params_b * prices.tables.self_hosting.bytes_per_parameter[precision] / WEIGHTS_SHARE
    memory = getattr(prices.tables.gpu, gpu)["memory_gb"]
    width = 1
    while width <= _MAX_TP:
        if width * memory >= need:
            return width
        width *= 2
    return None


def _per_gpu(active_b: float, gpu: GPU, prices: PriceBook) -> tuple[float, float]:
    """Output tokens/s per GPU for a model with `active_b` billion active parameters: the data's
    8B/70B/400B figures, interpolated in log-log space; below 8B held at the 8B figure, above 400B
    falling in proportion to the parameters read per token."""
    table = getattr(prices.tables.gpu, gpu)
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


@lru_cache(maxsize=4096)  # per price book: a price file may change a GPU's memory or speed
def replica(
    model: str,
    gpu: GPU,
    precision: Precision = Precision.bf16,
    chosen: bool = False,
    prices: PriceBook = BUNDLED_BOOK,
) -> Replica:
    """The replica for `model` on `gpu`, or SelfHostingError naming what fits. An unchosen
    precision is BF16, or FP8 when the weights ship in FP8 or BF16 does not fit one node."""
    w = weights(model)
    if chosen:
        tried: tuple[str, ...] = (precision.value,)
    else:
        # Weights that ship below BF16 (FP8, 4-bit MXFP4) are served as released.
        tried = (w.released,) if w.released != "bf16" else ("bf16", "fp8")
    for name in tried:
        width = _gpus_for(w.params_b, name, gpu, prices)
        if width is not None:
            low, high = _per_gpu(w.active_b, gpu, prices)
            per_parameter = prices.tables.self_hosting.bytes_per_parameter[name]
            memory = getattr(prices.tables.gpu, gpu)["memory_gb"]
            return Replica(gpu, w, name.upper(), width, low, high, per_parameter, memory)
    last = tried[-1]
    fits = [g.value.upper() for g in GPU if _gpus_for(w.params_b, last, g, prices) is not None]
    if not fits and not (last == "bf16" and _gpus_for(w.params_b, "fp8", gpu, prices)):
        raise SelfHostingError(
            f"{w.model} ({count(w.params_b)}B parameters) is too big to self-host here: in "
            f"{last.upper()} it fits no node of 8 GPUs of any kind offered ({gpus_offered()}). "
            "Use its API, or self-host a smaller open model."
        )
    where = f"it fits on {', '.join(fits)}" if fits else "no 8-GPU node offered here holds it"
    if last == "bf16" and _gpus_for(w.params_b, "fp8", gpu, prices) is not None:
        where = f"it fits in fp8{' or on ' + ', '.join(fits) if fits else ''}"
    raise SelfHostingError(
        f"{w.model} ({count(w.params_b)}B parameters) does not fit one node of 8 "
        f"{gpu.value.upper()} GPUs in {last.upper()}: {where}."
    )


def check_hostable(
    model: str, gpu: GPU, precision: Precision = Precision.bf16, chosen: bool = False
) -> None:
    """Raise SelfHostingError if `model` cannot be self-hosted on `gpu` (the bundled GPUs)."""
    replica(model, gpu, precision, chosen)
