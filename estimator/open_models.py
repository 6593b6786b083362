"""What the data file knows about a model's weights: published or not, total and active parameters.

Self-hosting needs the weights; memory is sized by total parameters and speed by active ones
(a mixture-of-experts model reads only its active experts per token).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from estimator import facts

_TABLE = [(re.compile(row["pattern"]), row) for row in facts.bundled_entry("models")]
_OPEN_FAMILIES = re.compile(facts.bundled_entry("self_hosting.open_families")["pattern"])
_SIZE = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)b(?![a-z0-9])")
_ACTIVE = re.compile(r"(?<![a-z0-9])a(\d+(?:\.\d+)?)b(?![a-z0-9])")
_EXAMPLES = "llama3.1-8b, gpt-oss-120b, mixtral-8x7b or deepseek-v3.2"


class SelfHostingError(ValueError):
    """The model cannot be self-hosted as asked; the message names what can."""


@dataclass(frozen=True, slots=True)
class Weights:
    model: str
    params_b: float  # total parameters, billions
    active_b: float  # parameters read per generated token, billions
    fp8: bool = False  # weights published (or named) in FP8

    @property
    def mixture_of_experts(self) -> bool:
        return self.active_b < self.params_b


@cache
def weights(model: str) -> Weights:
    """The model's parameter counts, or SelfHostingError saying why it cannot be self-hosted."""
    ref = model.strip().lower()
    for pattern, row in _TABLE:
        if pattern.search(ref):
            if not row["open"]:
                raise SelfHostingError(
                    f"{ref} has closed weights (only its vendor's API serves it), so it cannot be "
                    f"self-hosted: pick an open model such as {_EXAMPLES}, or use the API."
                )
            fp8 = row.get("precision") == "fp8" or "fp8" in ref
            return Weights(ref, float(row["params_b"]), float(row["active_b"]), fp8)
    if _OPEN_FAMILIES.search(ref):
        sizes = [float(m) for m in _SIZE.findall(ref.replace("_", "."))]
        active = _ACTIVE.search(ref)
        if sizes:
            total = max(sizes)
            active_b = float(active.group(1)) if active else total
            return Weights(ref, total, active_b, "fp8" in ref)
    raise SelfHostingError(
        f"The size of {ref} is not in aicost's model table, so its GPUs cannot be sized: "
        f"self-host a model such as {_EXAMPLES}, or use the API."
    )
