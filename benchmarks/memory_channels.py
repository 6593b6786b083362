"""Resident memory of the bot across 10,000 distinct channels.

Run: python benchmarks/memory_channels.py [--channels 10000]

Sends one signed /aicost to each of N distinct channels (spread over workspaces and users so the
fair-use limits do not apply) and reads the bot's RSS after a warm-up and at the end: with Redis
(state lives there, so memory should stay flat) and, for comparison, with the in-process store
(bounded by its LRU, so it should level off). Fake Slack validation is off so the fake keeps up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bot_latency import BOT_ENV, rss_mb  # noqa: E402
from benchmarks.load import Posts, send_commands  # noqa: E402
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402

REDIS_DEFAULT = "redis://127.0.0.1:6379/13"
CONCURRENCY = 20
CHECKPOINTS = (500, 2_500, 5_000, 7_500, 10_000)


async def run(
    label: str, redis_url: str | None, channels: int, slack: FakeSlack
) -> tuple[str, list[tuple[int, float]]]:
    prefix = "R" if redis_url else "M"
    app = await BotProcess(slack.base_url, redis_url, extra_env=BOT_ENV).start()
    assert app.process is not None
    done = 0

    async def drive_until(n: int) -> None:
        nonlocal done
        await drive_batch(app, slack, prefix, done, n)
        done = n

    readings = []
    try:
        for checkpoint in CHECKPOINTS:
            if checkpoint > channels:
                break
            await drive_until(checkpoint)
            await asyncio.sleep(0.5)
            readings.append((checkpoint, rss_mb(app)))
        if readings[-1][0] != channels:
            await drive_until(channels)
            await asyncio.sleep(0.5)
            readings.append((channels, rss_mb(app)))
    finally:
        await app.stop()
    return label, readings


async def drive_batch(
    app: BotProcess, slack: FakeSlack, prefix: str, first: int, last: int
) -> None:
    async with aiohttp.ClientSession() as session:
        await send_commands(app, slack, prefix, range(first, last), CONCURRENCY, session)
    # Wait for the estimates themselves (one top-level post per channel), bounded in time.
    estimates = Posts(slack, prefix, top_level_only=True)
    for _ in range(6000):
        if estimates.count() >= last:
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"only {estimates.count()} of {last} estimates were posted")


async def main(channels: int) -> None:
    redis_url = os.environ.get("REDIS_URL", REDIS_DEFAULT)
    async with FakeSlack(validate=False) as slack:
        rows = [
            await run("Redis store", redis_url, channels, slack),
            await run("in-process store", None, channels, slack),
        ]
    print(f"{channels:,} distinct channels, one /aicost each; resident memory after n channels\n")
    header = "".join(f"{n:>10,}" for n, _ in rows[0][1])
    print(f"{'bot with':<20}{header}")
    for label, readings in rows:
        print(f"{label:<20}" + "".join(f"{mb:>8.0f}MB" for _, mb in readings))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().channels))
