"""What one chart costs, drawn as the bot draws it: through an on-demand chart worker
(bot/slack/workers.py running bot/slack/chart_worker.py), the first chart starting the worker.

Run: python benchmarks/chart_cost.py [--charts 10] [--idle-seconds 2]

Prints, for the first chart (the worker's start included: Python, matplotlib, fonts) and for the
charts after it (each a distinct scenario): the seconds until the PNG is back, the CPU the
chart worker spent (from /proc, so its imports count) and the worker's resident memory; then
whether the worker left after the quiet spell, and the memory of this process (the bot's side)
before and after. Bounded: at most 50 charts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bot_latency import family_rss_mb
from benchmarks.corpus import texts
from bot.parsing import first_scenario
from bot.slack import chart_worker
from bot.slack.workers import Workers
from tests.support.bot_process import estimate_workers


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def chart_workers() -> list[int]:
    return estimate_workers(os.getpid(), module=b"bot.slack.chart_worker")


async def main(args: argparse.Namespace) -> None:
    scenarios = [first_scenario(t) for t in texts(min(args.charts, 50))]
    pool = Workers(
        1, module="bot.slack.chart_worker", idle_seconds=args.idle_seconds, answer_seconds=60
    )
    own_before = family_rss_mb([os.getpid()])
    rows = []
    worker = None
    for n, scenario in enumerate(scenarios):
        cpu_before = cpu_seconds(worker) if worker else 0.0
        started = time.perf_counter()
        png = await pool.run_elsewhere(chart_worker.estimate_chart, scenario, max_owed=4)
        seconds = time.perf_counter() - started
        if worker is None:
            (worker,) = chart_workers()
        rows.append((seconds, cpu_seconds(worker) - cpu_before, family_rss_mb([worker]), len(png)))
        if n == 0:
            print(f"first chart, worker started for it: {seconds:.2f} s, "
                  f"worker CPU {rows[0][1]:.2f} s, worker RSS {rows[0][2]:.0f} MB, "
                  f"PNG {rows[0][3] / 1000:.0f} KB")  # fmt: skip
    later = rows[1:]
    if later:
        print(f"each chart after it ({len(later)} distinct scenarios, median): "
              f"{statistics.median(r[0] for r in later):.3f} s, "
              f"worker CPU {statistics.median(r[1] for r in later):.3f} s, "
              f"worker RSS {max(r[2] for r in later):.0f} MB at most")  # fmt: skip
    deadline = time.monotonic() + args.idle_seconds + 10
    while chart_workers() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(f"worker left {args.idle_seconds:g} s after the last chart: {not chart_workers()}; "
          f"this process (the bot's side) {own_before:.0f} MB before, "
          f"{family_rss_mb([os.getpid()]):.0f} MB after")  # fmt: skip
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--charts", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=2.0)
    asyncio.run(main(parser.parse_args()))
