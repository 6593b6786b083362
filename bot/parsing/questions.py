"""Questions with a payload: "compare a, b, c for 100k users" and "when does self-hosting pay
off?"."""

from __future__ import annotations

import re

from bot.parsing.hosting import not_hostable
from bot.parsing.parser import parse
from bot.parsing.reading import InputError, Parsed, two_models
from bot.parsing.scenarios import follow_up, quote, scenario_from, unknown_message
from bot.parsing.text import normalize, plain
from estimator import (
    Scenario,
    ScenarioChange,
)

COMPARE_EXAMPLE = "compare gpt-4o-mini, claude-haiku-4-5, self-hosted l4 for 100k users"
BREAKEVEN_EXAMPLE = "when does self-hosting pay off for 100k users claude-sonnet-4-5?"
BREAKEVEN_EXAMPLE_BOTH = (
    "when does self-hosting llama 70b pay off vs claude-sonnet-4-5 for 100k users?"
)

_COMPARE_VERB = re.compile(r"^\s*(?:/aicost\s+)?(?:compare|comparison)\b[:\s]*")
# Commas separate options, except inside numbers ("100,000 users"); "vs" works as well.
_OPTION_SEPARATOR = re.compile(r",(?!\d{3}(?!\d))|\s+(?:vs\.?|versus)\s+")
# In the last option, what follows "for"/"at"/"with" is shared by every option.
_SHARED_TAIL = re.compile(r"\s+(?:for|at|with|w/|all\s+at|all\s+with)\s+")
_BREAKEVEN = re.compile(
    r"(?:\b(?:when|at\s+what\s+(?:scale|point|size)|how\s+many\s+users)\b\s*)?"
    r"(?:\b(?:does|do|would|will|is|should)\b\s*)?"
    r"(?:(?:\b(?:it|self[\s-]*host(?:ing|ed)?|hosting\s+our\s+own|own\s+gpus)\b\s*)?"
    r"\b(?:pays?\s+off|breaks?[\s-]*even|breakeven)\b"
    # "is self-hosting worth it", "does self-hosting make sense": asked of self-hosting only
    r"|\b(?:self[\s-]*host(?:ing|ed)?|hosting\s+our\s+own|own\s+gpus)\b\s*"
    r"(?:makes?\s+sense|(?:is\s+)?worth\s+it)\b)"
)

_SELF_HOSTING = re.compile(r"\bself[\s-]*hosting\b")

# The wording of the question around "pay off" (the scenario words are kept).
_QUESTION_WORDS = {
    "when", "does", "do", "would", "will", "is", "should", "it", "until", "before", "how",
    "many", "what", "scale", "point", "size", "self-hosting", "start", "to", "we", "",
    "vs", "vs.", "versus", "against", "compared", "over", "than",
}  # fmt: skip


_VERSUS = re.compile(r"\s(?:vs\.?|versus)\s")
# What an option runs on: never lent to another option ("self-hosted h100 vs gpt-4o" must not
# self-host gpt-4o).
_WHAT_RUNS = {"model", "hosting", "gpu", "precision"}


def is_compare(text: str) -> bool:
    """ "compare a, b" or "a vs b"; a break-even question saying "vs" stays a break-even one."""
    normalized = normalize(text)
    if _COMPARE_VERB.match(normalized):
        return True
    return bool(_VERSUS.search(f" {normalized} ")) and not _BREAKEVEN.search(normalized)


def compare_options(text: str, current: Scenario | None = None) -> list[tuple[str, Scenario]]:
    """(label, scenario) for each option of "compare a, b, c for <shared>"; an option changes
    the shared scenario (or `current`, in a conversation). InputError when there are fewer than
    two or more than five options, or an option names nothing."""
    # Split as typed, so each column is labelled with the option's own words ("claude haiku",
    # "ten thousand"); each part is parsed, and so normalised, on its own.
    body = _COMPARE_VERB.sub("", plain(text), count=1).strip()
    labels = [part.strip() for part in _OPTION_SEPARATOR.split(body)]
    shared_text = ""
    if labels:
        last, *tail = _SHARED_TAIL.split(labels[-1], maxsplit=1)
        labels[-1], shared_text = last.strip(), " ".join(tail)
    labels = [part for label in labels if label for part in _and_split(label)]
    if not 2 <= len(labels) <= 5:
        raise InputError(
            f"Compare two to five options, separated by commas or “vs” (got {len(labels)}), "
            f"e.g. “{COMPARE_EXAMPLE}”."
        )
    shared = parse(shared_text)
    if shared.unknown:
        raise InputError(unknown_message(shared.unknown))
    readings = []
    for label in labels:
        option = parse(label)
        if option.unknown:
            raise InputError(unknown_message(option.unknown))
        if not option.understood_anything or option.command is not None:
            raise InputError(
                f"“{quote(label)}” names nothing to compare: give a model, hosting, GPU, "
                f"users or stage, e.g. “{COMPARE_EXAMPLE}”."
            )
        readings.append(option)
    # "10k users gpt-4o vs claude-haiku-4-5": what one option says about the scenario (users,
    # stage, tokens) and the others leave out is shared by all of them.
    lent: dict = {}
    for option in readings:
        for name, value in option.change.set.items():
            if name not in _WHAT_RUNS:
                lent.setdefault(name, value)
    options = []
    for label, option in zip(labels, readings, strict=True):
        merged = _merged(shared, option, lent)
        scenario = follow_up(current, merged) if current else scenario_from(merged)
        options.append((label, scenario))
    return options


