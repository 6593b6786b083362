"""/aicost under load: ack latency, answers posted per second, CPU per answer and resident
memory, for the bot and, in the same run, a bare Bolt app that acks and posts the same messages.

Run: python benchmarks/bot_latency.py [--traffic varied|repeated] [--commands 300]
        [--concurrency 20] [--rounds 12] [--charts]

--traffic varied (the default) is what a fleet of teams types: every command a distinct request
from benchmarks/corpus.py (users 1k-10M, every stage, the common API models, self-hosted, regions,
compliance, explicit usage), no text sent twice in the run, each from its own person in one of
many workspaces; then, once a round's estimates are posted, the follow-ups and button clicks of
about half of them in their threads (each answered with one message). Every command's channel
gets the messages the bot posts for that text, from both apps: the bare app is handed the bot's
own messages for every text of the corpus, captured by a first bot run (so the bare app does the
same Slack I/O), and answers each follow-up or click with one of the bot's thread answers.
--traffic repeated sends "10000 users startup" every time: the best case of the bot's caches,
kept for comparison with the figures measured that way before (docs/benchmarks.md).

Both apps run as processes serving HTTP on loopback; requests are signed as Slack signs them; both
post to the same local fake Slack Web API (Block Kit validation off, so the fake is not the
bottleneck); the bot keeps its state in Redis (REDIS_URL, else a private redis-server).
The two take turns, round after round (bare then bot, bot then bare, ...), so a machine that is
slower for a while slows both; the throughput ratio is the median of the rounds' ratios (this
2-core machine's speed drifts by a third within minutes, so one round proves little). Memory and
"CPU/answer" are the app's whole process family (the bot's estimate and chart workers included);
"loop CPU" is the process serving HTTP alone, whose event loop every command passes through.
--charts runs the bot with CHARTS=on (a chart drawn into each estimate's thread, which the bare
app does not do), to measure memory as shipped; throughput compares like with like without it.
Targets (issue 24, varied traffic): answers/s at least 0.9x the bare app's; p99 ack under 100 ms
at 20 in flight; the bot's family at most 120 MB idle with charts on, under 300 MB under load.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import Conversation, conversations  # noqa: E402
from benchmarks.load import (  # noqa: E402
    REFUSED,
    STANDARD,
    Posts,
    estimates_by_channel,
    send_commands,
    send_thread_actions,
    thread_actions,
)
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402
from tests.support.signing import slash_command_body  # noqa: E402

# What the bot writes during a run expires within the hour, not the production week.
BOT_ENV = {"STATE_TTL_SECONDS": "3600"}
RSS_SAMPLE_SECONDS = 0.1  # peak memory: the rounds last half a second or more
# Samples between two looks for the app's processes (a chart worker may start within a round).
FAMILY_EVERY = 10
READING_SECONDS = 0.5  # between a round's last estimate and its first reply in a thread


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def rss_mb(app: BotProcess) -> float:
    """Resident memory of the app's processes together."""
    return family_rss_mb(app.family())


def family_rss_mb(family: list[int]) -> float:
    return sum(_status(pid, "VmRSS:") for pid in family) / 1024


