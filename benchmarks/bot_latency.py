"""/aicost under load: ack latency, estimates posted per second and resident memory, for the bot
and, in the same run, a bare Bolt app that acks and posts the same number of fixed messages.

Run: python benchmarks/bot_latency.py [--commands 300] [--concurrency 20]

Both apps run as processes serving HTTP on loopback; requests are signed as Slack signs them; both
post to the same local fake Slack Web API (Block Kit validation off, so the fake is not the
bottleneck); the bot keeps its state in Redis (REDIS_URL, else the local server's database 13).
Targets: p99 ack under 100 ms; the bot's estimates/s at least 70% of the bare app's; the bot's
idle memory under 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import posted, send_commands  # noqa: E402
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.signing import slash_command_body  # noqa: E402

REDIS_DEFAULT = "redis://127.0.0.1:6379/13"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(
    name: str, app: BotProcess, slack: FakeSlack, posts_per_command: int, args: argparse.Namespace
) -> dict[str, float | str]:
    tag = "BARE" if name.startswith("bare") else "BOT"  # channel IDs must look like Slack's
    await app.start()
    assert app.process is not None
    pid = app.process.pid
    try:
        async with aiohttp.ClientSession() as session:
            # Warm up: imports, connection pools, price caches.
            await send_commands(app, slack, f"W{tag}", range(args.concurrency), args.concurrency,
                                session)  # fmt: skip
            while posted(slack, f"W{tag}") < args.concurrency * posts_per_command:
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)
            idle = rss_mb(pid)

            peak = idle
            sampling = True

            async def sample() -> None:
                nonlocal peak
                while sampling:
                    peak = max(peak, rss_mb(pid))
                    await asyncio.sleep(0.02)

            sampler = asyncio.create_task(sample())
            cpu_before = cpu_seconds(pid)
            prefix = f"L{tag}"
            started = time.perf_counter()
            latencies = await send_commands(
                app, slack, prefix, range(args.commands), args.concurrency, session
            )
            expected = args.commands * posts_per_command
            deadline = time.monotonic() + 120
            while posted(slack, prefix) < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
            cpu_used = cpu_seconds(pid) - cpu_before
            sampling = False
            await sampler
            done = posted(slack, prefix)
    finally:
        await app.stop()
    return {
        "app": name,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "estimates_per_s": (done / posts_per_command) / elapsed,
        "idle_mb": idle,
        "peak_mb": peak,
        "lost": expected - done,
        "cpu_ms": cpu_used / args.commands * 1000,
    }


async def main(args: argparse.Namespace) -> None:
    redis_url = os.environ.get("REDIS_URL", REDIS_DEFAULT)
    async with FakeSlack(validate=False) as slack:
        # Capture the bot's real messages once, so the bare app posts the same payloads.
        probe = BotProcess(slack.base_url, redis_url)
        await probe.start()
        await probe.post(
            slash_command_body(
                "10000 users startup", channel_id="PROBE", response_url=slack.response_url("probe")
            )
        )
        await asyncio.sleep(2.0)
        await probe.stop()
        captured = [
            {"text": c.args.get("text", ""), "blocks": c.args.get("blocks", [])}
            for c in slack.calls_to("chat.postMessage")
            if c.args.get("channel") == "PROBE"
        ]
        posts_per_command = len(captured)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(captured, f)
        bare = BotProcess(slack.base_url, None, extra_env={"FIXED_MESSAGES": f.name})
        bare_cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_bolt_app.py")]
        bare.command = bare_cmd
        rows = [
            await measure("bare Bolt app", bare, slack, posts_per_command, args),
            await measure("aicost bot", BotProcess(slack.base_url, redis_url), slack,
                          posts_per_command, args),
        ]  # fmt: skip
    print(
        f"{args.commands} x /aicost, {args.concurrency} concurrent, {posts_per_command} posts "
        f"per command\n"
    )
    print(f"{'app':<16}{'p50 ack':>10}{'p99 ack':>10}{'estimates/s':>13}{'idle RSS':>10}"
          f"{'peak RSS':>10}{'lost':>6}{'CPU/cmd':>10}")  # fmt: skip
    for r in rows:
        print(
            f"{r['app']:<16}{r['p50_ms']:>8.1f}ms{r['p99_ms']:>8.1f}ms{r['estimates_per_s']:>13.1f}"
            f"{r['idle_mb']:>8.0f}MB{r['peak_mb']:>8.0f}MB{r['lost']:>6}{r['cpu_ms']:>8.2f}ms"
        )
    ratio = rows[1]["estimates_per_s"] / rows[0]["estimates_per_s"]  # type: ignore[operator]
    print(f"\nbot throughput = {ratio:.0%} of the bare app's")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
