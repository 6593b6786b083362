"""`aicost --json` for a corpus of varied requests, dumped so two checkouts can be compared: a
speed-up of the estimator must not change one figure or word of an estimate or break-even.

    PYTHONPATH=<old checkout> python benchmarks/json_identity.py --out /tmp/before.json
    PYTHONPATH=<new checkout> python benchmarks/json_identity.py --out /tmp/after.json
    python benchmarks/json_identity.py --compare /tmp/before.json /tmp/after.json

The corpus: benchmarks/corpus.py's typed requests (every stage, 1k-10M users, API and
self-hosted models, regions, compliance, usage figures), each as an estimate's JSON (lines,
bases, totals, phases, strategies, levers, sensitivity) and, where self-hosting can be compared,
its break-even's JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def dump(count: int) -> dict[str, object]:
    from benchmarks.corpus import texts
    from bot.parsing import first_scenario
    from estimator import break_even, estimate

    out: dict[str, object] = {}
    for text in texts(count):
        s = first_scenario(text)
        # The estimate's own document (its break-even follows), as any checkout writes it.
        entry: dict[str, object] = {"estimate": json.loads(json.dumps(estimate(s).to_dict()))}
        try:
            entry["break_even"] = break_even(s).to_dict()
        except ValueError as exc:  # no self-hostable counterpart: its sentence
            entry["break_even"] = str(exc)
        out[text] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--compare", nargs=2)
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(Path(path).read_text()) for path in args.compare)
        differ = [text for text in before if before[text] != after.get(text)]
        print(f"{len(before)} requests, {len(differ)} differ")
        for text in differ[:10]:
            print(" ", text)
        sys.exit(1 if differ or set(before) != set(after) else 0)
    Path(args.out).write_text(json.dumps(dump(args.count), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
