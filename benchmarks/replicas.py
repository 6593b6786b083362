"""Replicas: estimates posted per second by 1 and 2 bot processes sharing one Redis (the durable
job queue, bot/slack/job_queue.py) behind a round-robin front, beside the bare Bolt app and, with
--before REF (repeatable), the bot as it was at git REF (one process), all in the same run.

Run: python benchmarks/replicas.py [--commands 300] [--concurrency 20] [--rounds 5]
        [--before 08685ce] [--before REF ...] [--stock-loop]

As benchmarks/bot_latency.py: loopback only, requests signed as Slack signs them, one fake Slack
Web API (validation off), apps taking turns round after round in alternating order; throughput
ratios are medians of per-round ratios against the bare app. The front is a tiny aiohttp proxy
in the harness process (what a load balancer does: one request to each replica in turn); every
app is reached through the same kind of front, so the hop costs all of them alike. Each app has
a Redis database of its own (bots on one database share its job queue). "RSS/replica"
is a replica's whole process family (its estimate worker included) when idle; "CPU/cmd" the CPU
all the app's processes spent per command (less disturbed by other load than throughput is).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bot_latency import (  # noqa: E402
    BOT_ENV,
    App,
    capture_bot_messages,
    one_round,
    percentile,
    quiet_harness,
    warm_up,
)
from tests.support.bot_process import BotProcess, free_port  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402


class Front(BotProcess):
    """Replicas behind a round-robin proxy on loopback; looks like one app to the harness."""

    def __init__(self, replicas: list[BotProcess]) -> None:
        self.replicas = replicas
        self.port = free_port()
        self.process = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self, timeout: float = 30.0) -> Front:
        await asyncio.gather(*(r.start(timeout) for r in self.replicas))
        self._session = aiohttp.ClientSession()
        turn = itertools.cycle(self.replicas)

        async def forward(request: web.Request) -> web.Response:
            assert self._session is not None
            body = await request.read()
            headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
            headers["Content-Type"] = request.headers.get("Content-Type", "")
            target = next(turn)
            async with self._session.post(
                f"{target.url}/slack/events", data=body, headers=headers
            ) as answer:
                return web.Response(status=answer.status, body=await answer.read())

        app = web.Application()
        app.router.add_post("/slack/events", forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self, timeout: float = 20.0) -> int:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()
        codes = await asyncio.gather(*(r.stop(timeout) for r in self.replicas))
        return max(codes)

    def family(self) -> list[int]:
        return [pid for r in self.replicas for pid in r.family()]


def checkout(ref: str) -> Path:
    """The tree at `ref`, exported to a temporary directory (the worktree stays untouched)."""
    target = Path(tempfile.mkdtemp(prefix="aicost-before-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


_databases = itertools.count(1)


def bot(
    slack: FakeSlack, redis_url: str, cwd: Path | None = None, stock_loop: bool = False
) -> BotProcess:
    """One bot process; `redis_url` names the app's own database: bots on one database share
    its job queue, so two apps on one would answer each other's commands."""
    process = BotProcess(slack.base_url, redis_url, extra_env=BOT_ENV)
    if cwd is not None:
        process.cwd = cwd
        process.env["PYTHONPATH"] = str(cwd)
    if stock_loop:  # uvloop made unimportable: asyncio's own loop
        process.env["PYTHONPATH"] = str(ROOT / "benchmarks" / "stock_loop")
    return process


async def main(args: argparse.Namespace) -> None:
    if os.environ.get("REDIS_URL"):
        await run(args, os.environ["REDIS_URL"])
        return
    # A private Redis: replicas on a shared one would take other bots' jobs from its stream.
    with RedisServer() as server:
        await run(args, server.url)


async def run(args: argparse.Namespace, redis_url: str) -> None:
    def own_database() -> str:
        return urlsplit(redis_url)._replace(path=f"/{next(_databases)}").geturl()

    async with FakeSlack(validate=False) as slack:
        captured = await capture_bot_messages(slack, own_database())
        posts = len(captured)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(captured, f)
        bare = BotProcess(slack.base_url, None, extra_env={"FIXED_MESSAGES": f.name})
        bare.command = [sys.executable, str(ROOT / "benchmarks" / "bare_bolt_app.py")]
        apps = [App("bare Bolt app", "BARE", Front([bare]))]
        for n, ref in enumerate(args.before or []):
            tree = checkout(ref)
            name = f"bot @{ref[:7]}"
            apps.append(App(name, f"BEFORE{n}", Front([bot(slack, own_database(), tree)])))
        if args.stock_loop:
            stock = Front([bot(slack, own_database(), stock_loop=True)])
            apps.append(App("bot, 1, asyncio", "STOCK", stock))
        apps.append(App("bot, 1 replica", "ONE", Front([bot(slack, own_database())])))
        shared = own_database()  # the two replicas share one queue
        apps.append(App("bot, 2 replicas", "TWO", Front([bot(slack, shared) for _ in range(2)])))
        for app in apps:
            await app.process.start()
        try:
            async with aiohttp.ClientSession() as session:
                for app in apps:
                    await warm_up(app, slack, posts, args, session)
                for round_ in range(args.rounds):
                    order = apps if round_ % 2 == 0 else apps[::-1]
                    for app in order:
                        quiet_harness(slack)
                        await one_round(app, slack, posts, round_, args, session)
        finally:
            for app in apps:
                await app.process.stop()
    report(apps, posts, args)


def report(apps: list[App], posts: int, args: argparse.Namespace) -> None:
    bare = apps[0]
    print(
        f"{args.rounds} rounds of {args.commands} x /aicost, {args.concurrency} concurrent, "
        f"{posts} posts per command, each app behind a round-robin front; medians over rounds\n"
    )
    print(f"{'app':<18}{'p50 ack':>10}{'p99 ack':>10}{'estimates/s':>13}{'vs bare':>9}"
          f"{'RSS/replica':>13}{'lost':>6}{'CPU/cmd':>10}")  # fmt: skip
    for a in apps:
        ratios = [b / r for r, b in zip(bare.rates, a.rates, strict=True)]
        replicas = len(a.process.replicas)  # type: ignore[attr-defined]
        print(
            f"{a.name:<18}{statistics.median(a.latencies) * 1000:>8.1f}ms"
            f"{percentile(a.latencies, 99) * 1000:>8.1f}ms{statistics.median(a.rates):>13.1f}"
            f"{statistics.median(ratios):>9.0%}{a.idle_mb / replicas:>11.0f}MB{a.lost:>6}"
            f"{statistics.median(a.cpu_ms):>8.2f}ms"
        )
        print(f"{'':<18}rounds vs bare: " + ", ".join(f"{r:.0%}" for r in ratios))
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--stock-loop", action="store_true", help="also one replica on asyncio's own loop"
    )
    parser.add_argument(
        "--before", action="append", help="a git ref of the bot to run beside (repeatable)"
    )
    asyncio.run(main(parser.parse_args()))
