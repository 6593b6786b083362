"""The bot in this process: its real HTTP endpoint (bot/slack/server.py's web_app) on a local
port, against the fake Slack and a real Redis, with no estimate or chart worker processes unless
asked. Requests are signed as Slack signs them, so every check a real request meets runs.

    async with bot_in_process(slack, redis_url) as bot:
        status = await bot.post(slash_command_body(...))
        await bot.settle()
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from bot.slack.app import Bot, build_bot
from bot.slack.config import Config
from bot.slack.server import Health, web_app
from bot.slack.web_session import web_api_session
from tests.support.fake_slack import FakeSlack
from tests.support.fake_slack.records import TEST_BOT_TOKEN
from tests.support.signing import headers_for

SIGNING_SECRET = "in-process-signing-secret"


@dataclass
class InProcessBot:
    bot: Bot
    server: TestServer
    http: aiohttp.ClientSession

    async def post(self, body: bytes) -> int:
        """POST a Slack-signed body to /slack/events; the HTTP status of the acknowledgement."""
        url = self.server.make_url("/slack/events")
        async with self.http.post(url, data=body, headers=headers_for(body, SIGNING_SECRET)) as r:
            await r.read()
            return r.status

    async def settle(self, seconds: float = 20.0) -> None:
        """Wait for acknowledged work (replies, charts) to finish."""
        await self.bot.conversations.drain(seconds)


@contextlib.asynccontextmanager
async def bot_in_process(
    slack: FakeSlack, redis_url: str, **settings: Any
) -> AsyncIterator[InProcessBot]:
    config = Config(
        slack_bot_token=TEST_BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        redis_url=redis_url,
        estimate_workers=0,
        charts=False,
        **settings,
    )
    bot = build_bot(config)
    bot.client.session = web_api_session()
    await bot.workers.start()
    if bot.conversations.queue is not None:
        await bot.conversations.queue.start()
    if bot.charts is not None:
        await bot.charts.start()
    server = TestServer(web_app(bot, Health(bot)))
    await server.start_server()
    http = aiohttp.ClientSession()
    try:
        yield InProcessBot(bot, server, http)
    finally:
        await bot.conversations.drain(10)
        await http.close()
        await server.close()
        await bot.workers.close()
        if bot.charts is not None:
            await bot.charts.close()
        if bot.conversations.queue is not None:
            await bot.conversations.queue.close()
        await bot.store.close()
        await bot.client.session.close()
