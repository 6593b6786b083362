"""The shared estimate pages' rate limit in the running bot (`python -m bot` with PUBLIC_URL and
ESTIMATE_PAGE_REQUESTS_PER_MINUTE), over real HTTP, its buckets in a real Redis: a client asking
too often gets 429 with Retry-After and a sentence, and the log says so once; behind the proxy
named in TRUSTED_PROXIES each visitor it forwards for has a budget of their own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from aiohttp import ClientSession, TCPConnector

from bot.slack.page_routes import GONE, LIMITED
from bot.slack.ratelimit import client_digest
from tests.slack.test_page_rate_limit import get, loopback_addresses
from tests.support.bot_process import BotProcess, free_port
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.asyncio(loop_scope="module")

PER_MINUTE = 3
(PROXY,) = loopback_addresses(1)  # the ingress in front of the bot, as TRUSTED_PROXIES names it


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack: FakeSlack, redis_url: str) -> AsyncIterator[BotProcess]:
    port = free_port()
    env = {
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ESTIMATE_PAGE_REQUESTS_PER_MINUTE": str(PER_MINUTE),
        "TRUSTED_PROXIES": f"{PROXY}/32",
    }
    process = await BotProcess(slack.base_url, redis_url, port=port, extra_env=env).start()
    yield process
    assert await process.stop() == 0, process.logs()


async def test_the_running_bot_answers_a_client_over_its_limit_with_429(bot, redis_url) -> None:
    hammering, other = [a for a in loopback_addresses(3) if a != PROXY][:2]
    url = f"{bot.url}/e/{'q' * 22}"
    try:
        answers = [await get(url, hammering) for _ in range(PER_MINUTE + 3)]
        statuses = [status for status, _, _ in answers]
        assert statuses == [404] * PER_MINUTE + [429] * 3, statuses
        _, html, headers = answers[-1]
        assert LIMITED in html.replace("&#x27;", "'") and int(headers["Retry-After"]) >= 1
        status, html, _ = await get(url, other)  # someone else still gets the page's answer
        assert status == 404 and GONE in html.replace("&#x27;", "'")
        lines = [line for line in bot.logs().splitlines() if "estimate pages: client" in line]
        assert len(lines) == 1 and client_digest(hammering) in lines[0], bot.logs()
        assert hammering not in lines[0] and "q" * 22 not in lines[0]
    finally:
        raw = aioredis.Redis.from_url(redis_url)
        for address in (hammering, other):
            keys = [key async for key in raw.scan_iter(f"*{client_digest(address)}*")]
            if keys:
                await raw.delete(*keys)
        await raw.aclose()


async def test_behind_the_trusted_proxy_each_visitor_is_limited_on_their_own(
    bot, redis_url
) -> None:
    reader, other = "203.0.113.7", "203.0.113.8"
    url = f"{bot.url}/e/{'q' * 22}"

    async def through_the_proxy(visitor: str, forged: str = "198.51.100.1") -> int:
        headers = {"X-Forwarded-For": f"{forged}, {visitor}"}  # the proxy appended the visitor
        async with (
            ClientSession(connector=TCPConnector(local_addr=(PROXY, 0))) as session,
            session.get(url, headers=headers) as response,
        ):
            return response.status

    try:
        forged = [f"198.51.100.{n}" for n in range(1, PER_MINUTE + 2)]
        seen = [await through_the_proxy(reader, fake) for fake in forged]
        assert seen == [404] * PER_MINUTE + [429], seen  # a new forged address buys nothing
        assert await through_the_proxy(other) == 404  # the proxy's next visitor is let in
    finally:
        raw = aioredis.Redis.from_url(redis_url)
        for address in (reader, other, PROXY):
            keys = [key async for key in raw.scan_iter(f"*{client_digest(address)}*")]
            if keys:
                await raw.delete(*keys)
        await raw.aclose()
