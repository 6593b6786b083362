"""Signed /aicost load for the benchmarks: one command per channel, a workspace per 50 channels
and a person per command (as in a real fleet of teams, so the fair-use limits of 10 a minute per
person do not shape the figures), a fixed number in flight at once. The commands are one text
repeated (the cache's best case) or a corpus of distinct requests (benchmarks/corpus.py), whose
follow-ups and button clicks `send_thread_actions` sends into the estimates' threads."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import aiohttp

from benchmarks.corpus import Conversation
from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack
from tests.support.signing import (
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
)

STANDARD = "10000 users startup"
# Workspaces and people are new on every run: fair-use buckets left in Redis by a run a minute
# ago must not slow this one down.
RUN = uuid.uuid4().hex[:6].upper()
# Requests an app answered with another status than 200, by status (a loaded machine's Redis
# timeouts have made the bot answer 404): reported beside the figures.
REFUSED: dict[int | str, int] = {}


async def send_commands(
    app: BotProcess,
    slack: FakeSlack,
    prefix: str,
    indices: range,
    concurrency: int,
    session: aiohttp.ClientSession,
    texts: Sequence[str] = (STANDARD,),
) -> list[float]:
    """POST one signed /aicost per index (channel C{prefix}{i}, text texts[i % len(texts)]);
    returns each ack's seconds."""
    bodies = [
        slash_command_body(
            texts[i % len(texts)],
            team_id=team(prefix, i),
            channel_id=f"C{prefix}{i}",
            user_id=f"U{RUN}{prefix}{i}",
            response_url=slack.response_url(f"{prefix}{i}"),
        )
        for i in indices
    ]
    return await post_all(app, bodies, concurrency, session)


async def post_all(
    app: BotProcess, bodies: list[bytes], concurrency: int, session: aiohttp.ClientSession
) -> list[float]:
    """POST each body, `concurrency` in flight, last first; returns each ack's seconds."""
    queue = list(bodies)
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            status, _, seconds = await app.post(queue.pop(), session=session)
            if status != 200:  # counted; its answer is then missing from the round's posts
                REFUSED[status] = REFUSED.get(status, 0) + 1
                continue
            latencies.append(seconds)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def team(prefix: str, i: int) -> str:
    return f"T{RUN}{prefix}{i // 50}"


def estimates_by_channel(slack: FakeSlack, prefix: str) -> dict[str, str]:
    """{channel: ts of the estimate posted there} for the channels of `prefix`."""
    start = f"C{prefix}"
    return {
        c.args["channel"]: c.response["ts"]
        for c in slack.calls
        if c.method == "chat.postMessage"
        and "thread_ts" not in c.args
        and str(c.args.get("channel", "")).startswith(start)
        and c.response
    }


def thread_actions(corpus: Sequence[Conversation], indices: range) -> list[tuple[int, str]]:
    """(index, what) for each follow-up ("say:<text>") and click ("click:<action id>")."""
    actions = []
    for i in indices:
        c = corpus[i % len(corpus)]
        if c.follow_up is not None:
            actions.append((i, f"say:{c.follow_up}"))
        if c.click is not None:
            actions.append((i, f"click:{c.click.value}"))
    return actions


async def send_thread_actions(
    app: BotProcess,
    slack: FakeSlack,
    prefix: str,
    actions: list[tuple[int, str]],
    concurrency: int,
    session: aiohttp.ClientSession,
) -> list[float]:
    """Each person's reply or button click in the thread of the estimate they asked for (the
    estimates must be posted already), signed as Slack sends them; returns each ack's seconds."""
    threads = estimates_by_channel(slack, prefix)
    bodies = []
    for i, what in actions:
        channel, user = f"C{prefix}{i}", f"U{RUN}{prefix}{i}"
        if channel not in threads:  # its estimate never came: nothing to reply to
            REFUSED["no estimate to reply to"] = REFUSED.get("no estimate to reply to", 0) + 1
            continue
        kind, _, value = what.partition(":")
        if kind == "say":
            event = message_event(
                value, channel=channel, user=user, thread_ts=threads[channel],
                team=team(prefix, i),
            )  # fmt: skip
            bodies.append(event_callback_body(event, team_id=team(prefix, i)))
        else:
            bodies.append(block_actions_body(
                value, "x", channel_id=channel, message_ts=threads[channel],
                team_id=team(prefix, i), user_id=user,
            ))  # fmt: skip
    return await post_all(app, bodies, concurrency, session)


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
