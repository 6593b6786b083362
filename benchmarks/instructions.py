"""Machine instructions per estimate, counted by valgrind's callgrind: a figure that does not
depend on what else the machine is doing, so checkouts can be compared on a shared, loaded
machine where seconds cannot.

Each checkout runs the same texts (the varied corpus of benchmarks/corpus.py, or one repeated
text), each estimated once with every figure an answer shows read; the run with no texts is
subtracted, so imports and warm-up (ten other texts of the corpus) do not count.

Run: python benchmarks/instructions.py [--texts 100] [--repeated] [--answers] [--tree CHECKOUT ...]
(valgrind is on the machine; each checkout takes a few minutes, under callgrind about 50x slower)

`--basic` reads what an estimate read before issue 17 made estimates complete (lines, totals,
phases, strategies; no sensitivity): the like-for-like figure for checkouts older than that.
`--own` prices every estimate with a workspace's own prices (its book looked up per estimate).
`--answers` counts a whole `/aicost` answer instead (`bot.slack.answers.request`: parse, the
complete estimate, the hosting tip's break-even, the five messages worded): what the bot's
estimate worker spends on each.

Each checkout's line also gives the garbage collections (young, middle, full) that ran inside
the measured texts: one full collection walks every object start-up left (0.2-0.25 M of an
estimate's instructions over 100 texts), so whether one falls inside the window moves the
figure. `--collected` runs `gc.collect()` after the warm-up in every checkout, so each starts
the texts from the same collector state; report it beside the as-measured figure, not instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM = 10
sys.path.insert(0, str(ROOT))

# Run inside each checkout: estimate the first N texts once each.
PROGRAM = """
import json, sys
warm, texts = json.load(open(sys.argv[1]))
basic = sys.argv[2] == "basic"
from bot.parsing import first_scenario
from estimator.estimate import estimate
if sys.argv[2] == "answers":
    from bot.slack.answers import request as answer
def once(text):
    if sys.argv[2] == "answers":
        answer(text)
        return
    s = first_scenario(text)
    priced = () if OWN is None else (BOOK(OWN),)  # a workspace's book, looked up per request
    e = estimate(s, *priced, complete=False) if basic and _complete else estimate(s, *priced)
    e.phases, e.strategies
OWN = BOOK = None
if sys.argv[4] == "own":  # the own prices of estimator_throughput.py's row (EUR, UK, x1.1, -15%)
    from estimator.overrides import PriceOverrides
    OWN = PriceOverrides(currency={"code": "EUR", "per_usd": 0.92}, salary_region="UK",
                         provider_discounts={"openai": 15}, cloud_multiplier=1.1)
    try:
        from estimator.price_book import price_book as BOOK
    except ImportError:  # before the price book: estimate() took the overrides themselves
        BOOK = lambda own: own
import gc, inspect
_complete = "complete" in inspect.signature(estimate).parameters
for text in warm:  # warm-up: imports, data files, once-per-process tables, price lookups
    once(text)
if sys.argv[3] == "collected":
    gc.collect()
runs = [0, 0, 0]  # collections of the young, middle and oldest generation in the window
def collecting(phase, info):
    if phase == "start":
        runs[info["generation"]] += 1
gc.callbacks.append(collecting)
for text in texts:
    once(text)
gc.callbacks.remove(collecting)
print("collections", *runs)
"""


def instructions(
    tree: Path, warm: list[str], texts: list[str], mode: str, collected: bool, own: bool = False
) -> tuple[int, list[int]]:
    """Instructions of the whole program, and the collections of each generation (young,
    middle, full) the garbage collector ran while it estimated `texts`."""
    with tempfile.TemporaryDirectory() as tmp:
        given, program = Path(tmp, "texts.json"), Path(tmp, "run.py")
        given.write_text(json.dumps([warm, texts]))
        program.write_text(PROGRAM)
        out = Path(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
             str(program), str(given), mode, "collected" if collected else "as-is",
             "own" if own else "bundled"],
            cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count for {tree}:\n{run.stderr[-2000:]}")
    runs = re.search(r"^collections (\d+) (\d+) (\d+)$", run.stdout, re.M)
    if runs is None:
        raise SystemExit(f"{tree}: the program printed no collections:\n{run.stdout[-2000:]}")
    return int(found.group(1)), [int(n) for n in runs.groups()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=100)
    parser.add_argument("--repeated", action="store_true", help='"10000 users startup" each time')
    parser.add_argument("--basic", action="store_true", help="no sensitivity (older checkouts)")
    parser.add_argument("--answers", action="store_true", help="whole Slack answers, worded")
    parser.add_argument("--tree", action="append", type=Path, default=[])
    parser.add_argument(
        "--collected",
        action="store_true",
        help="gc.collect() after the warm-up, so every checkout starts the texts from the same "
        "collector state (no full collection due from start-up falls inside the texts)",
    )
    parser.add_argument(
        "--own",
        action="store_true",
        help="with a workspace's own prices (EUR, UK salaries, x1.1 cloud, -15%% openai), its "
        "price book looked up per estimate as a request does",
    )
    args = parser.parse_args()
    from benchmarks.corpus import texts as corpus

    # Ten texts of the corpus beyond the measured ones warm each checkout up, so what a process
    # builds once (model tables, the open-model catalogue) is not counted as an estimate's.
    warm = corpus(args.texts + WARM)[args.texts :]
    texts = ["10000 users startup"] * args.texts if args.repeated else corpus(args.texts)
    mode = "answers" if args.answers else "basic" if args.basic else "complete"
    read = {"answers": "whole answers worded", "basic": "basic figures read",
            "complete": "every figure an answer shows read"}[mode]  # fmt: skip
    start = "collected after the warm-up" if args.collected else "as measured"
    prices = ", own prices" if args.own else ""
    print(
        f"{len(texts)} {'repeated' if args.repeated else 'varied'} texts, {read}{prices}, {start}"
    )
    for tree in [ROOT, *args.tree]:
        measured, runs = instructions(tree, warm, texts, mode, args.collected, args.own)
        zero = instructions(tree, warm, [], mode, args.collected, args.own)[0]
        per = (measured - zero) / len(texts)
        each = "an answer" if args.answers else "an estimate"
        young, middle, full = runs
        print(
            f"{tree}: {per / 1e6:.2f} M instructions {each}; collections in the texts: "
            f"{young} young, {middle} middle, {full} full"
        )


if __name__ == "__main__":
    main()