_AND = re.compile(r"^\s*and\s+|\s+and\s+")
# What makes either side of "and" an option of its own.
_AN_OPTION = _WHAT_RUNS | {"users", "stage"}


def _and_split(label: str) -> list[str]:
    """ "gpt-4o and claude-haiku-4-5" (or "10k and 100k users", "startup and enterprise") as
    two options, where each side names what runs (a model, hosting or a GPU), a user count or
    a stage; "soc2 and hipaa" stays one option's words."""
    parts = [part.strip() for part in _AND.split(label) if part.strip()]
    if len(parts) < 2 and not _AND.match(label):
        return [label]
    runs = [parse(part) for part in parts]
    if all(_AN_OPTION & option.change.set.keys() and not option.unknown for option in runs):
        return parts
    return [label]


def _merged(shared: Parsed, option: Parsed, lent: dict | None = None) -> Parsed:
    """The option's words over the shared ones; an option naming only a model runs it on an API."""
    change = shared.change
    if lent:
        change = change.merged(ScenarioChange(set=lent))
    change = change.merged(option.change)
    if "model" in option.change.set and not {"hosting", "gpu"} & option.change.set.keys():
        change = change.merged(ScenarioChange(set={"hosting": "api"}))
    return Parsed(
        change=change,
        compliance_named=shared.compliance_named + option.compliance_named,
        no_compliance=shared.no_compliance or option.no_compliance,
    )


def breakeven_question(text: str) -> str | None:
    """The rest of the text when it asks when self-hosting pays off, else None. "Self-hosting"
    left in it once "pays off" is taken out says what is self-hosted ("when does self-hosting
    llama 3.1 8b pay off"): the scenario is self-hosted, as "llama 3.1 8b self-hosted" is, so the
    question and that estimate's tip weigh the same pair (estimator/comparable.py)."""
    normalized = normalize(text)
    if not _BREAKEVEN.search(normalized):
        return None
    rest = _SELF_HOSTING.sub("self-hosted", _BREAKEVEN.sub(" ", normalized, count=1)).split()
    return " ".join(w for w in rest if w.strip("?!.,") not in _QUESTION_WORDS)


def breakeven_sides(rest: str, current: Scenario | None = None) -> tuple[Scenario, str | None]:
    """The scenario a break-even question is about, and the model on the other side when the
    user named both ("self-hosting llama 70b ... claude-sonnet-4-5"): an open model named is the
    self-hosted side, a closed one the API side. InputError when neither can be self-hosted."""
    parsed = parse(rest)
    if parsed.unknown:
        raise InputError(unknown_message(parsed.unknown))
    models = list(parsed.models)
    values = dict(parsed.change.set)
    other: str | None = None
    if models:
        open_named = [m for m in models if not_hostable(m) is None]
        closed_named = [m for m in models if m not in open_named]
        if len(models) > 1 and not open_named:
            raise InputError(
                f"Neither {' nor '.join(models[:2])} has published weights, so neither can be "
                f"self-hosted: name an open model for that side, e.g. “{BREAKEVEN_EXAMPLE_BOTH}”."
            )
        if open_named and (len(models) > 1 or values.get("hosting") == "self-hosted"):
            values.update(model=open_named[0], hosting="self-hosted")
            rest_named = [m for m in models if m != open_named[0]]
            other = (closed_named or rest_named or [None])[0]
        else:
            # One model, to run on its API (a GPU named is where the open side runs).
            values.update(model=models[0], hosting="api")
    change = ScenarioChange(
        set=values,
        scale_users=parsed.change.scale_users,
        add_compliance=parsed.change.add_compliance,
        remove_compliance=parsed.change.remove_compliance,
    )
    question = Parsed(
        change=change,
        compliance_named=parsed.compliance_named,
        no_compliance=parsed.no_compliance,
        # Two models are the two sides here, not a question back.
        problems=tuple(p for p in parsed.problems if len(models) < 2 or p != two_models(models)),
    )
    scenario = follow_up(current, question) if current is not None else scenario_from(question)
    return scenario, other
