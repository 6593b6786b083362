"""Estimates per second for the standard scenario, parse included, on one core.

Run: python benchmarks/estimator_throughput.py [--seconds 3]

Prints five rows measured in the same run:
- baseline: one bare genai-prices calc_price call (no parse, no estimate), for scale;
- estimate: parse "10000 users startup" + estimate() with everything an answer reads (lines,
  totals, phases, strategies with their advice, savings, sensitivity): all computed by estimate()
  itself since the estimate is complete when returned, read on demand before that;
- totals only: parse + estimate(complete=False) reading its totals, as a what-if's, a break-even
  step's or a comparison option's does (before `complete` existed: estimate(), which was lazy);
- estimate + JSON: the same plus to_dict(), which words every basis, strategy and lever and
  computes the sensitivity (six re-estimates, done only when read);
- estimate with own prices: the same as "estimate" with a workspace's prices (EUR, an openai
  discount, UK salaries, a cloud multiplier): their price book (looked up per estimate, as a
  request does), and each cost part priced again without the file's entries and without the
  multiplier to say which lines they moved.
Target: at least 5,000 estimates/s for the "estimate" row (no overrides: the bundled fast path).
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Measure the checkout this script sits in, not whichever one is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genai_prices import Usage, calc_price

from bot.parsing import first_scenario
from estimator.estimate import Estimate, estimate
from estimator.overrides import PriceOverrides
from estimator.price_book import price_book

STANDARD = "10000 users startup"


def every_figure(e: Estimate) -> Estimate:
    """Read what the "estimate" row promises (and an answer shows): free once the estimate is
    complete, computed here by an estimate made on demand."""
    e.phases, [s.advice for s in e.strategies], e.sensitivity
    return e


# The same script measures checkouts from before `estimate(complete=...)`, whose estimate was lazy.
TOTALS_ONLY = {"complete": False} if "complete" in inspect.signature(estimate).parameters else {}


def rate(work: Callable[[], object], seconds: float) -> float:
    work()  # warm caches (price lookups, data file)
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            work()
        done += 100
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    usage = Usage(input_tokens=360_000_000, output_tokens=108_000_000)
    own = PriceOverrides(
        currency={"code": "EUR", "per_usd": 0.92},
        provider_discounts={"openai": 15},
        salary_region="UK",
        cloud_multiplier=1.1,
    )
    rows = [
        ("baseline: one genai-prices calc_price", lambda: calc_price(usage, "gpt-4o-mini")),
        (
            "estimate (parse + estimate)",
            lambda: every_figure(estimate(first_scenario(STANDARD))),
        ),
        (
            "totals only (what-if, break-even step)",
            lambda: estimate(first_scenario(STANDARD), **TOTALS_ONLY),
        ),
        (
            "estimate + JSON (every text worded)",
            lambda: estimate(first_scenario(STANDARD)).to_dict(),
        ),
        (
            "estimate with own prices",
            lambda: every_figure(estimate(first_scenario(STANDARD), price_book(own))),
        ),
    ]
    print(f"{'what':<40}{'per second':>12}{'µs each':>10}")
    for name, work in rows:
        per_second = rate(work, args.seconds)
        print(f"{name:<40}{per_second:>12,.0f}{1e6 / per_second:>10.0f}")


if __name__ == "__main__":
    main()
