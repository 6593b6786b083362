"""The bot in this process: its real HTTP endpoint (bot/slack/server.py's web_app) on a local
port, against the fake Slack and a real Redis, with no estimate or chart worker processes unless
asked. Requests are signed as Slack signs them, so every check a real request meets runs.

    async with bot_in_process(slack, redis_url) as bot:
        status = await bot.post(slash_command_body(...))
        await bot.settle()
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import redis.exceptions
from aiohttp.test_utils import TestServer

from bot.slack.app import Bot, build_bot
from bot.slack.config import Config
from bot.slack.job_stream import GROUP
from bot.slack.server import Health, web_app
from bot.slack.web_session import web_api_session
from tests.support.fake_slack import FakeSlack
from tests.support.fake_slack.records import TEST_BOT_TOKEN
from tests.support.signing import headers_for

SIGNING_SECRET = "in-process-signing-secret"


@dataclass
class InProcessBot:
    bot: Bot
    slack: FakeSlack
    server: TestServer
    http: aiohttp.ClientSession

    async def post(self, body: bytes) -> int:
        """POST a Slack-signed body to /slack/events; the HTTP status of the acknowledgement."""
        url = self.server.make_url("/slack/events")
        async with self.http.post(url, data=body, headers=headers_for(body, SIGNING_SECRET)) as r:
            await r.read()
            return r.status

    async def settle(self, seconds: float = 20.0) -> None:
        """Wait for acknowledged work (queued jobs, replies, charts) to finish: every job in the
        queue read and acknowledged, nothing in flight, and the fake Slack called no more since
        the last look, twice in a row."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        last: tuple[int, int, int] | None = None
        while loop.time() < deadline:
            now = (
                len(self.slack.calls) + len(self.slack.responses),
                self.bot.conversations.in_flight,
                await self.jobs_unfinished(),
            )
            if now[1:] == (0, 0) and now == last:
                return
            last = now
            await asyncio.sleep(0.02)
        raise AssertionError(f"the bot was still busy after {seconds}s")

    async def jobs_unfinished(self) -> int:
        """Jobs in the queue's streams that no replica has read yet, or read and not yet
        acknowledged (the consumer group's lag and pending entries, as Redis counts them)."""
        queue = self.bot.conversations.queue
        if queue is None:
            return 0
        unfinished = 0
        try:
            for stream in queue.streams:
                written = (await queue.redis.xinfo_stream(stream))["last-generated-id"]
                for group in await queue.redis.xinfo_groups(stream):
                    if group["name"] == GROUP:
                        unfinished += int(group["pending"])
                        unfinished += group["last-delivered-id"] != written
        except redis.exceptions.ConnectionError:
            return 0  # a stopped Redis: no replica can read its jobs, so none is coming
        return unfinished


@contextlib.asynccontextmanager
async def bot_in_process(
    slack: FakeSlack, redis_url: str, **settings: Any
) -> AsyncIterator[InProcessBot]:
    defaults: dict[str, Any] = {"estimate_workers": 0, "charts": False}
    config = Config(
        slack_bot_token=TEST_BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        redis_url=redis_url,
        **{**defaults, **settings},
    )
    bot = build_bot(config)
    bot.client.session = web_api_session()
    await bot.workers.start()
    if bot.conversations.queue is not None:
        # Its reader waits 50 ms for jobs, not 500: shutting down at the end of each test then
        # waits no longer than that for the reader to notice (the real read and stop, shorter).
        bot.conversations.queue.read_block_ms = 50
        await bot.conversations.queue.start()
    if bot.charts is not None:
        await bot.charts.start()
    server = TestServer(web_app(bot, Health(bot)))
    await server.start_server()
    http = aiohttp.ClientSession()
    try:
        yield InProcessBot(bot, slack, server, http)
    finally:
        await bot.conversations.drain(10)  # stops reading the queue, as at shutdown
        await http.close()
        await server.close()
        await bot.workers.close()
        if bot.charts is not None:
            await bot.charts.close()
        if bot.conversations.queue is not None:
            await bot.conversations.queue.close()
        await bot.store.close()
        await bot.client.session.close()
