"""Family names people type ("claude", "llama 70b") -> the newest model of that family that
genai-prices prices. The id patterns live in the data file (`[model_families]`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from estimator import facts
from estimator.token_prices import PricingError, token_prices


@dataclass(frozen=True, slots=True)
class Resolution:
    family: str
    model: str  # a model reference genai-prices prices (with "provider/" where it needs one)
    meaning: str

    def explain(self) -> str:
        return f"“{self.family}” read as {self.model} ({self.meaning} in genai-prices' data)"


def family_names() -> tuple[str, ...]:
    """Family names, longest first so "gemini flash" is tried before "gemini"."""
    return tuple(sorted(facts.bundled_entry("model_families"), key=len, reverse=True))


def _version(match: re.Match[str]) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"[.-]", match.group("version")))


@cache
def resolve_family(family: str) -> Resolution | None:
    """The newest model of `family`, or None when the name is not a family."""
    rule = facts.bundled_entry("model_families").get(family)
    if rule is None:
        return None
    from genai_prices.data_snapshot import get_snapshot

    pattern = re.compile(rule["pattern"])
    provider = next(p for p in get_snapshot().providers if p.id == rule["provider"])
    ranked = []
    for model in provider.models:
        m = pattern.fullmatch(model.id)
        if m and not model.deprecated:
            # newest version first; within a version the shortest id (the plain model)
            ranked.append((_version(m), -len(model.id), model.id))
    for *_, model_id in sorted(ranked, reverse=True):
        ref = _priced_ref(model_id, provider.id)
        if ref:
            return Resolution(family, ref, rule["meaning"])
    return None


def _priced_ref(model_id: str, provider: str) -> str | None:
    for ref in (model_id, f"{provider}/{model_id}"):
        try:
            if token_prices(ref).provider == provider:
                return ref
        except PricingError:
            continue
    return None


@cache
def model_family_note(model: str) -> str | None:
    """'the newest Claude Sonnet in genai-prices' data' when `model` is what a family name
    resolves to, so the assumptions show how "claude" was read."""
    for family in family_names():
        found = resolve_family(family)
        if found is not None and found.model == model:
            return f"{found.meaning} in genai-prices' data"
    return None
