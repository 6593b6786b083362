"""The single-Redis job path, before and after a change: a burst of jobs recorded (`enqueue`, the
round trip a command's acknowledgement waits for) and taken by a consumer (XREADGROUP, run,
XACK), with this checkout's JobQueue beside another checkout's (--baseline, e.g. a worktree of
main), in the same run and on the same private redis-server, in alternating rounds.

Run: python benchmarks/enqueue_path.py --baseline /work/main [--jobs 2000] [--burst 20]
        [--rounds 5]

Each side runs in its own process (its own imports), one at a time, on a database of its own.
Reported per side: the median over rounds of the enqueue latency's p50 and p99 (ms, the wait of
one acknowledgement, bursts of --burst at once), of jobs per second from the first enqueue to
the last job run, and of the client process's CPU time per job (producer and consumer: what the
code costs, less disturbed by other load on the machine than the rates are). Loopback, one
client process: it measures the code path, not a network.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


async def one_side(url: str, jobs: int, burst: int) -> dict[str, float]:
    from bot.slack.job import Job
    from bot.slack.job_queue import JobQueue
    from bot.slack.metrics import Metrics

    done = asyncio.Event()
    ran = 0

    async def run(job: Job, ledger: object) -> None:
        nonlocal ran
        ran += 1
        if ran == jobs:
            done.set()

    async def lost(job: Job) -> None:
        return None

    queue = JobQueue(url, run, lost, Metrics(), 96, 30.0, 3)
    await queue.start()
    latencies: list[float] = []

    async def enqueue(n: int) -> None:
        job = Job(kind="slash_command", team_id=f"T{n % 50:04d}", channel=f"C{n:06d}", user="U1")
        started = time.perf_counter()
        await queue.enqueue(
            job, f"command:T{n % 50:04d}:{n}", charge=[(f"team:T{n % 50:04d}", 10**6)]
        )
        latencies.append((time.perf_counter() - started) * 1000)

    began, cpu = time.perf_counter(), time.process_time()
    for first in range(0, jobs, burst):
        await asyncio.gather(*(enqueue(n) for n in range(first, min(first + burst, jobs))))
    await asyncio.wait_for(done.wait(), 60)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    await queue.stop(1)
    await queue.close()
    latencies.sort()
    return {
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99)],
        "jobs_per_s": jobs / elapsed,
        "cpu_us_per_job": cpu / jobs * 1e6,
    }


def side(checkout: Path, url: str, args: argparse.Namespace) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    run = subprocess.run(
        [sys.executable, __file__, "--side", url, "--jobs", str(args.jobs),
         "--burst", str(args.burst)],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. /work/main)")
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--side", help=argparse.SUPPRESS)  # internal: one side, on this URL
    args = parser.parse_args()
    if args.side:
        print(json.dumps(asyncio.run(one_side(args.side, args.jobs, args.burst))))
        return
    sys.path.insert(0, str(HERE))
    from tests.support.redis_server import RedisServer

    sides = {"this checkout": HERE}
    if args.baseline:
        sides = {"baseline": args.baseline.resolve(), **sides}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    print(f"load average before: {os.getloadavg()}")
    with RedisServer() as server:
        for round_ in range(args.rounds):
            order = list(sides.items())
            if round_ % 2:
                order.reverse()
            for n, (name, checkout) in enumerate(order):
                url = server.url.rsplit("/", 1)[0] + f"/{n + 1}"
                server.flush()
                results[name].append(side(checkout, url, args))
    print(f"load average after: {os.getloadavg()}")
    for name, rounds in results.items():  # the spread behind the medians
        print(f"{name}: p50 ms by round", " ".join(f"{r['p50_ms']:.1f}" for r in rounds))
    print(f"{'':16}{'enqueue p50 ms':>16}{'enqueue p99 ms':>16}{'jobs/s':>10}{'CPU µs/job':>12}")
    for name, rounds in results.items():
        p50 = statistics.median(r["p50_ms"] for r in rounds)
        p99 = statistics.median(r["p99_ms"] for r in rounds)
        rate = statistics.median(r["jobs_per_s"] for r in rounds)
        cpu = statistics.median(r["cpu_us_per_job"] for r in rounds)
        print(f"{name:16}{p50:16.2f}{p99:16.2f}{rate:10.0f}{cpu:12.0f}")


if __name__ == "__main__":
    main()
