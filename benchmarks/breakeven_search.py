"""The break-even's search on typed requests: evaluations and CPU per break-even, for the full
bisection (a run-rate of each side at every point, as before the steps were read) and for the
search that stops once no step lies in its bracket (`estimator.breakeven.crossing` with the
sides' regime), both over the same sides, in alternating rounds; and that the two agree.

Run: python benchmarks/breakeven_search.py [--texts 600] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import texts
from bot.parsing import first_scenario
from estimator.breakeven import _regime, crossing, difference_at, pair, reading_at
from estimator.price_book import BUNDLED_BOOK
from estimator.run_rate import Points


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sides = []
    for text in texts(args.texts):
        try:
            sides.append(pair(first_scenario(text)))
        except ValueError:  # no self-hostable counterpart
            continue
    evaluations: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    found: dict[str, list[int | None]] = {}

    def full(self_hosted, api):
        at_self_hosted, at_api = reading_at(self_hosted), reading_at(api)

        def difference(users: int) -> float:
            evaluations["full bisection"] += 1
            return at_self_hosted(users) - at_api(users)

        return crossing(difference)

    def by_steps(self_hosted, api):  # as find_crossing searches
        points = Points(self_hosted, api, BUNDLED_BOOK)
        at = difference_at(self_hosted, api, BUNDLED_BOOK, points, signed=True)

        def difference(users: int) -> float:
            evaluations["stops at a step"] += 1
            return at(users)

        return crossing(difference, _regime(self_hosted, api, BUNDLED_BOOK, points))

    for _ in range(args.rounds):
        for name, search in (("full bisection", full), ("stops at a step", by_steps)):
            start = time.process_time()
            found[name] = [search(*pair_) for pair_ in sides]
            spent[name] += time.process_time() - start
    crossed = sum(users not in (None, 1) for users in found["full bisection"])
    print(f"load average {os.getloadavg()[0]:.1f}; {len(sides)} break-evens, {crossed} crossing")
    print(f"{'search':<18}{'evaluations':>12}{'ms each':>9}")
    for name in ("full bisection", "stops at a step"):
        runs = args.rounds * len(sides)
        print(f"{name:<18}{evaluations[name] / runs:>12.1f}{spent[name] / runs * 1e3:>9.2f}")
    agree = found["full bisection"] == found["stops at a step"]
    print("same user counts:", agree)


if __name__ == "__main__":
    main()
