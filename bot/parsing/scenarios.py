"""A reading -> a validated scenario (first request or follow-up), and the sentence naming
words that were not understood."""

from __future__ import annotations

import difflib
import re
from typing import Any

from bot.parsing.models import MODEL_HEADS, closest_models
from bot.parsing.parser import parse
from bot.parsing.reading import InputError, Parsed
from estimator import (
    Compliance,
    Hosting,
    PricingError,
    Scenario,
    ScenarioChange,
    ScenarioError,
    apply_change,
    build_scenario,
    own_size,
    token_prices,
)

EXAMPLES = (
    "10000 users startup",
    "50,000 users enterprise soc2 gdpr",
    "1.5M users $80k prototype gpt-4o-mini cache 40%",
    "20k users self-hosted h100 3 regions 99.99",
    "5k users claude 2000/400 tokens 8 requests per day",
)
FOLLOW_UP_EXAMPLES = (
    "what if 50k users?",
    "with caching",
    "add hipaa",
    "use claude-haiku-4-5",
    "enterprise",
    "3 regions",
    "undo",
)


def unknown_message(unknown: tuple[str, ...], follow_up: bool = False) -> str:
    """One sentence naming the words not understood, and what to type instead."""
    shown = ", ".join(f"“{quote(word)}”" for word in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    if any(_place_like(word) for word in unknown[:5]):
        return (
            f"I didn't understand {shown}{more}. Regions are priced by how many, not where: "
            "say “2 regions” (and “gdpr” for the EU's data rules)."
        )
    frameworks = [word for word in unknown[:5] if word in _OTHER_FRAMEWORKS]
    if frameworks:
        return (
            f"I didn't understand {shown}{more}. aicost prices SOC 2, ISO 27001, HIPAA and GDPR "
            "(“soc2”, “iso27001”, “hipaa”, “gdpr”); "
            f"{', '.join(f'“{quote(w)}”' for w in frameworks)} "
            f"{'is' if len(frameworks) == 1 else 'are'} not among them yet."
        )
    if any(_currency_like(word) for word in unknown[:5]):
        return (
            f"I didn't understand {shown}{more}. Amounts are read in US dollars, e.g. “$50k "
            "prototype”; to show the estimate in another currency, set one in your own prices "
            "(`aicost --prices`, or the workspace settings in Slack)."
        )
    # A word that looks like a misspelt model name gets the closest real names, not examples.
    models = [(word, names) for word in unknown[:5] if (names := _model_like(word))]
    if models:
        hints = "; ".join(
            f"the closest to “{quote(w)}” are {', '.join(names)}" for w, names in models[:2]
        )
        return f"I didn't understand {shown}{more}. If it names a model, {hints}."
    examples = FOLLOW_UP_EXAMPLES[:4] if follow_up else EXAMPLES[:2]
    return (
        f"I didn't understand {shown}{more}. Try: " + " · ".join(f"“{e}”" for e in examples) + "."
    )


# Where people say their users are; the estimate prices how many regions, wherever they are.
_PLACES = {
    "eu", "europe", "european", "emea", "uk", "usa", "america", "americas", "latam",
    "asia", "apac", "india", "japan", "germany", "france", "canada", "australia", "global",
}  # fmt: skip
# A cloud's region id: AWS's "us-east-1", Google's "europe-west4" (never a model's name).
_CLOUD_REGION = re.compile(
    r"^(us|eu|ap|sa|ca|me|af|il|mx|europe|asia|australia|northamerica|southamerica|africa)"
    r"(-[a-z]+)+-?\d$"
)


# Compliance regimes people name that aicost does not price.
_OTHER_FRAMEWORKS = {
    "pci", "pci-dss", "pcidss", "fedramp", "ccpa", "cpra", "sox", "hitrust", "nist", "cmmc",
    "iso42001", "iso27701", "dora", "nis2", "glba", "ferpa", "coppa", "tisax",
}  # fmt: skip
# Another currency's amount or name: "€50k", "50k£", "eur", "pounds" (US dollars are read as "$").
_CURRENCY_SIGNS = "€£¥₹₩₽"
_CURRENCIES = {
    "eur", "euro", "euros", "gbp", "pound", "pounds", "sterling", "yen", "jpy", "inr", "rupee",
    "rupees", "cad", "aud", "chf", "cny", "rmb", "yuan", "sek", "nok", "dkk", "brl", "mxn",
}  # fmt: skip


def _currency_like(word: str) -> bool:
    return word in _CURRENCIES or any(sign in word for sign in _CURRENCY_SIGNS)


def _place_like(word: str) -> bool:
    return word in _PLACES or _CLOUD_REGION.match(word) is not None


def _model_like(word: str) -> list[str]:
    """Close model names for a word shaped like one (letters with digits or dashes, or close to
    a model family's name); [] for ordinary words."""
    shaped = any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)
    if not (shaped or "-" in word or difflib.get_close_matches(word, MODEL_HEADS, cutoff=0.75)):
        return []
    return closest_models(word, limit=3)


