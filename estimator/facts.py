"""The figures file (`data/costs.toml`), loaded once and read by name.

Every price, range and assumption lives in the data file with its source and the date it was
checked; the estimator asks for them here by dotted name, so one name can be grepped in both.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Range:
    """A [low, high] figure with where it came from."""

    low: float
    high: float
    unit: str
    source: str
    checked: str


@cache
def raw() -> dict[str, Any]:
    """The parsed data file."""
    text = resources.files("estimator").joinpath("data/costs.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def entry(name: str) -> Any:
    """A table of the data file by dotted name, e.g. `article.model_optimization`."""
    node: Any = raw()
    for part in name.split("."):
        node = node[part]
    return node


@cache
def figure(name: str) -> Range:
    """A [low, high] figure by dotted name."""
    table = entry(name)
    return Range(
        low=float(table["low"]),
        high=float(table["high"]),
        unit=str(table.get("unit", "")),
        source=str(table["source"]),
        checked=str(table["checked"]),
    )


DAYS_PER_MONTH: int = raw()["meta"]["days_per_month"]
HOURS_PER_MONTH: int = raw()["meta"]["hours_per_month"]
WORK_HOURS_PER_YEAR: int = raw()["meta"]["work_hours_per_year"]