def cpu_seconds(app: BotProcess) -> tuple[float, float]:
    """(CPU of the whole family, CPU of the process serving HTTP: its event loop)."""
    ticks = []
    for pid in app.family():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks.append(int(fields[11]) + int(fields[12]))  # utime + stime
    per_second = os.sysconf("SC_CLK_TCK")
    return sum(ticks) / per_second, ticks[0] / per_second


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Load:
    """What the rounds send: the command texts (index i of the run sends texts[i % len]), the
    thread actions of the corpus behind them, and the posts the bot makes for each text."""

    texts: list[str]
    corpus: list[Conversation] | None = None  # None: no follow-ups or clicks
    posts_by_text: dict[str, int] = field(default_factory=dict)
    reply: dict | None = None  # one of the bot's answers in a thread, for the bare app

    def warm_up_indices(self, args: argparse.Namespace) -> range:
        return range(args.concurrency)

    def round_indices(self, round_: int, args: argparse.Namespace) -> range:
        start = args.concurrency + round_ * args.commands
        return range(start, start + args.commands)

    def posts(self, indices: range) -> int:
        return sum(self.posts_by_text[self.texts[i % len(self.texts)]] for i in indices)

    def actions(self, indices: range) -> list[tuple[int, str]]:
        return thread_actions(self.corpus, indices) if self.corpus is not None else []

    def fixed_messages(self) -> str:
        """The bare app's FIXED_MESSAGES file."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"by_text": self.captured, "reply": self.reply}, f)
        return f.name

    captured: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class App:
    name: str
    tag: str  # channel IDs must look like Slack's
    process: BotProcess
    idle_mb: float = 0.0
    peak_mb: float = 0.0
    latencies: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)  # answers (estimates) posted a second
    cpu_ms: list[float] = field(default_factory=list)  # per answer
    loop_cpu_ms: list[float] = field(default_factory=list)
    lost: int = 0
    idle_after_mb: float = 0.0  # after the rounds and a quiet spell


async def warm_up(app: App, slack: FakeSlack, load: Load, args: argparse.Namespace, session):
    """Imports, connection pools, price caches; then the idle memory."""
    indices = load.warm_up_indices(args)
    prefix = f"W{app.tag}"
    await send_commands(app.process, slack, prefix, indices, args.concurrency, session, load.texts)
    await _posted(Posts(slack, prefix), load.posts(indices))  # or until posts stall
    await asyncio.sleep(1.0)
    app.idle_mb = app.peak_mb = rss_mb(app.process)


def quiet_harness(slack: FakeSlack) -> None:
    """Forget the calls of earlier rounds, collect, and keep the collector out of the next
    round. Otherwise the harness's heap grows by every message recorded, its collections grow
    with it (past 100 ms for a full one), and whichever app runs during one looks slow; within
    a round they cost the harness 5% of its CPU, taken from the machine both apps share."""
    slack.reset()
    gc.enable()
    gc.collect()
    gc.freeze()
    gc.disable()  # until the next round: what a round records is freed by reference counts


async def one_round(app: App, slack: FakeSlack, load: Load, round_: int, args, session) -> None:
    """One round: the round's commands, then (once their estimates are posted) the follow-ups
    and clicks in their threads; the rate counts every answer (estimate) posted."""
    sampling = True
    # Finding the app's processes scans all of /proc (1.5 ms); done every 20 ms, as this did
    # before, it took the bot's rounds 6 points of the ratio against the bare app's. Once a
    # second catches a chart worker started within the round.
    family = app.process.family()

    async def sample() -> None:
        nonlocal family
        for n in itertools.count(1):
            if not sampling:
                return
            app.peak_mb = max(app.peak_mb, family_rss_mb(family))
            await asyncio.sleep(RSS_SAMPLE_SECONDS)
            if n % FAMILY_EVERY == 0:
                family = app.process.family()

    sampler = asyncio.create_task(sample())
    cpu_before = cpu_seconds(app.process)
    prefix = f"L{app.tag}{round_}"
    indices = load.round_indices(round_, args)
    actions = load.actions(indices)
    done = Posts(slack, prefix)
    started = time.perf_counter()
    app.latencies += await send_commands(
        app.process, slack, prefix, indices, args.concurrency, session, load.texts
    )
    commands_posts = load.posts(indices)
    elapsed = await _posted(done, commands_posts) - started
    if actions:
        # People read before they reply: the bot saves a thread's state just after posting it,
        # and a reply that came first would find no thread. The pause is not counted.
        await asyncio.sleep(READING_SECONDS)
        started = time.perf_counter()
        await send_thread_actions(app.process, slack, prefix, actions, args.concurrency, session)
    expected = commands_posts + len(actions)
    if actions:
        elapsed += await _posted(done, expected) - started
    cpu_after = cpu_seconds(app.process)
    answers = len(indices) + len(actions)
    app.cpu_ms.append((cpu_after[0] - cpu_before[0]) / answers * 1000)
    app.loop_cpu_ms.append((cpu_after[1] - cpu_before[1]) / answers * 1000)
    sampling = False
    await sampler
    app.lost += expected - done.count()
    if done.count() != expected:
        print(f"{app.name}, round {round_}: {done.count()} posts, not {expected}; "
              f"its log: {app.process.log_path}", file=sys.stderr)  # fmt: skip
        for i in indices:
            got = sum(1 for c in slack.calls_to("chat.postMessage")
                      if c.args.get("channel") == f"C{prefix}{i}")  # fmt: skip
            text = load.texts[i % len(load.texts)]
            if got < load.posts_by_text[text]:
                print(f"  {text!r}: {got} posts", file=sys.stderr)
    app.rates.append((answers - max(0, expected - done.count())) / elapsed)


async def capture_bot_messages(slack: FakeSlack, redis_url: str) -> list[dict]:
    """The bot's real messages for one command, so the bare app posts the same payloads."""
    probe = BotProcess(slack.base_url, redis_url, extra_env=BOT_ENV)
    await probe.start()
    await probe.post(
        slash_command_body(
            "10000 users startup", channel_id="PROBE", response_url=slack.response_url("probe")
        )
    )

    def probe_posts() -> int:
        calls = slack.calls_to("chat.postMessage")
        return sum(1 for c in calls if c.args.get("channel") == "PROBE")

    deadline, seen = time.monotonic() + 20, -1
    while time.monotonic() < deadline and not (seen > 0 and probe_posts() == seen):
        seen = probe_posts()
        await asyncio.sleep(1.0)  # done when a second passes with no new post
    await probe.stop()
    return [
        {"text": c.args.get("text", ""), "blocks": c.args.get("blocks", [])}
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == "PROBE"
    ]