def quote(word: str) -> str:
    return word[:30] + ("…" if len(word) > 30 else "")


def first_scenario(text: str) -> Scenario:
    """The scenario a first request describes, or InputError saying what to type instead."""
    parsed = parse(text)
    if parsed.unknown:
        raise InputError(unknown_message(parsed.unknown))
    return scenario_from(parsed)


def scenario_from(parsed: Parsed) -> Scenario:
    """The scenario a first request describes: named compliance frameworks are the whole set."""
    if parsed.problems:
        raise InputError(parsed.problems[0])
    values = dict(parsed.change.set)
    if parsed.compliance_named or parsed.no_compliance:
        values["compliance"] = tuple(
            c for c in parsed.compliance_named if c not in parsed.change.remove_compliance
        )
    scenario = _build(values)
    if parsed.change.scale_users:
        scenario = _apply(scenario, ScenarioChange(scale_users=parsed.change.scale_users))
    return scenario


def follow_up(current: Scenario, parsed: Parsed) -> Scenario:
    """The scenario after a follow-up change; InputError (with the allowed range) when invalid."""
    if parsed.problems:
        raise InputError(parsed.problems[0])
    change = parsed.change
    if parsed.no_compliance:
        change = change.merged(ScenarioChange(remove_compliance=tuple(Compliance)))
    return _apply(current, change)


def notes_for(parsed: Parsed, scenario: Scenario) -> tuple[str, ...]:
    """Sentences about words that were read but changed nothing, or were read a particular way."""
    notes = list(parsed.notes)
    precision = parsed.change.set.get("precision")
    if precision is not None and scenario.hosting is Hosting.api:
        notes.append(
            f"“{precision}” was ignored: weight precision matters only when you self-host an "
            f"open model, and this estimate runs {scenario.model} on its provider's API."
        )
    return tuple(notes)


def _build(values: dict[str, Any]) -> Scenario:
    _check_model(values)
    try:
        return build_scenario(**values)
    except ScenarioError as exc:
        raise InputError(str(exc)) from None


def _apply(current: Scenario, change: ScenarioChange) -> Scenario:
    _check_model(change.set)
    try:
        return apply_change(current, change)
    except ScenarioError as exc:
        raise InputError(str(exc)) from None


def _check_model(values: dict[str, Any]) -> None:
    model = values.get("model")
    if model is None or own_size(model) is not None:  # an own model has no price to check
        return
    try:
        token_prices(model)
    except PricingError:
        raise InputError(unknown_model_message(model)) from None


def unknown_model_message(model: str) -> str:
    """The model is not one aicost can price: the closest real names, never the one typed."""
    shown = quote(model.strip()) or "(empty)"
    matches = closest_models(model)
    if matches:
        return f"Unknown model “{shown}”. Did you mean {', '.join(matches)}?"
    return f"Unknown model “{shown}”. Try gpt-4o-mini, claude-haiku-4-5 or gemini-2.5-flash."
