"""Charts drawn for Slack, in the chart worker (bot/slack/workers.py runs this module's functions).

A chart takes hundreds of times an estimate's CPU ("Performance idioms" in docs/architecture.md),
so it is drawn in its own low-priority process after the estimate and its tips are posted, never
on the event loop and never in the estimate worker. Everything in and out pickles: scenarios in, PNG
bytes out. The estimate is recomputed here from the same scenario the thread stores (the
estimator is deterministic), so the picture shows the numbers the thread shows.
"""

from __future__ import annotations

import gc
import sys

from bot.charts import comparison_chart_png, curve_users, estimate_chart_png
from estimator import (
    PriceOverrides,
    Scenario,
    compare,
    estimate,
    price_book,
)


def estimate_chart(scenario: Scenario, overrides: PriceOverrides | None = None) -> bytes:
    """The estimate chart (first year by category, phases, cost per user) as a PNG, priced with
    the workspace's prices and labelled in its currency, like the thread it goes in."""
    prices = price_book(overrides)
    return _freed(estimate_chart_png(estimate(scenario, prices, curve_at=curve_users(scenario))))


def comparison_chart(
    options: tuple[tuple[str, Scenario], ...], overrides: PriceOverrides | None = None
) -> bytes:
    """The comparison chart of (label, scenario) options as a PNG."""
    prices = price_book(overrides)
    return _freed(comparison_chart_png(compare(options, prices)))


def _freed(png: bytes) -> bytes:
    """The chart's figure is freed before the next is drawn. A matplotlib figure is a web of
    reference cycles (figure, axes, artists, the Agg renderer and its pixels), which only the
    collector's rare full pass frees: left to it, the worker grew by about 10 MB a chart
    (docs/benchmarks.md). What the first chart leaves (matplotlib, its fonts, the price tables)
    lives for good, so in the worker it is frozen out of the collections, which then cost a few
    milliseconds against a chart's hundreds (called in-process, as tests do, nothing is frozen)."""
    gc.collect()
    if not gc.get_freeze_count() and _in_the_chart_worker():
        gc.freeze()
    return png


def _in_the_chart_worker() -> bool:
    main = sys.modules.get("__main__")
    return getattr(getattr(main, "__spec__", None), "name", None) == "bot.slack.workers"


def warm_up() -> None:
    """Import matplotlib and draw once, so the first user's chart does not pay for it."""
    from bot.parsing import first_scenario

    estimate_chart(first_scenario("10000 users startup"))
