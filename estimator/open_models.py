"""What is known about a model's weights: published or not, total and active parameters, and the
precision they ship in.

Self-hosting needs the weights; memory is sized by total parameters and speed by active ones
(a mixture-of-experts model reads only its active experts per token). Open-weight models come
from their own catalogue (`data/open_models.toml`, one entry per Hugging Face checkpoint, with
the spellings people type); the data file's `[[models]]` table says which families are closed
and sizes other ids of open families.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from estimator import facts
from estimator.token_prices import PricingError, token_prices

_TABLE = [(re.compile(row["pattern"]), row) for row in facts.bundled_entry("models")]
_OPEN_FAMILIES = re.compile(facts.bundled_entry("self_hosting.open_families")["pattern"])
_SIZE = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)b(?![a-z0-9])")
_ACTIVE = re.compile(r"(?<![a-z0-9])a(\d+(?:\.\d+)?)b(?![a-z0-9])")
_EXAMPLES = "llama3.1-8b, gpt-oss-120b, mixtral-8x7b or deepseek-v3.2"
# A model of the team's own, known only by its size ("our 34b model"): "own-34b", a dense model
# in BF16. No API serves it, so it is only ever self-hosted.
_OWN = re.compile(r"^own-(\d+(?:\.\d+)?)b$")


class SelfHostingError(ValueError):
    """The model cannot be self-hosted as asked; the message names what can."""


@dataclass(frozen=True, slots=True)
class Weights:
    model: str
    params_b: float  # total parameters, billions
    active_b: float  # parameters read per generated token, billions
    released: str = "bf16"  # precision the weights ship in: bf16, fp8 or mxfp4

    @property
    def fp8(self) -> bool:
        return self.released == "fp8"

    @property
    def mixture_of_experts(self) -> bool:
        return self.active_b < self.params_b


@dataclass(frozen=True, slots=True)
class OpenModel:
    """One open-weight checkpoint of the catalogue."""

    key: str
    name: str
    family: str
    hugging_face: str
    params_b: float
    active_b: float
    context_window: int
    precision: str
    licence: str
    priced_as: tuple[str, ...]
    spellings: tuple[str, ...]
    family_default: bool
    source: str
    checked: str

    @property
    def model(self) -> str:
        """The id genai-prices prices this model by (its API price), or the first one listed."""
        for ref in self.priced_as:
            try:
                token_prices(ref)
            except PricingError:
                continue
            return ref
        return self.priced_as[0]


def own_model(params_b: float) -> str:
    """The id of a model of the team's own with `params_b` billion parameters: 'own-34b'."""
    return f"own-{params_b:g}b"


def own_size(model: str) -> float | None:
    """The size in billions of parameters of an own model's id ('own-34b' -> 34.0), else None."""
    m = _OWN.match(model.strip().lower())
    return float(m.group(1)) if m else None


def squash(text: str) -> str:
    """'Llama-3.1-8B Instruct' -> 'llama318binstruct': spellings compared without case,
    spaces, dots, dashes or underscores."""
    return _NOT_ALNUM.sub("", text.lower())


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@cache
def catalogue() -> tuple[OpenModel, ...]:
    text = resources.files("estimator").joinpath("data/open_models.toml").read_text("utf-8")
    return tuple(
        OpenModel(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
        for row in tomllib.loads(text)["model"]
    )


@cache
def _by_spelling() -> dict[str, OpenModel]:
    index: dict[str, OpenModel] = {}
    for m in catalogue():
        names = (m.key, m.hugging_face, m.hugging_face.partition("/")[2], *m.spellings)
        for name in (*names, *m.priced_as):
            index.setdefault(squash(name), m)
    return index


def find_open_model(text: str) -> OpenModel | None:
    """The catalogue entry `text` names ("llama 3.1 8b", "Llama-3.1-8B-Instruct"), or None."""
    return _by_spelling().get(squash(text))


def open_model_for_family(family: str) -> OpenModel | None:
    """The model a family name means when self-hosting ("mistral" -> Mistral Small), or None."""
    wanted = squash(family)
    for m in catalogue():
        if m.family_default and squash(m.family) == wanted:
            return m
    return None


@cache
def weights(model: str) -> Weights:
    """The model's parameter counts, or SelfHostingError saying why it cannot be self-hosted."""
    ref = model.strip().lower()
    own = own_size(ref)
    if own is not None:
        return Weights(ref, own, own, "bf16")  # dense, as trained: the size the team gave
    known = find_open_model(ref)
    if known is not None:
        return Weights(ref, known.params_b, known.active_b, known.precision)
    for pattern, row in _TABLE:
        if pattern.search(ref):
            if not row["open"]:
                raise SelfHostingError(
                    f"{ref} has closed weights (only its vendor's API serves it), so it cannot be "
                    f"self-hosted: pick an open model such as {_EXAMPLES}, or use the API."
                )
            fp8 = row.get("precision") == "fp8" or "fp8" in ref
            return Weights(
                ref, float(row["params_b"]), float(row["active_b"]), "fp8" if fp8 else "bf16"
            )
    if _OPEN_FAMILIES.search(ref):
        sizes = [float(m) for m in _SIZE.findall(ref.replace("_", "."))]
        active = _ACTIVE.search(ref)
        if sizes:
            total = max(sizes)
            active_b = float(active.group(1)) if active else total
            return Weights(ref, total, active_b, "fp8" if "fp8" in ref else "bf16")
    raise SelfHostingError(
        f"The size of {ref} is not in aicost's model table, so its GPUs cannot be sized: "
        f"self-host a model such as {_EXAMPLES}, or use the API."
    )
