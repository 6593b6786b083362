"""Where a varied estimate's time goes, stage by stage: the corpus of benchmarks/corpus.py, each
stage run over every text in turn (its caches warm, as a day of traffic warms them), timed on
one core. The stages are the calls estimate() makes, made one after another here with the
results of the stage before: their sum is close to a whole estimate's time (printed last).

Run: python benchmarks/estimator_stages.py [--texts 600] [--rounds 3] [--tree CHECKOUT]
(--tree: measure another checkout, e.g. a worktree of main, with this script)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(
    0,
    sys.argv[sys.argv.index("--tree") + 1]
    if "--tree" in sys.argv
    else str(Path(__file__).resolve().parents[1]),
)

from benchmarks.corpus import texts
from bot.parsing import first_scenario
from bot.parsing.parser import parse
from bot.parsing.scenarios import scenario_from
from estimator import breakdown
from estimator.costs import (
    engineering,
    inference,
    infrastructure,
    legal,
    regions,
    security,
    self_hosting,
    storage,
    support,
    team,
)
from estimator.estimate import estimate
from estimator.operations import managed_trade_off
from estimator.price_book import BUNDLED_BOOK as BOOK
from estimator.savings import savings
from estimator.scenario import Hosting
from estimator.totals import sum_lines
from estimator.traffic import traffic


def _fleet(s, t):
    return self_hosting.fleet(s, t, BOOK) if s.hosting is Hosting.self_hosted else None


def stages(corpus: list[str]) -> list[tuple[str, Callable[[int], object]]]:
    """(stage, work on the i-th text): each stage reads what the stages before made."""
    parsed = [parse(text) for text in corpus]
    scenarios = [scenario_from(p) for p in parsed]
    flows = [traffic(s, BOOK) for s in scenarios]
    fleets = [_fleet(s, t) for s, t in zip(scenarios, flows, strict=True)]
    lines = [breakdown.parts(s, t, BOOK).lines() for s, t in zip(scenarios, flows, strict=True)]
    managed = [managed_trade_off(items, BOOK) for items in lines]

    def each(i: int) -> tuple:
        return scenarios[i], flows[i], fleets[i]

    return [
        ("parse (text -> reading)", lambda i: parse(corpus[i])),
        ("scenario validation (pydantic)", lambda i: scenario_from(parsed[i])),
        ("traffic", lambda i: traffic(scenarios[i], BOOK)),
        ("GPU fleet (self-hosted only)", lambda i: _fleet(scenarios[i], flows[i])),
        ("infrastructure lines", lambda i: infrastructure.lines(*each(i)[:2], BOOK, fleets[i])),
        ("regions lines", lambda i: regions.lines(scenarios[i], flows[i], BOOK)),
        ("inference lines", lambda i: inference.lines(*each(i)[:2], BOOK, fleets[i])),
        ("engineering lines", lambda i: engineering.lines(scenarios[i], BOOK)),
        ("storage lines", lambda i: storage.lines(scenarios[i], flows[i], BOOK)),
        ("security lines", lambda i: security.lines(scenarios[i], BOOK)),
        ("team lines", lambda i: team.lines(scenarios[i], BOOK)),
        ("support lines", lambda i: support.lines(scenarios[i], BOOK)),
        ("legal lines", lambda i: legal.lines(scenarios[i], BOOK)),
        ("totals", lambda i: sum_lines(lines[i], scenarios[i].prototype_cost)),
        ("managed-service trade-off", lambda i: managed_trade_off(lines[i], BOOK)),
        ("levers (savings)", lambda i: savings(scenarios[i], managed[i], BOOK, flows[i])),
        (
            "estimate(complete=False), all above",
            lambda i: estimate(scenarios[i], BOOK, complete=False),
        ),
        ("phases (year two priced)", lambda i: _incomplete(scenarios[i]).phases),
        ("strategies + advice (10x priced)", lambda i: _advice(_incomplete(scenarios[i]))),
        ("sensitivity (6-8 usage variants)", lambda i: _incomplete(scenarios[i]).sensitivity),
        ("whole: parse + estimate, every figure read", lambda i: _whole(corpus[i])),
    ]


def _incomplete(s):
    """A new incomplete estimate, its lazy figures not yet computed: main takes the time of
    making one off the stage that reads a figure of it."""
    return estimate(s, BOOK, complete=False)


def _advice(e) -> list[str]:
    return [s.advice for s in e.strategies]


def _whole(text: str) -> object:
    e = estimate(first_scenario(text))
    return e.phases, [s.advice for s in e.strategies], e.sensitivity


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", help="the checkout measured (default: this one)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    corpus = texts(args.texts)
    work = stages(corpus)
    n = len(corpus)
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, stage in work:
            start = time.process_time()
            for i in range(n):
                stage(i)
            best[name] = min(best.get(name, 1e9), (time.process_time() - start) / n)
    # The lazy stages make an incomplete estimate first: take its time off.
    base = best["estimate(complete=False), all above"]
    tree = args.tree or Path(__file__).resolve().parents[1]
    print(f"{tree}: load average {os.getloadavg()[0]:.1f}; {n} texts, best of {args.rounds}")
    print(f"{'stage':<46}{'µs each':>10}")
    for name, _ in work:
        spent = (
            best[name] - base
            if name.startswith(("phases", "strategies", "sensitivity"))
            else best[name]
        )
        print(f"{name:<46}{spent * 1e6:>10.0f}")


if __name__ == "__main__":
    main()
