"""The GPUs a self-hosted scenario can name, and the precisions its weights can be served in."""

from __future__ import annotations

from enum import StrEnum


class GPU(StrEnum):
    h100 = "h100"
    h200 = "h200"
    a100 = "a100"
    l4 = "l4"


def gpus_offered() -> str:
    """The GPUs a self-hosted scenario can name, for messages: "h100, h200, a100 or l4"."""
    names = [gpu.value for gpu in GPU]
    return f"{', '.join(names[:-1])} or {names[-1]}"


class Precision(StrEnum):
    """Weight precision of a self-hosted model: BF16/FP16 (2 bytes) or FP8 (1 byte)."""

    bf16 = "bf16"
    fp8 = "fp8"
