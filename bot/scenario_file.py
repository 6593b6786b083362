"""Scenario files (`aicost -f plan.toml`): TOML, YAML or JSON, one scenario or several named ones.

A file's top-level keys are scenario fields shared by every scenario; an optional `scenarios` table
names scenarios, each with the fields it changes. Every error is one line naming the file, the key
and what it takes.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.scenario_input import FieldError, ScenarioFields, fields_from, scenario_of
from estimator import MAX_OPTIONS
from estimator.scenario import Scenario

SCENARIOS_KEY = "scenarios"
SUFFIXES = (".toml", ".yaml", ".yml", ".json")
MAX_BYTES = 1_000_000  # a plan is a few hundred bytes; anything this large is the wrong file


class PlanFileError(ValueError):
    """A scenario file that cannot be read or holds a value the estimator refuses; one line."""


def read_plan(path: Path) -> list[tuple[str, Scenario]]:
    """(name, scenario) for each scenario in the file, in the file's order; one scenario is named
    after the file."""
    data = _load(path)
    named = data.pop(SCENARIOS_KEY, None)
    if named is None:
        return [(path.stem, _scenario(path, "", data))]
    if not isinstance(named, dict) or not named:
        raise PlanFileError(
            f"{path}: {SCENARIOS_KEY} takes a table of named scenarios, e.g. "
            f"[{SCENARIOS_KEY}.api] with the fields each one changes."
        )
    if len(named) > MAX_OPTIONS:
        raise PlanFileError(
            f"{path}: {SCENARIOS_KEY} holds {len(named)} scenarios; up to {MAX_OPTIONS} "
            "compare side by side: split the file."
        )
    plans = []
    for name, fields in named.items():
        if not isinstance(fields, dict):
            raise PlanFileError(
                f"{path}: {SCENARIOS_KEY}.{name} takes a table of scenario fields (got {fields!r})."
            )
        plans.append((str(name), _scenario(path, f"{SCENARIOS_KEY}.{name}.", {**data, **fields})))
    return plans


def _scenario(path: Path, where: str, data: dict[str, Any]) -> Scenario:
    try:
        return scenario_of(fields_from(data))
    except FieldError as exc:
        key = f"{where}{exc.key}" if exc.key else where.rstrip(".") or "scenario"
        raise PlanFileError(f"{path}: {key}: {exc}") from None


def _load(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanFileError(f"{path}: a scenario file ends in {', '.join(SUFFIXES)}.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read it: {exc.strerror or exc}.") from None
    if len(raw) > MAX_BYTES:
        raise PlanFileError(f"{path}: over {MAX_BYTES:,} bytes; a scenario file is a few lines.")
    try:
        text = raw.decode("utf-8-sig")
        if suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise PlanFileError(f"{path}: not UTF-8 text.") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlanFileError(f"{path}: not valid {suffix.lstrip('.').upper()}: {first}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlanFileError(f"{path}: the file takes a table of scenario fields at the top.")
    return data


def file_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file: scenario fields, plus named `scenarios`."""
    fields = ScenarioFields.model_json_schema()
    defs = fields.pop("$defs", {})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "aicost scenario file",
        "description": (
            "Top-level keys are scenario fields shared by every scenario. An optional "
            f"`{SCENARIOS_KEY}` table names up to {MAX_OPTIONS} scenarios, each with the fields it "
            "changes; they are compared side by side."
        ),
        "type": "object",
        "properties": {
            **fields["properties"],
            SCENARIOS_KEY: {
                "type": "object",
                "description": "named scenarios, each a table of the fields it changes",
                "minProperties": 1,
                "maxProperties": MAX_OPTIONS,
                "additionalProperties": {"$ref": "#/$defs/ScenarioFields"},
            },
        },
        "additionalProperties": False,
        "$defs": {**defs, "ScenarioFields": {**fields, "title": "ScenarioFields"}},
    }
