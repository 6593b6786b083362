"""What the chart costs the Slack bot: time to the estimate, to its last tip and to its chart, and
the resident memory of the whole process family, with CHARTS=on against CHARTS=off in one run.

Run: python benchmarks/slack_charts.py [--single 6] [--burst 40] [--concurrency 10] [--rounds 2]

Bounded and loopback only: two bots (`python -m bot`, in-memory state) post to the local fake
Slack (Block Kit validation off); each round runs `single` commands one after the other (each
waits for its chart, or its last tip when charts are off), then a burst of `burst` commands
`concurrency` at a time. The bots take turns, alternating who goes first. Times are from the
signed POST to the fake receiving the message (or the file's completeUploadExternal).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bot_latency import percentile, rss_mb  # noqa: E402
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.signing import slash_command_body  # noqa: E402

STANDARD = "10000 users startup"
WAIT_SECONDS = 60.0  # per command at most; a chart not shared by then counts as skipped
RUN = uuid.uuid4().hex[:6].upper()


@dataclass
class Bot:
    name: str
    tag: str
    process: BotProcess
    charts: bool
    to_estimate: list[float] = field(default_factory=list)  # single commands
    to_tips: list[float] = field(default_factory=list)
    to_chart: list[float] = field(default_factory=list)
    burst_estimate: list[float] = field(default_factory=list)  # burst commands
    burst_chart: list[float] = field(default_factory=list)
    burst_skipped: int = 0
    idle_mb: float = 0.0
    peak_mb: float = 0.0
    ack: list[float] = field(default_factory=list)


class Timeline:
    """When each channel's estimate, last tip and chart reached the fake."""

    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack

    def estimate_at(self, channel: str) -> float | None:
        for c in self.slack.calls:
            if (
                c.method == "chat.postMessage"
                and c.args.get("channel") == channel
                and "thread_ts" not in c.args
            ):
                return c.at
        return None

    def thread_posts(self, channel: str) -> list[float]:
        return [
            c.at
            for c in self.slack.calls
            if c.method == "chat.postMessage"
            and c.args.get("channel") == channel
            and "thread_ts" in c.args
        ]

    def chart_at(self, channel: str) -> float | None:
        files = self.slack.files_in(channel)
        return files[0].at if files else None


async def command(bot: Bot, channel: str, session: aiohttp.ClientSession) -> float:
    body = slash_command_body(
        STANDARD,
        team_id=f"T{RUN}{channel[:-2]}",  # a workspace per few dozen: fair use stays out of it
        channel_id=channel,
        user_id=f"U{RUN}{channel}",
        response_url="http://127.0.0.1:9/unused",
    )
    sent = time.perf_counter()
    status, _, seconds = await bot.process.post(body, session=session)
    assert status == 200, status
    bot.ack.append(seconds)
    return sent


async def wait_until(predicate, timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.005)
    return False


async def single(bot: Bot, line: Timeline, tips: int, n: int, round_: int, session) -> None:
    for i in range(n):
        channel = f"CS{bot.tag}{round_}{i}"
        sent = await command(bot, channel, session)
        await wait_until(lambda channel=channel: len(line.thread_posts(channel)) >= tips)
        if bot.charts:
            await wait_until(lambda channel=channel: line.chart_at(channel) is not None)
        estimate_at = line.estimate_at(channel)
        assert estimate_at is not None
        bot.to_estimate.append(estimate_at - sent)
        bot.to_tips.append(max(line.thread_posts(channel)) - sent)
        chart_at = line.chart_at(channel)
        if chart_at is not None:
            bot.to_chart.append(chart_at - sent)
        bot.peak_mb = max(bot.peak_mb, rss_mb(bot.process))
        await asyncio.sleep(0.3)  # one user at a time: let the machine settle


async def burst(
    bot: Bot, line: Timeline, tips: int, n: int, concurrency: int, round_: int, session
) -> None:
    channels = [f"CB{bot.tag}{round_}{i}" for i in range(n)]
    sent: dict[str, float] = {}
    queue = list(channels)
    sampling = True

    async def sender() -> None:
        while queue:
            channel = queue.pop(0)
            sent[channel] = await command(bot, channel, session)

    async def sample() -> None:
        while sampling:
            bot.peak_mb = max(bot.peak_mb, rss_mb(bot.process))
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    await wait_until(lambda: all(len(line.thread_posts(c)) >= tips for c in channels))
    if bot.charts:
        # Charts either arrive or were skipped (a busy chart worker): wait for the queue to
        # drain, i.e. two seconds with no new chart.
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 2.0:
            shared = sum(line.chart_at(c) is not None for c in channels)
            if shared != last:
                last, quiet_since = shared, time.monotonic()
            await asyncio.sleep(0.05)
    sampling = False
    await sampler
    for c in channels:
        estimate_at = line.estimate_at(c)
        assert estimate_at is not None
        bot.burst_estimate.append(estimate_at - sent[c])
        chart_at = line.chart_at(c)
        if chart_at is not None:
            bot.burst_chart.append(chart_at - sent[c])
        elif bot.charts:
            bot.burst_skipped += 1


async def main(args: argparse.Namespace) -> None:
    async with FakeSlack(validate=False) as slack:
        bots = [
            Bot("CHARTS=off", "OFF", BotProcess(slack.base_url, None), False),
            Bot(
                "CHARTS=on",
                "ON",
                BotProcess(slack.base_url, None, extra_env={"CHARTS": "on"}),
                True,
            ),
        ]
        for bot in bots:
            await bot.process.start()
        line = Timeline(slack)
        try:
            async with aiohttp.ClientSession() as session:
                # Warm up (imports, the chart worker's first drawing) and count the tips.
                for bot in bots:
                    channel = f"CW{bot.tag}"
                    await command(bot, channel, session)
                    await asyncio.sleep(5.0)
                    bot.idle_mb = rss_mb(bot.process)
                tips = len(line.thread_posts("CWOFF"))
                for round_ in range(args.rounds):
                    order = bots if round_ % 2 == 0 else bots[::-1]
                    for bot in order:
                        await single(bot, line, tips, args.single, round_, session)
                    for bot in order:
                        await burst(bot, line, tips, args.burst, args.concurrency, round_, session)
        finally:
            for bot in bots:
                await bot.process.stop()
    report(bots, args)


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values) * 1000:.0f} / {percentile(values, 95) * 1000:.0f}"


def report(bots: list[Bot], args: argparse.Namespace) -> None:
    print(
        f"{args.rounds} rounds: {args.single} single commands, then a burst of {args.burst} "
        f"({args.concurrency} at a time); times in ms, median / p95\n"
    )
    print(
        f"{'bot':<12}{'ack':>12}{'estimate':>12}{'last tip':>12}{'chart':>14}"
        f"{'burst est.':>14}{'burst chart':>14}{'skipped':>9}{'idle RSS':>10}{'peak RSS':>10}"
    )
    for b in bots:
        print(
            f"{b.name:<12}{_ms(b.ack):>12}{_ms(b.to_estimate):>12}{_ms(b.to_tips):>12}"
            f"{_ms(b.to_chart):>14}{_ms(b.burst_estimate):>14}{_ms(b.burst_chart):>14}"
            f"{b.burst_skipped:>9}{b.idle_mb:>8.0f}MB{b.peak_mb:>8.0f}MB"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=6)
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