async def _posted(done: Posts, expected: int, stalled: float = 20.0) -> float:
    """When the `expected`-th post arrived (perf_counter), or the last one before posts
    stalled for `stalled` seconds (then the round reports what was lost)."""
    count, last = done.count(), time.perf_counter()
    while count < expected and time.perf_counter() - last < stalled:
        await asyncio.sleep(0.01)
        if (now := done.count()) != count:
            count, last = now, time.perf_counter()
    return last


async def capture_corpus(slack: FakeSlack, redis_url: str, load: Load, args) -> None:
    """The bot's messages for every text of the corpus (an estimate and its tips each), and one
    of its answers in a thread: a run of the bot over the whole corpus, 20 at a time."""
    probe = BotProcess(slack.base_url, redis_url, extra_env=BOT_ENV)
    await probe.start()
    indices = range(len(load.texts))
    try:
        async with aiohttp.ClientSession() as session:
            await send_commands(probe, slack, "PROBE", indices, args.concurrency, session,
                                load.texts)  # fmt: skip
            await _until(lambda: len(estimates_by_channel(slack, "PROBE")) >= len(indices), 120)
            await _settled(lambda: Posts(slack, "PROBE").count())  # the tips
            threads = estimates_by_channel(slack, "PROBE")
            for call in slack.calls_to("chat.postMessage"):
                channel = str(call.args.get("channel", ""))
                if channel.startswith("CPROBE"):
                    text = load.texts[int(channel.removeprefix("CPROBE"))]
                    message = {"text": call.args.get("text", ""),
                               "blocks": call.args.get("blocks", [])}  # fmt: skip
                    load.captured.setdefault(text, []).append(message)
            missing = [load.texts[i] for i in indices if f"CPROBE{i}" not in threads]
            if missing:  # the bare app posts a typical answer's messages for these
                print(f"capture: no estimate for {len(missing)} texts, e.g. {missing[0]!r}; "
                      f"log: {probe.log_path}", file=sys.stderr)  # fmt: skip
            before = len(slack.calls_to("chat.postMessage"))
            await asyncio.sleep(READING_SECONDS)
            actions = [(i, what) for i, what in load.actions(indices) if f"CPROBE{i}" in threads]
            await send_thread_actions(probe, slack, "PROBE", actions, args.concurrency, session)
            await _until(
                lambda: len(slack.calls_to("chat.postMessage")) >= before + len(actions), 120
            )
            await _settled(lambda: len(slack.calls_to("chat.postMessage")))
            replies = slack.calls_to("chat.postMessage")[before:]
            if len(replies) != len(actions):
                answered = Counter(c.args["channel"] for c in replies)
                asked = Counter(f"CPROBE{i}" for i, _ in actions)
                odd = {ch: (n, answered[ch]) for ch, n in asked.items() if answered[ch] != n}
                # A loaded machine can make the bot drop a thread (its state saved too late);
                # a round counts the answers missing as lost.
                print(f"capture: thread answers (asked, posted) differ: {odd}; "
                      f"log: {probe.log_path}", file=sys.stderr)  # fmt: skip
            load.reply = {"text": replies[0].args.get("text", ""),
                          "blocks": replies[0].args.get("blocks", [])}  # fmt: skip
    finally:
        await probe.stop()
    typical = next(iter(load.captured.values()))
    for text in load.texts:
        load.captured.setdefault(text, typical)
    load.posts_by_text = {text: len(messages) for text, messages in load.captured.items()}
    slack.reset()


