"""Signed /aicost load for the benchmarks: one command per channel, a workspace per 50 channels
and a person per command (as in a real fleet of teams, so the fair-use limits of 10 a minute per
person do not shape the figures), a fixed number in flight at once."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp

from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack
from tests.support.signing import slash_command_body

STANDARD = "10000 users startup"
# Workspaces and people are new on every run: fair-use buckets left in Redis by a run a minute
# ago must not slow this one down.
RUN = uuid.uuid4().hex[:6].upper()


async def send_commands(
    app: BotProcess,
    slack: FakeSlack,
    prefix: str,
    indices: range,
    concurrency: int,
    session: aiohttp.ClientSession,
) -> list[float]:
    """POST one signed /aicost per index (channel C{prefix}{i}); returns each ack's seconds."""
    queue = list(indices)
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            i = queue.pop()
            body = slash_command_body(
                STANDARD,
                team_id=f"T{RUN}{prefix}{i // 50}",
                channel_id=f"C{prefix}{i}",
                user_id=f"U{RUN}{prefix}{i}",
                response_url=slack.response_url(f"{prefix}{i}"),
            )
            status, _, seconds = await app.post(body, session=session)
            assert status == 200, status
            latencies.append(seconds)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


class Posts:
    """Counts the messages the fake received in the channels of `prefix`. Each read looks only
    at calls new since the last one: rescanning every call recorded so far, a hundred times a
    second, cost the harness more CPU the longer a round ran, and so slowed the slower app more
    (it shares the machine's two cores with the apps)."""

    def __init__(self, slack: FakeSlack, prefix: str, top_level_only: bool = False) -> None:
        self.slack = slack
        self.channel_start = f"C{prefix}"
        self.top_level_only = top_level_only
        self._seen = 0
        self._count = 0

    def count(self) -> int:
        calls = self.slack.calls
        for c in calls[self._seen :]:
            if (
                c.method == "chat.postMessage"
                and str(c.args.get("channel", "")).startswith(self.channel_start)
                and not (self.top_level_only and "thread_ts" in c.args)
            ):
                self._count += 1
        self._seen = len(calls)
        return self._count
