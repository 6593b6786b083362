"""A scenario as named fields (a scenario file, an MCP tool's input) and its one-line errors.

The fields are the estimator's own scenario fields, every one optional (the stage's defaults fill
the rest), with their ranges in the JSON Schema. Ranges are checked by the estimator, so a value
out of range gets the sentence the terminal gives; the error also names the key.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from bot.parsing import read_number
from estimator.scenario import (
    FIELD_NAMES,
    UPTIME_TARGETS,
    Compliance,
    Scenario,
    ScenarioError,
    build_scenario,
    field_bounds,
)
from estimator.token_prices import PricingError

# What each field is measured in, for the schema (the estimator's descriptions say what it is).
UNITS = {
    "stage": "startup, midsize or enterprise; its defaults fill every field not given",
    "users": "a count",
    "prototype_cost": "what building the prototype cost",
    "daily_active_share": "0 to 1 (0.3 = 30%)",
    "requests_per_active_user_per_day": "LLM requests",
    "input_tokens": "prompt and context",
    "output_tokens": "tokens generated",
    "model": "a model id as genai-prices names it, e.g. gpt-4o-mini, claude-haiku-4-5",
    "cache_hit_rate": "0 to 0.95: the share of requests answered from a response cache",
    "prompt_cache_share": "0 to 1: the share read from the provider's prompt cache",
    "regions": "a count of regions served",
    "compliance": "a list (or one) of soc2, gdpr, hipaa, iso27001",
    "uptime": "99.5, 99.9 or 99.99",
    "stored_records": "records kept in the database; by default it follows users",
    "hosting": "'api' (a provider's API) or 'self-hosted' (open weights on rented GPUs)",
    "gpu": "h100, h200, a100 or l4",
    "precision": "bf16 or fp8",
    "monthly_user_growth": "0 to 1 (0.1 = 10% more users each month)",
}
SHARES = frozenset(
    {"daily_active_share", "cache_hit_rate", "prompt_cache_share", "monthly_user_growth"}
)


def _field(name: str) -> tuple[Any, Any]:
    info = Scenario.model_fields[name]
    annotation: Any = info.annotation
    if name == "compliance":
        annotation = list[Compliance] | Compliance
    extra: dict[str, Any] = {}
    bounds = field_bounds(name)
    if bounds is not None:
        extra = {"minimum": bounds[0], "maximum": bounds[1]}
    if name == "uptime":
        extra = {"enum": list(UPTIME_TARGETS)}
    # The range is advertised, not enforced here: the estimator's check words the error.
    described = f"{info.description}: {UNITS[name]}" if name in UNITS else info.description
    return annotation | None, Field(None, description=described, json_schema_extra=extra or None)


ScenarioFields: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "ScenarioFields",
    __config__=ConfigDict(extra="forbid"),
    __doc__="A production scenario; every field is optional (the stage's defaults fill the rest).",
    **{name: _field(name) for name in FIELD_NAMES},
)


class FieldError(ValueError):
    """A scenario field the estimator cannot take; `key` names it, the message says what is
    allowed (the terminal's sentence)."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key


def fields_from(data: dict[str, Any]) -> dict[str, Any]:
    """The scenario values in `data` (unknown keys and wrong types: FieldError), typed numbers
    like "10k" or "30%" read as the terminal reads them; fields not given are left out."""
    unknown = sorted(set(data) - set(FIELD_NAMES))
    if unknown:
        raise FieldError(
            unknown[0], f"unknown key {unknown[0]!r}: the keys are {', '.join(FIELD_NAMES)}."
        )
    values = {name: _number(name, value) for name, value in data.items() if value is not None}
    try:
        typed = ScenarioFields.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][0]) if error["loc"] else None
        raise FieldError(key, _allowed(key, values.get(key or ""))) from None
    return typed.model_dump(exclude_none=True)


def _number(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name not in Scenario.model_fields:
        return value
    if Scenario.model_fields[name].annotation not in (int, float):
        return value
    read = read_number(value, as_percent=name in SHARES)
    return value if read is None else (int(read) if read == int(read) else read)


def _allowed(key: str | None, got: Any) -> str:
    """What `key` takes, for a value of the wrong type."""
    if key is None:
        return "the scenario is a table of keys and values."
    bounds = field_bounds(key)
    kind = Scenario.model_fields[key].annotation if key in Scenario.model_fields else None
    if key == "uptime":
        allowed = "one of 99.5, 99.9 or 99.99"
    elif bounds is not None:
        whole = "a whole number" if kind is int else "a number"
        allowed = f"{whole} from {_plain(bounds[0])} to {_plain(bounds[1])}"
    elif isinstance(kind, type) and issubclass(kind, Enum):
        allowed = "one of " + ", ".join(str(member.value) for member in kind)
    elif key == "model":
        allowed = "a model id, e.g. gpt-4o-mini"
    else:
        allowed = UNITS.get(key, "see `aicost schema`")
    return f"{key} takes {allowed} (got {got!r})."


def _plain(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def scenario_of(values: dict[str, Any]) -> Scenario:
    """The scenario the values describe, or FieldError with the terminal's sentence."""
    try:
        return build_scenario(**values)
    except ScenarioError as exc:
        raise FieldError(_failing_key(values), str(exc)) from None


def _failing_key(values: dict[str, Any]) -> str | None:
    """Which key the estimator refused (asked again only on the error path)."""
    try:
        Scenario(**values)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        return str(loc[0]) if loc else ("model" if "model" in values else None)
    except PricingError:
        return "model"
    return None
