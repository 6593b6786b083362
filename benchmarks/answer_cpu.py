"""CPU one /aicost answer costs the estimate worker (`bot.slack.answers.request`: parse, estimate,
break-even, sensitivity, the five messages worded), on the varied corpus and on one repeated
text, for this checkout and, with --before REF, the bot at git REF, in alternating rounds.

Run: python benchmarks/answer_cpu.py [--count 300] [--rounds 3] [--before 89a51d1] [--stages]

Each round runs every checkout in a fresh process (so nothing is remembered from a round before)
over the same `--count` distinct texts (benchmarks/corpus.py), then the repeated text as many
times; figures are CPU time (process_time), medians over the rounds. --stages adds, for this
checkout, where a varied answer's time goes (cProfile, cumulative, per answer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import texts  # noqa: E402

CHILD = """
import json, sys, time
from bot.slack import answers
texts = json.load(open(sys.argv[1]))
answers.request("10000 users startup")  # imports, price tables
started = time.process_time()
for t in texts:
    answers.request(t)
varied = (time.process_time() - started) / len(texts)
started = time.process_time()
for _ in texts:
    answers.request("10000 users startup")
repeated = (time.process_time() - started) / len(texts)
print(json.dumps({"varied_ms": varied * 1000, "repeated_ms": repeated * 1000}))
"""

# Functions whose cumulative time makes a stage of a varied answer (this checkout's names).
STAGES = (
    ("parse (text to scenario)", "bot/parsing", "parse"),
    ("estimate() of the scenario", "estimator/estimate.py", "estimate"),
    ("break-even of the hosting tip", "bot/slack/answers.py", "_breakeven"),
    ("sensitivity", "estimator/estimate.py", "sensitivity"),
    ("estimate message worded", "bot/slack/messages/estimate.py", "estimate_message"),
    ("thread tips worded", "bot/slack/messages/tips.py", "thread_tips"),
)


def run(tree: Path, corpus_file: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, corpus_file],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def stages(corpus: list[str]) -> None:
    import cProfile
    import pstats

    from bot.slack import answers

    answers.request("10000 users startup")
    profile = cProfile.Profile()
    profile.enable()
    for t in corpus:
        answers.request(t)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values()) / len(corpus)
    print(f"\nwhere a varied answer's time goes (this checkout, cProfile, {total * 1000:.2f} ms "
          f"an answer under the profiler):")  # fmt: skip
    for label, path, name in STAGES:
        cumulative = sum(ct for (f, _, fn), (_, _, _, ct, _) in stats.items()
                         if fn == name and path in f)  # fmt: skip
        print(f"  {label:<32}{cumulative / len(corpus) * 1000:>8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", action="append", default=[])
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    from benchmarks.replicas import checkout

    corpus = texts(args.count)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(corpus, f)
    trees = [("this checkout", ROOT)] + [(f"@{ref[:7]}", checkout(ref)) for ref in args.before]
    figures: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
    for round_ in range(args.rounds):
        for name, tree in trees if round_ % 2 == 0 else trees[::-1]:
            figures[name].append(run(tree, f.name))
    print(f"CPU per answer, {args.count} distinct texts, median of {args.rounds} rounds")
    print(f"{'bot':<16}{'varied':>10}{'repeated':>10}")
    for name, runs in figures.items():
        varied = statistics.median(r["varied_ms"] for r in runs)
        repeated = statistics.median(r["repeated_ms"] for r in runs)
        print(f"{name:<16}{varied:>8.2f}ms{repeated:>8.2f}ms")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    if args.stages:
        stages(corpus)


if __name__ == "__main__":
    main()
