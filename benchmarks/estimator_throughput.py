"""Estimates per second for the standard scenario, parse included, on one core.

Run: python benchmarks/estimator_throughput.py [--seconds 3]

Prints five rows measured in the same run:
- baseline: one bare genai-prices calc_price call (no parse, no estimate), for scale;
- estimate: parse "10000 users startup" + estimate() with all its figures read (lines, totals,
  phases, strategies, savings; the wording of basis/advice is produced when read);
- totals only: parse + estimate() reading its totals, as a what-if's, a break-even step's or a
  sensitivity re-estimate's does (phases and strategies are made only when read);
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
    """Read what the "estimate" row promises: phases and strategies are made when first read."""
    e.phases, e.strategies  # noqa: B018
    return e


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
        ("totals only (what-if, break-even step)", lambda: estimate(first_scenario(STANDARD))),
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
