"""The bundled data file (`data/costs.toml`), loaded once and read by dotted name.

Every price, range and assumption lives in the data file with its source and the date it was
checked. An estimate reads its figures from a price book (estimator/price_book.py), which starts
from these and puts an organisation's own prices over them; the few sizing constants and
wording that no price can change read the bundled file here directly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
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
def bundled_entry(name: str) -> Any:
    """A table of the bundled data file by dotted name, e.g. `article.model_optimization`."""
    node: Any = raw()
    for part in name.split("."):
        node = node[part]
    return node


@cache
def bundled_figure(name: str) -> Range:
    """A [low, high] figure of the bundled data file by dotted name."""
    table = bundled_entry(name)
    return Range(
        low=float(table["low"]),
        high=float(table["high"]),
        unit=str(table.get("unit", "")),
        source=str(table["source"]),
        checked=str(table["checked"]),
    )


def tier_for(tiers: Sequence[dict], ceiling: str, amount: float) -> dict:
    """The first of `tiers` (the data file lists them smallest first) whose `ceiling` holds
    `amount`; past the largest, the largest (its caller sizes what lies beyond). A plain loop:
    this runs for every estimate and usage variant."""
    for tier in tiers:
        if amount <= tier[ceiling]:
            return tier
    return tiers[-1]


DAYS_PER_MONTH: int = raw()["meta"]["days_per_month"]
HOURS_PER_MONTH: int = raw()["meta"]["hours_per_month"]
WORK_HOURS_PER_YEAR: int = raw()["meta"]["work_hours_per_year"]
