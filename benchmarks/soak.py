"""Soak: hours of ordinary traffic in minutes. Two bot replicas share one Redis (with an
append-only file, as in production) and the local fake Slack; varied slash commands (estimates,
comparisons, help, text it cannot read), follow-ups and button clicks on the estimates they made,
and stray channel talk (replies in threads the bot never started, top-level chatter) arrive from
many workspaces at a steady rate. Redis is restarted once, half way. Every 30 s it records the
bots' and Redis's memory, Redis's key count and the job stream's length; at the end, for every
request acknowledged, whether it was answered exactly once.

Run: python benchmarks/soak.py [--minutes 30] [--rate 2] [--workspaces 20] [--json out.json]

Loopback only: requests signed as Slack signs them, answers counted at the fake Slack. An
interaction on an estimate (a follow-up or a click) is sent only once the thread is quiet and
none other is outstanding on it, so each one's answer is the next post in its thread. While
Redis is down, follow-ups and clicks wait (their conversation is in Redis: the bot says so
rather than answers them); commands and stray talk go on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bot_latency import family_rss_mb, rss_mb  # noqa: E402
from bot.slack.ids import Action  # noqa: E402
from bot.slack.job_queue import STREAM  # noqa: E402
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402
from tests.support.signing import slash_command_body  # noqa: E402
from tests.support.slack_shapes import block_actions, event_envelope, thread_message  # noqa: E402

COMMANDS = [
    "10000 users startup",
    "50000 users midsize gpt-4o",
    "250000 users enterprise 3 regions",
    "2000 users startup claude haiku 99.9 uptime",
    "compare gpt-4o and claude sonnet for 20000 users",
    "help",
    "what does it cost to fly to the moon",
]
FOLLOW_UPS = ["what if 50k users?", "what if we cache 40%?", "undo", "what if 2 regions?"]
QUIET_SECONDS = 4.0  # a thread this long without a new post has all its tips
SAMPLE_SECONDS = 30.0
BOT_ENV = {"STATE_TTL_SECONDS": "300"}  # conversations expire within the run: memory levels off


@dataclass
class Owed:
    """One acknowledged request and where its answer must show up."""

    kind: str
    channel: str
    thread_ts: str | None = None  # follow-ups and clicks: their answer is the next thread post
    response: str | None = None  # a slash command's response_url name
    before: int = 0  # posts in the thread when it was sent
    sent_at: float = field(default_factory=time.monotonic)


class Soak:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.teams = ["T" + uuid.uuid4().hex[:9].upper() for _ in range(args.workspaces)]
        self.owed: list[Owed] = []
        self.strays: list[str] = []  # channels where only stray talk happened
        self.refused = 0  # requests not acknowledged (not 200)
        self.busy: set[str] = set()  # threads with an interaction outstanding
        self.redis_down = False
        self.samples: list[dict[str, float]] = []

    # -- requests ------------------------------------------------------------------------------

    async def command(self, bot: BotProcess, session: aiohttp.ClientSession) -> None:
        channel, name = "C" + uuid.uuid4().hex[:10].upper(), uuid.uuid4().hex
        team = self.team_by_channel[channel] = random.choice(self.teams)
        body = slash_command_body(
            random.choice(COMMANDS), team_id=team, channel_id=channel,
            user_id="U" + uuid.uuid4().hex[:8].upper(), response_url=self.slack.response_url(name),
        )  # fmt: skip
        if await self._acked(bot, body, session):
            self.owed.append(Owed("command", channel, response=name))

    async def interaction(self, bot: BotProcess, session: aiohttp.ClientSession) -> None:
        estimate = None if self.redis_down else self._quiet_estimate()
        if estimate is None:
            return
        before = len(self._thread(estimate.args["channel"], estimate.response["ts"]))
        channel, ts = estimate.args["channel"], estimate.response["ts"]
        team = self.team_by_channel[channel]
        if random.random() < 0.5:
            kind = "follow_up"
            event = thread_message(random.choice(FOLLOW_UPS), channel=channel, thread_ts=ts,
                                   user="U" + uuid.uuid4().hex[:8].upper(), team=team)  # fmt: skip
            body = event_envelope(event, installed_team=team)
        else:
            kind = "click"
            value = _button_value(estimate.args.get("blocks") or [], Action.what_if_10x)
            body = block_actions(
                Action.what_if_10x, value, channel=channel, message_ts=ts, user_team=team,
                team=team, response_url=self.slack.response_url(uuid.uuid4().hex),
            )  # fmt: skip
        self.busy.add(ts)
        if await self._acked(bot, body, session):
            self.owed.append(Owed(kind, channel, thread_ts=ts, before=before))
        else:
            self.busy.discard(ts)

    async def stray(self, bot: BotProcess, session: aiohttp.ClientSession) -> None:
        channel, team = "C" + uuid.uuid4().hex[:10].upper(), random.choice(self.teams)
        thread_ts = f"{int(time.time()) - 60}.{random.randint(100000, 999999)}"
        event = thread_message("we should ask finance " + "😀" * random.randint(1, 2000),
                               channel=channel, thread_ts=thread_ts, team=team)  # fmt: skip
        if random.random() < 0.3:  # top-level chatter
            event.pop("thread_ts")
        if await self._acked(bot, event_envelope(event, installed_team=team), session):
            self.strays.append(channel)

    async def _acked(self, bot: BotProcess, body: bytes, session: aiohttp.ClientSession) -> bool:
        try:
            status, _, _ = await bot.post(body, session=session)
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        if status != 200:
            self.refused += 1
        return status == 200

    # -- what the fake Slack saw ---------------------------------------------------------------

    def _thread(self, channel: str, ts: str) -> list:
        return [
            c for c in self.slack.calls_to("chat.postMessage")
            if c.ok and c.args.get("channel") == channel and c.args.get("thread_ts") == ts
        ]  # fmt: skip

    def _quiet_estimate(self):
        now = time.perf_counter()
        candidates = [
            c for c in self.slack.calls_to("chat.postMessage")
            if c.ok and not c.args.get("thread_ts") and c.response["ts"] not in self.busy
            and _button_value(c.args.get("blocks") or [], Action.what_if_10x)
            and now - c.at > QUIET_SECONDS and now - c.at < 240  # well inside the state's TTL
        ]  # fmt: skip
        random.shuffle(candidates)
        for call in candidates[:5]:
            thread = self._thread(call.args["channel"], call.response["ts"])
            if not thread or now - max(c.at for c in thread) > QUIET_SECONDS:
                return call
        return None

    def tally(self) -> dict[str, dict[str, int]]:
        """Per kind: acknowledged, answered, lost, doubled; stray talk: sent and answered."""
        top: dict[str, int] = {}
        for c in self.slack.calls_to("chat.postMessage"):
            if c.ok and not c.args.get("thread_ts"):
                top[c.args["channel"]] = top.get(c.args["channel"], 0) + 1
        responses: dict[str, int] = {}
        for r in self.slack.responses:
            if r.status == 200:
                responses[r.name] = responses.get(r.name, 0) + 1
        result = {kind: {"acknowledged": 0, "answered": 0, "lost": 0, "doubled": 0}
                  for kind in ("command", "interaction")}  # fmt: skip
        row = result["command"]
        threads: dict[tuple[str, str], list[Owed]] = {}
        for owed in self.owed:
            if owed.kind != "command":
                threads.setdefault((owed.channel, owed.thread_ts or ""), []).append(owed)
                continue
            got = top.get(owed.channel, 0) + responses.get(owed.response or "", 0)
            row["acknowledged"] += 1
            row["answered" if got >= 1 else "lost"] += 1
            row["doubled"] += max(0, got - 1)
        # Interactions on one thread were sent one at a time: its posts since the first of them
        # are their answers, one each.
        row = result["interaction"]
        for (channel, ts), asked in threads.items():
            since = len(self._thread(channel, ts)) - min(o.before for o in asked)
            row["acknowledged"] += len(asked)
            row["answered"] += min(len(asked), since)
            row["lost"] += max(0, len(asked) - since)
            row["doubled"] += max(0, since - len(asked))
        result["interaction"]["follow_ups"] = sum(o.kind == "follow_up" for o in self.owed)
        result["interaction"]["clicks"] = sum(o.kind == "click" for o in self.owed)
        strays = set(self.strays)
        answered = sum(1 for c in self.slack.calls_to("chat.postMessage")
                       if c.ok and c.args.get("channel") in strays)  # fmt: skip
        result["stray"] = {"sent": len(self.strays), "answered": answered}
        return result

    # -- the run -------------------------------------------------------------------------------

    async def sample(self, started: float) -> None:
        raw = aioredis.Redis.from_url(self.redis.url, decode_responses=True)
        try:
            info = await raw.info("memory")
            keys, stream = await raw.dbsize(), await raw.xlen(STREAM)
        except Exception:  # down for its restart: skip this reading's Redis figures
            info, keys, stream = {}, -1, -1
        finally:
            await raw.aclose()
        redis_rss = family_rss_mb([self.redis._proc.pid]) if self.redis.running else 0.0
        self.samples.append({
            "minute": round((time.monotonic() - started) / 60, 1),
            "acknowledged": len(self.owed) + len(self.strays),
            "bots_rss_mb": round(sum(rss_mb(b) for b in self.bots), 1),
            "redis_used_mb": round(info.get("used_memory", 0) / 2**20, 2),
            "redis_rss_mb": round(redis_rss, 1),
            "keys": keys,
            "stream": stream,
        })  # fmt: skip
        print(json.dumps(self.samples[-1]), flush=True)

    async def run(self) -> dict:
        self.restarted = False
        self.team_by_channel: dict[str, str] = {}
        with RedisServer(persistent=True) as redis:
            self.redis = redis
            async with FakeSlack() as slack:
                self.slack = slack
                self.bots = [await BotProcess(slack.base_url, redis.url, extra_env=BOT_ENV).start()
                             for _ in range(2)]  # fmt: skip
                try:
                    return await self._drive()
                finally:
                    for bot in self.bots:
                        await bot.stop()

    async def _drive(self) -> dict:
        args = self.args
        started = time.monotonic()
        end = started + args.minutes * 60
        restart_at = started + args.minutes * 30
        next_sample = started
        tasks: set[asyncio.Task] = set()
        async with aiohttp.ClientSession() as session:
            n = 0
            while time.monotonic() < end:
                now = time.monotonic()
                if now >= next_sample:
                    await self.sample(started)
                    next_sample += SAMPLE_SECONDS
                if not self.restarted and now >= restart_at:
                    self.restarted = self.redis_down = True
                    print("restarting redis", flush=True)
                    await asyncio.to_thread(self.redis.stop)
                    await asyncio.sleep(2)
                    await asyncio.to_thread(self.redis.start)
                    self.redis_down = False
                bot = self.bots[n % 2]
                n += 1
                pick = random.random()
                if pick < 0.45:
                    work = self.command(bot, session)
                elif pick < 0.75:
                    work = self.interaction(bot, session)
                else:
                    work = self.stray(bot, session)
                task = asyncio.create_task(work)
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                await asyncio.sleep(random.expovariate(args.rate))
            await asyncio.gather(*tasks)
            await asyncio.sleep(args.settle)
            await self.sample(started)
        tally = self.tally()
        print(json.dumps(tally, indent=1), flush=True)
        return {"minutes": args.minutes, "rate": args.rate, "workspaces": args.workspaces,
                "refused": self.refused, "tally": tally, "samples": self.samples}  # fmt: skip


def _button_value(blocks: list, action: str) -> str:
    for block in blocks:
        for element in block.get("elements", []) if isinstance(block, dict) else []:
            if isinstance(element, dict) and element.get("action_id") == action:
                return str(element.get("value") or "")
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=2.0, help="requests a second")
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--settle", type=float, default=90.0, help="seconds to wait for answers")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(Soak(args).run())
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