async def _until(done, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def _settled(count, quiet: float = 1.0, timeout: float = 300.0) -> None:
    """Done when `quiet` seconds pass with no new post."""
    deadline, seen = time.monotonic() + timeout, -1
    while time.monotonic() < deadline and not (seen > 0 and count() == seen):
        seen = count()
        await asyncio.sleep(quiet)


async def make_load(slack: FakeSlack, redis_url: str, args: argparse.Namespace) -> Load:
    """The run's traffic, and the bot's messages for it (what the bare app posts)."""
    if args.traffic == "repeated":
        captured = await capture_bot_messages(slack, redis_url)
        load = Load([STANDARD], captured={STANDARD: captured})
        load.posts_by_text = {STANDARD: len(captured)}
        load.reply = captured[-1]
        return load
    corpus = conversations(args.concurrency + args.rounds * args.commands)
    load = Load([c.text for c in corpus], corpus)
    await capture_corpus(slack, redis_url, load, args)
    return load


def bot_env(args: argparse.Namespace) -> dict[str, str]:
    return {**BOT_ENV, "CHARTS": "on"} if args.charts else BOT_ENV


async def with_redis(run, args: argparse.Namespace) -> None:
    """run(args, redis_url): REDIS_URL's, else a private redis-server's (bots of other sessions on
    a shared one would take this run's jobs from its queue)."""
    if os.environ.get("REDIS_URL"):
        await run(args, os.environ["REDIS_URL"])
        return
    with RedisServer() as server:
        await run(args, server.url)


async def main(args: argparse.Namespace) -> None:
    await with_redis(run, args)


async def alternating_rounds(
    apps: list[App],
    slack: FakeSlack,
    load: Load,
    args: argparse.Namespace,
    session: aiohttp.ClientSession,
) -> None:
    """Each app warmed up, then `args.rounds` rounds, who goes first alternating, so a slow
    spell of the machine hits both."""
    for app in apps:
        await warm_up(app, slack, load, args, session)
    for round_ in range(args.rounds):
        for app in apps if round_ % 2 == 0 else apps[::-1]:
            quiet_harness(slack)
            await one_round(app, slack, load, round_, args, session)


async def run(args: argparse.Namespace, redis_url: str) -> None:
    async with FakeSlack(validate=False) as slack:
        load = await make_load(slack, redis_url, args)
        bare = BotProcess(slack.base_url, None, extra_env={"FIXED_MESSAGES": load.fixed_messages()})
        bare.command = [sys.executable, str(ROOT / "benchmarks" / "bare_bolt_app.py")]
        apps = [App("bare Bolt app", "BARE", bare), App("aicost bot", "BOT", BotProcess(
            slack.base_url, redis_url, extra_env=bot_env(args)))]  # fmt: skip
        for app in apps:
            await app.process.start()
        try:
            async with aiohttp.ClientSession() as session:
                await alternating_rounds(apps, slack, load, args, session)
                await asyncio.sleep(args.idle_seconds)
                for app in apps:
                    app.idle_after_mb = rss_mb(app.process)
        finally:
            for app in apps:
                await app.process.stop()
    report(apps, load, args)


def describe(load: Load, args: argparse.Namespace) -> str:
    indices = load.round_indices(0, args)
    actions = len(load.actions(indices))
    what = (
        f"{args.commands} distinct /aicost texts and {actions} follow-ups and clicks a round"
        if load.corpus is not None
        else f'{args.commands} x /aicost "{STANDARD}" a round (the cache\'s best case)'
    )
    posts = load.posts(indices) + actions
    return (
        f"{args.rounds} rounds of {what}, {args.concurrency} in flight, {posts} posts a round; "
        f"medians over the rounds, command ack percentiles over all commands"
    )


def report(apps: list[App], load: Load, args: argparse.Namespace) -> None:
    bare, bot = apps
    print(describe(load, args) + "\n")
    print(f"{'app':<16}{'p50 ack':>10}{'p99 ack':>10}{'answers/s':>11}{'idle RSS':>10}"
          f"{'peak RSS':>10}{'idle after':>12}{'lost':>6}"
          f"{'CPU/answer':>12}{'loop CPU':>10}")  # fmt: skip
    for a in apps:
        print(
            f"{a.name:<16}{statistics.median(a.latencies) * 1000:>8.1f}ms"
            f"{percentile(a.latencies, 99) * 1000:>8.1f}ms{statistics.median(a.rates):>11.1f}"
            f"{a.idle_mb:>8.0f}MB{a.peak_mb:>8.0f}MB{a.idle_after_mb:>10.0f}MB{a.lost:>6}"
            f"{statistics.median(a.cpu_ms):>10.2f}ms{statistics.median(a.loop_cpu_ms):>8.2f}ms"
        )
    ratios = [b / a for a, b in zip(bare.rates, bot.rates, strict=True)]
    each = ", ".join(f"{r:.0%}" for r in ratios)
    print(f"\nbot throughput = {statistics.median(ratios):.2f}x the bare app's (rounds: {each})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    if REFUSED:
        print(f"requests not answered 200, by status: {REFUSED}")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traffic", choices=("varied", "repeated"), default="varied")
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--charts", action="store_true", help="the bot with CHARTS=on")
    parser.add_argument("--idle-seconds", type=float, default=1.0,
                        help="quiet time after the rounds before memory is read again "
                             "(past CHART_IDLE_SECONDS: without the chart worker)")  # fmt: skip
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
