"""Where the bot's memory is, process by process, with charts on (issue 24's memory targets).

Run: python benchmarks/memory_family.py [--commands 40] [--charts 15] [--rounds 2]
        [--before REF ...] [--chart-idle-seconds 30] [--thread-actions]

Starts the real bot (`python -m bot`, CHARTS=on as shipped) on loopback against the fake Slack and
a private redis-server (REDIS_URL's if set), and reads every process of its family (the bot, its
estimate worker, the chart worker while it runs) from /proc/<pid>/smaps_rollup at three moments:
  started  the bot answering /healthz and its estimate worker warmed up, before any command;
  busy     the highest family RSS sampled every 0.1 s while --commands distinct corpus texts
           (20 in flight) are answered (a burst gets few charts: past limits.CHARTS_OWED they
           are skipped), then --charts more one at a time, each waiting for its chart; with
           --thread-actions, then the corpus's follow-ups and button clicks in those threads
           (about 30% and 20% of them), until no answer has come for a while; then each process;
  idle     after the chart worker's quiet spell, once it has exited (as it does in production
           after CHART_IDLE_SECONDS; --chart-idle-seconds shortens the wait, not what is read).
RSS counts every page a process maps, shared ones in each process again (what issue 24's target
sums, and bot_latency.py's "idle RSS"); PSS splits shared pages between the processes that map
them; USS is what a process alone holds (freed if it exited). --before REF runs the bot at git
REF too (exported to a temporary directory), in alternating rounds, so both meet the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import conversations  # noqa: E402
from benchmarks.load import (  # noqa: E402
    Posts,
    send_commands,
    send_thread_actions,
    thread_actions,
)
from benchmarks.replicas import checkout  # noqa: E402
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

CONCURRENCY = 20
SAMPLE_SECONDS = 0.1
CHART_QUIET_SECONDS = 10.0  # longer than a chart takes on a loaded machine (chart_cost.py)
KINDS = {b"bot.slack.answers": "estimate worker", b"bot.slack.chart_worker": "chart worker"}


@dataclass(frozen=True)
class Reading:
    """One process's memory, in MB."""

    kind: str
    rss: float
    pss: float
    uss: float


def read(pid: int) -> Reading | None:
    """The process's smaps_rollup in MB; None if it has gone."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup}
    kind = next((name for key, name in KINDS.items() if key in command), "bot (event loop)")
    uss = kb["Private_Clean"] + kb["Private_Dirty"]
    return Reading(kind, kb["Rss"] / 1024, kb["Pss"] / 1024, uss / 1024)


def family(app: BotProcess) -> list[Reading]:
    return [r for pid in app.family() if (r := read(pid)) is not None]


@dataclass
class Run:
    """One checkout's readings over the rounds."""

    name: str
    tree: Path
    started: list[list[Reading]] = field(default_factory=list)
    busy: list[list[Reading]] = field(default_factory=list)
    peak_rss: list[float] = field(default_factory=list)
    idle: list[list[Reading]] = field(default_factory=list)
    charts: list[int] = field(default_factory=list)


