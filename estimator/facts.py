"""The figures file (`data/costs.toml`), loaded once and read by name.

Every price, range and assumption lives in the data file with its source and the date it was
checked; the estimator asks for them here by dotted name, so one name can be grepped in both.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol


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


class Book(Protocol):
    """An organisation's prices over the bundled ones (estimator.prices.PriceBook)."""

    def figure(self, name: str) -> Range: ...

    def entry(self, name: str) -> Any: ...


# The price book of the estimate being made, if any; None (the usual case) is the bundled file.
_BOOK: ContextVar[Book | None] = ContextVar("aicost_price_book", default=None)


# The active price book (estimator.prices.PriceBook), or None: the ContextVar's own getter, so the
# hot paths that key their caches on it pay no Python call.
active: Callable[[], Any] = _BOOK.get


def entry(name: str) -> Any:
    """A table of the data file by dotted name, with the active price book's fields over it."""
    book = _BOOK.get()
    return bundled_entry(name) if book is None else book.entry(name)


def figure(name: str) -> Range:
    """A [low, high] figure by dotted name, from the active price book if there is one."""
    book = _BOOK.get()
    return bundled_figure(name) if book is None else book.figure(name)


# --- figures the cost modules hold from import time ------------------------------------------
# A module keeps `_OVERHEAD = facts.live("traffic.llm_overhead")` and reads `_OVERHEAD.low` in its
# hot loops as a plain attribute (an estimate reads a few hundred of them; a property consulting
# the price book on each read cost 10% of the estimator's throughput). `using(book)` fills every
# held figure from the book on entry and back on exit. Estimates are synchronous, so the figures
# are never seen half-way; two threads must not estimate with different books at once (the bot
# estimates on one thread per process).


class LiveFigure:
    """A Range a module holds, filled from the active price book (see `using`)."""

    __slots__ = ("checked", "high", "low", "module", "name", "source", "unit")

    def __init__(self, name: str, module: str = "") -> None:
        self.name = name
        self.module = module  # which module holds it: names the figures a cost line may use
        self.fill(bundled_figure(name))

    def fill(self, r: Range) -> None:
        self.low, self.high, self.unit, self.source, self.checked = (
            r.low,
            r.high,
            r.unit,
            r.source,
            r.checked,
        )


class LiveTable(dict):
    """A table a module holds, filled from the active price book (see `using`)."""

    __slots__ = ("module", "name")

    def __init__(self, name: str, module: str = "") -> None:
        super().__init__(bundled_entry(name))
        self.name = name
        self.module = module

    def fill(self, table: dict[str, Any]) -> None:
        self.clear()
        self.update(table)


class LiveList(list):
    """A list of tables (e.g. database tiers) a module holds, filled like LiveTable."""

    __slots__ = ("module", "name")

    def __init__(self, name: str, module: str = "") -> None:
        super().__init__(bundled_entry(name))
        self.name = name
        self.module = module

    def fill(self, tables: list[Any]) -> None:
        self[:] = tables


_HELD: list[LiveFigure | LiveTable | LiveList] = []
_filled: list[Book | None] = [None]  # the book the held figures hold now


def live(name: str) -> LiveFigure:
    held = LiveFigure(name, sys._getframe(1).f_globals.get("__name__", ""))
    _HELD.append(held)
    return held


def live_entry(name: str) -> Any:
    module = sys._getframe(1).f_globals.get("__name__", "")
    kind = LiveList if isinstance(bundled_entry(name), list) else LiveTable
    held = kind(name, module)
    _HELD.append(held)
    return held


def tier_for(tiers: Sequence[dict], ceiling: str, amount: float) -> dict:
    """The first of `tiers` (the data file lists them smallest first) whose `ceiling` holds
    `amount`; past the largest, the largest (its caller sizes what lies beyond). A plain loop:
    this runs for every estimate and usage variant."""
    for tier in tiers:
        if amount <= tier[ceiling]:
            return tier
    return tiers[-1]


def held_by(module: str) -> tuple[str, ...]:
    """Names of the figures and tables `module` holds from import time."""
    return tuple(h.name for h in _HELD if h.module == module)


def _fill(book: Book | None) -> None:
    if _filled[0] is book:
        return
    for held in _HELD:
        if isinstance(held, LiveFigure):
            held.fill(bundled_figure(held.name) if book is None else book.figure(held.name))
        else:
            held.fill(bundled_entry(held.name) if book is None else book.entry(held.name))
    _filled[0] = book


@contextmanager
def using(book: Book | None) -> Iterator[None]:
    """Every figure read inside comes from `book` (None: the bundled file)."""
    before = _filled[0]
    token = _BOOK.set(book)
    _fill(book)
    try:
        yield
    finally:
        _BOOK.reset(token)
        _fill(before)


DAYS_PER_MONTH: int = raw()["meta"]["days_per_month"]
HOURS_PER_MONTH: int = raw()["meta"]["hours_per_month"]
WORK_HOURS_PER_YEAR: int = raw()["meta"]["work_hours_per_year"]
