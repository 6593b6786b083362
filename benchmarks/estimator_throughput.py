"""Estimates per second, parse included, on one core: on the varied corpus of what people type
(benchmarks/corpus.py, 600 distinct requests taken in turn: no estimate is cached whole, while
the estimator's caches of parts, such as a model's price for given token counts, fill as a day
of traffic fills them) and on one repeated text.

Run: python benchmarks/estimator_throughput.py [--seconds 3]

Prints these rows measured in the same run:
- baseline: one bare genai-prices calc_price call (no parse, no estimate), for scale;
- varied: parse one of the corpus's texts + estimate() with every figure read (lines, totals,
  phases, strategies, savings), then the same with the break-even and the sensitivity that an
  answer in Slack shows (the hosting tip and the sensitivity section);
- estimate: parse "10000 users startup" + estimate() with all its figures read (lines, totals,
  phases, strategies, savings; the wording of basis/advice is produced when read): one text
  repeated, the figure reported before the varied corpus existed;
- totals only: parse + estimate(complete=False) reading its totals, as a what-if's, a break-even
  step's or a comparison option's does (before `complete` existed: estimate(), which was lazy);
- estimate + JSON: the same plus to_dict(), which words every basis, strategy and lever and
  computes the sensitivity (six re-estimates, done only when read);
- estimate with own prices: the same as "estimate" with a workspace's prices (EUR, an openai
  discount, UK salaries, a cloud multiplier): their price book (looked up per estimate, as a
  request does), and each cost part priced again without the file's entries and without the
  multiplier to say which lines they moved.
Target (issue 24): at least 20,000 estimates/s on the varied row (no overrides).
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Measure the checkout this script sits in, not whichever one is installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genai_prices import Usage, calc_price

from benchmarks.corpus import texts
from bot.parsing import first_scenario
from estimator.breakeven import break_even
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


def answer_figures(e: Estimate) -> Estimate:
    """What a Slack answer reads beyond the estimate: the break-even and the sensitivity."""
    every_figure(e)
    break_even(e.scenario)
    e.sensitivity  # noqa: B018
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
    corpus = itertools.cycle(texts(600))
    rows = [
        ("baseline: one genai-prices calc_price", lambda: calc_price(usage, "gpt-4o-mini")),
        (
            "varied: parse + estimate",
            lambda: every_figure(estimate(first_scenario(next(corpus)))),
        ),
        (
            "varied: + break-even and sensitivity",
            lambda: answer_figures(estimate(first_scenario(next(corpus)))),
        ),
        (
            "one text repeated: parse + estimate",
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
    print(f"machine: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, work in rows:
        per_second = rate(work, args.seconds)
        print(f"{name:<40}{per_second:>12,.0f}{1e6 / per_second:>10.0f}")


if __name__ == "__main__":
    main()
