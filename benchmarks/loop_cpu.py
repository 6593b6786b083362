"""CPU per answer of the bot's event-loop process, this checkout against another (e.g. main), in
the same run: bot_latency.py's varied load (distinct /aicost texts, then follow-ups and clicks
in their threads, 20 in flight), the two bots taking turns round after round.

Run: python benchmarks/loop_cpu.py --baseline /work/main [--commands 100] [--rounds 12]

CPU is read from /proc/<pid>/task/*/schedstat (time run by every thread of the process serving
HTTP; "family" adds its estimate worker), not wall time. It still moves with what else the
machine runs (caches, cores shared): on the shared 2-core machine the same round's figure
differs by a third from one round to the next, so compare the medians of many alternating
rounds of one run, or count instructions (benchmarks/loop_instructions.py), which repeat.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchmarks.bot_latency as bot_latency  # noqa: E402
from benchmarks.bot_latency import (  # noqa: E402
    BOT_ENV,
    App,
    alternating_rounds,
    make_load,
    with_redis,
)
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402


def cpu_seconds(app: BotProcess) -> tuple[float, float]:
    """(CPU of the whole family, CPU of the process serving HTTP), in nanoseconds' precision
    (/proc/<pid>/task/<tid>/schedstat: time run, every thread): bot_latency's clock ticks are
    10 ms, a round's loop spends about 100."""
    per_process = []
    for pid in app.family():
        total = 0
        for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(task.read_text().split()[0])
            except (OSError, IndexError):  # a thread gone between listing and reading
                continue
        per_process.append(total / 1e9)
    return sum(per_process), per_process[0]


bot_latency.cpu_seconds = cpu_seconds  # one_round reads it


async def run(args: argparse.Namespace, redis_url: str) -> None:
    async with FakeSlack(validate=False) as slack:
        load = await make_load(slack, redis_url, args)
        apps = []
        for name, tag, tree in (("baseline", "BASE", args.baseline), ("this", "THIS", ROOT)):
            process = BotProcess(slack.base_url, redis_url, extra_env=BOT_ENV)
            process.cwd = tree
            apps.append(App(f"{name} ({tree})", tag, process))
        for app in apps:
            await app.process.start()
        try:
            async with aiohttp.ClientSession() as session:
                await alternating_rounds(apps, slack, load, args, session)
        finally:
            for app in apps:
                await app.process.stop()
    report(apps, args)


def report(apps: list[App], args: argparse.Namespace) -> None:
    print(f"{args.rounds} rounds of {args.commands} varied commands and their follow-ups, "
          f"{args.concurrency} in flight; ms of CPU per answer, each round")  # fmt: skip
    for app in apps:
        rounds = " ".join(f"{ms:.2f}" for ms in app.loop_cpu_ms)
        print(f"{app.name}\n  loop:   median {statistics.median(app.loop_cpu_ms):.2f} ({rounds})")
        rounds = " ".join(f"{ms:.2f}" for ms in app.cpu_ms)
        print(f"  family: median {statistics.median(app.cpu_ms):.2f} ({rounds})")
        print(f"  answers/s median {statistics.median(app.rates):.1f}, lost {app.lost}")
    base, this = apps
    ratios = [b / a for a, b in zip(base.loop_cpu_ms, this.loop_cpu_ms, strict=True)]
    print(
        f"loop CPU this/baseline, each round: {' '.join(f'{r:.2f}' for r in ratios)}; "
        f"median {statistics.median(ratios):.2f}"
    )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=12)
    parser.set_defaults(traffic="varied")
    return parser


if __name__ == "__main__":
    asyncio.run(with_redis(run, arguments().parse_args()))
