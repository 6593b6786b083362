"""Reasoning tokens: what a model that thinks before it answers spends per request.

Reasoning models (OpenAI's gpt-5 family and o-series, Gemini 2.5 and later, DeepSeek-R1, and
Claude or gpt-5.1+ when a team turns reasoning on) bill their hidden reasoning as output tokens.
How many depends on the effort setting; no published average per chat request exists, so each
effort has an assumed figure with a wide p10-p90 range (`[reasoning.per_request]` in the data file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Protocol

from estimator import facts
from estimator.money import count


class _Reasons(Protocol):
    """What `of` reads of a scenario (estimator/scenario.py imports this module)."""

    model: str
    reasoning_effort: str | None
    reasoning_tokens: int | None


class ReasoningEffort(StrEnum):
    none = "none"
    minimal = "minimal"
    low = "low"
    medium = "medium"
    high = "high"


_ROWS = [(re.compile(r["pattern"]), r["default"]) for r in facts.bundled_entry("reasoning.models")]


@cache
def default_effort(model: str) -> str | None:
    """The effort `model` reasons at when a team sets none: "none" when it reasons only when
    asked, None when it cannot reason at all."""
    ref = model.strip().lower()
    for pattern, default in _ROWS:
        if pattern.search(ref):
            return None if default == "never" else default
    return None


def can_reason(model: str) -> bool:
    return default_effort(model) is not None


@dataclass(frozen=True, slots=True)
class Reasoning:
    """Reasoning tokens per request, and the p10-p90 range when they were assumed."""

    tokens: int
    low: int
    high: int
    effort: str | None  # the effort the figure is for; None when the team gave the tokens
    chosen_effort: bool  # the team set the effort (else the model's default)
    ignored: bool = False  # the team asked for reasoning and this model cannot reason
    model_reasons: bool = True

    @property
    def unsure(self) -> bool:
        return self.low != self.high

    def words(self, model: str) -> str:
        """'1,500 reasoning tokens (medium effort, gpt-5's default; assumed 500-5,000)'."""
        if self.ignored:
            return (
                f"no reasoning tokens: {model} does not reason, so the reasoning you set does "
                "not apply"
            )
        if not self.model_reasons:
            return ""
        if self.effort is None:
            return f"{count(self.tokens)} reasoning tokens (yours)"
        if self.effort == ReasoningEffort.none:
            if self.chosen_effort:
                return "no reasoning tokens (reasoning off)"
            return f"no reasoning tokens ({model} reasons only when asked)"
        whose = "your setting" if self.chosen_effort else f"{model}'s default"
        return (
            f"{count(self.tokens)} reasoning tokens ({self.effort} effort, {whose}; assumed "
            f"{count(self.low)}-{count(self.high)} p10-p90)"
        )


def of(s: _Reasons) -> Reasoning:
    """The scenario's reasoning tokens per request on its own model."""
    return reasoning(s.model, s.reasoning_effort, s.reasoning_tokens)


@cache
def reasoning(model: str, effort: str | None, tokens: int | None) -> Reasoning:
    """Reasoning tokens per request on `model`, with the team's `effort` or `tokens` (None: not
    set). Given tokens are a fact; an effort's figure is an assumption with its range."""
    default = default_effort(model)
    if default is None:
        asked = bool(tokens) or effort not in (None, ReasoningEffort.none)
        return Reasoning(0, 0, 0, None, effort is not None, asked, model_reasons=False)
    if tokens is not None:
        return Reasoning(tokens, tokens, tokens, None, effort is not None)
    level = effort or default
    if level == ReasoningEffort.none:
        return Reasoning(0, 0, 0, ReasoningEffort.none.value, effort is not None)
    table = facts.bundled_entry(f"reasoning.per_request.{level}_effort")
    return Reasoning(
        int(table["tokens"]), int(table["low"]), int(table["high"]), str(level), effort is not None
    )