async def one_round(run: Run, slack: FakeSlack, redis_url: str, round_: int, args) -> None:
    slack.reset()
    env = {
        "STATE_TTL_SECONDS": "3600",
        "CHARTS": "on",
        "CHART_IDLE_SECONDS": str(args.chart_idle_seconds),
        "PYTHONPATH": str(run.tree),
    }
    app = BotProcess(slack.base_url, redis_url, extra_env=env)
    app.cwd = run.tree
    await app.start()
    try:
        deadline = time.monotonic() + 60
        while json.loads((await app.get("/healthz"))[1]).get("estimate_workers", 0) < 1:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{run.name}: the estimate worker did not warm up")
            await asyncio.sleep(0.1)
        run.started.append(family(app))
        prefix = f"M{round_}{run.name[:1]}"
        peak = 0.0
        sampling = True

        async def sample() -> None:
            nonlocal peak
            while sampling:
                peak = max(peak, sum(r.rss for r in family(app)))
                await asyncio.sleep(SAMPLE_SECONDS)

        sampler = asyncio.create_task(sample())
        charts = lambda: len(slack.calls_to("files.completeUploadExternal"))  # noqa: E731
        people = conversations(args.commands + args.charts)  # the same texts as `texts`
        corpus = [c.text for c in people]
        async with aiohttp.ClientSession() as session:
            await send_commands(
                app, slack, prefix, range(args.commands), CONCURRENCY, session, corpus
            )
            posts = Posts(slack, prefix, top_level_only=True)
            await _until(lambda: posts.count() >= args.commands, f"{run.name}: the estimates")
            # A burst gets few charts (the chart worker takes limits.CHARTS_OWED at a time and
            # the rest are skipped); then commands one at a time, each waiting for its chart.
            await _quiet(charts, CHART_QUIET_SECONDS)  # the burst's charts drawn or skipped
            for i in range(args.commands, args.commands + args.charts):
                drawn = charts()
                await send_commands(app, slack, prefix, range(i, i + 1), 1, session, corpus)
                await _until(lambda d=drawn: charts() > d, f"{run.name}: chart {i}")
            if args.thread_actions:
                actions = thread_actions(people, range(len(people)))
                await send_thread_actions(app, slack, prefix, actions, CONCURRENCY, session)
                await _quiet(Posts(slack, prefix).count, CHART_QUIET_SECONDS)
        sampling = False
        await sampler
        run.busy.append(family(app))
        run.peak_rss.append(peak)
        run.charts.append(charts())
        deadline = time.monotonic() + args.chart_idle_seconds + 30
        while app.chart_workers() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
        run.idle.append(family(app))
    finally:
        await app.stop()


async def _until(done, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def _quiet(count, seconds: float) -> None:
    """Until `count()` has not changed for `seconds`."""
    seen = -1
    while count() != seen:
        seen = count()
        await asyncio.sleep(seconds)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _row(name: str, when: str, kind: str, readings: list[Reading]) -> str:
    rss, pss, uss = (_median([getattr(r, k) for r in readings]) for k in ("rss", "pss", "uss"))
    return f"{name:<16}{when:<9}{kind:<20}{rss:>7.1f}{pss:>7.1f}{uss:>7.1f}"


def report(runs: list[Run], args) -> None:
    print(
        f"{args.rounds} rounds of {args.commands} distinct /aicost, {CONCURRENCY} in flight, then "
        f"{args.charts} one at a time, each charted; CHARTS=on; MB, medians over the rounds: each "
        "process, then the family summed\n"
    )
    print(f"{'checkout':<16}{'when':<9}{'process':<20}{'RSS':>7}{'PSS':>7}{'USS':>7}")
    for run in runs:
        for when, rounds in (("started", run.started), ("busy", run.busy), ("idle", run.idle)):
            for kind in dict.fromkeys(r.kind for readings in rounds for r in readings):
                rows = [r for readings in rounds for r in readings if r.kind == kind]
                print(_row(run.name, when, kind, rows))
            sums = [
                Reading("family", *(sum(getattr(r, k) for r in rs) for k in ("rss", "pss", "uss")))
                for rs in rounds
            ]
            print(_row(run.name, when, "family", sums))
        print(f"{run.name:<16}peak family RSS while busy {_median(run.peak_rss):.1f} MB "
              f"(rounds: {', '.join(f'{p:.0f}' for p in run.peak_rss)}); "
              f"charts drawn a round: {run.charts}\n")  # fmt: skip
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")


async def main(args: argparse.Namespace) -> None:
    runs = [Run("this checkout", ROOT)]
    runs += [Run(f"@{ref[:10]}", checkout(ref)) for ref in args.before]
    async with FakeSlack(validate=False) as slack:
        if os.environ.get("REDIS_URL"):
            await _rounds(runs, slack, os.environ["REDIS_URL"], args)
        else:
            with RedisServer() as server:
                await _rounds(runs, slack, server.url, args)
    report(runs, args)


async def _rounds(runs: list[Run], slack: FakeSlack, redis_url: str, args) -> None:
    for round_ in range(args.rounds):
        for run in runs if round_ % 2 == 0 else runs[::-1]:
            await one_round(run, slack, redis_url, round_, args)


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=40)
    parser.add_argument("--charts", type=int, default=15, help="then one at a time, each charted")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", action="append", default=[], help="a git ref to compare")
    parser.add_argument("--chart-idle-seconds", type=float, default=30.0)
    parser.add_argument(
        "--thread-actions", action="store_true", help="then follow-ups and clicks in the threads"
    )
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
