"""What a reading of the text produces, and the state the word readers share while reading."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from estimator import (
    Compliance,
    ScenarioChange,
    ScenarioError,
)


class InputError(ScenarioError):
    """Text we could not turn into a scenario; the message says what to type instead."""


class Command(StrEnum):
    help = "help"
    form = "form"
    undo = "undo"
    reset = "reset"
    forget = "forget"
    chart = "chart"  # the current estimate's chart again
    export = "export"  # the current estimate as CSV and JSON files
    cheaper_model = "cheaper_model"  # what the "Try a cheaper model" button does, typed


@dataclass(frozen=True)
class Parsed:
    change: ScenarioChange = field(default_factory=ScenarioChange)
    command: Command | None = None
    unknown: tuple[str, ...] = ()
    # Compliance words in a first request name the whole set; in a follow-up they add to it.
    compliance_named: tuple[Compliance, ...] = ()
    no_compliance: bool = False
    # Read but not allowed or ambiguous ("99.95", "b200", two stages): one sentence each, shown
    # to the user instead of an estimate.
    problems: tuple[str, ...] = ()
    # Every model named, in order ("self-hosting llama 70b ... claude-sonnet-4-5" names two).
    models: tuple[str, ...] = ()
    # Read and used, with something worth saying about it ("fp8 ignored: the API serves ...").
    notes: tuple[str, ...] = ()

    @property
    def understood_anything(self) -> bool:
        return (
            self.command is not None
            or not self.change.is_empty()
            or self.no_compliance
            or bool(self.problems)
            or bool(self.notes)  # e.g. a host named alone ("groq"): answered with its note
        )


@dataclass
class Reading:
    values: dict[str, Any] = field(default_factory=dict)
    scale: float | None = None
    add: list[Compliance] = field(default_factory=list)
    remove: list[Compliance] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    no_compliance: bool = False
    problems: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    family: str | None = None  # the family word the model was read from ("mistral")
    notes: list[str] = field(default_factory=list)
    # Models named as the one moved away from ("instead of gpt-4o"): a break-even's other side.
    left_behind: list[str] = field(default_factory=list)
    # "500k DAU": daily users, turned into monthly ones by the daily share (numbers.py).
    daily_users: float | None = None
    # Providers named beside the model ("azure gpt-4o"): where it runs (hosts.py).
    hosts: list[str] = field(default_factory=list)

    def name_model(self, model: str, family: str | None = None) -> None:
        self.values["model"] = model
        self.models.append(model)
        self.family = family

    def set_once(self, name: str, value: Any, question: str) -> None:
        """Set a field; a second, different value for it is a question back, not last-one-wins."""
        if name in self.values and self.values[name] != value:
            self.problems.append(question.format(self.values[name], value))
            return
        self.values[name] = value


def near(
    tokens: list[str],
    i: int,
    words: set[str],
    before: int = 1,
    after: int = 2,
    used: list[bool] | None = None,
) -> int | None:
    """Index of the nearest (unclaimed) token in `words` in a small window around i, after first."""
    for j in range(i + 1, min(len(tokens), i + 1 + after)):
        if tokens[j] in words and not (used and used[j]):
            return j
    for j in range(i - 1, max(-1, i - 1 - before), -1):
        if tokens[j] in words and not (used and used[j]):
            return j
    return None


def consume(
    tokens: list[str], i: int, used: list[bool], words: set[str], before: int = 1, after: int = 2
) -> bool:
    j = near(tokens, i, words, before=before, after=after, used=used)
    if j is None:
        return False
    used[j] = True
    return True


def two_models(models: list[str]) -> str:
    """The question back when one request names two models (a break-even question may)."""
    first, second = models[:2]
    return f"Which model: {first} or {second}? Send one, or compare them: “{first} vs {second}”."
