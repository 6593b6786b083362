"""Shared estimate pages are rate limited per client address: a client asking too often gets 429
with Retry-After and one sentence, known and unknown IDs cost the same, other clients are not
affected, and the log says so once a window. Real HTTP (each client from its own loopback
address), the token buckets in a real Redis."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from aiohttp import ClientSession, TCPConnector, web
from aiohttp.test_utils import TestServer

from bot.slack.client_address import TrustedProxies
from bot.slack.estimate_pages import EstimatePages
from bot.slack.page_routes import GONE, LIMITED, add_page_routes
from bot.slack.ratelimit import PageLimiter, client_digest
from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.redis_backend import RedisStore
from bot.slack.workers import Workers
from tests.slack.test_state import _state

PUBLIC = "https://aicost.example.com"
TEAM, CHANNEL, ASKER = "TLIMITS001", "C0LIMITS1", "UASKER001"
UNKNOWN = "z" * 22  # the pattern of an ID, of no page


@dataclass
class Served:
    pages: EstimatePages
    base: str
    addresses: list[str]  # loopback addresses no other test (or run) is using


def loopback_addresses(count: int) -> list[str]:
    """Client addresses of their own: buckets are per address, in a Redis others share."""
    picked = random.sample(range(2, 250 * 250), count)
    return [f"127.{n // 250 + 1}.{n % 250 + 1}.{random.randint(2, 250)}" for n in picked]


async def serve(redis_url: str, per_minute: int) -> AsyncIterator[Served]:
    store = RedisStore(redis_url, ttl_seconds=3600)
    pages = EstimatePages(store, PUBLIC, 1)
    app = web.Application()
    limiter = PageLimiter(store, MemoryStore(ttl_seconds=3600), per_minute)
    add_page_routes(app, pages, Workers(count=0), None, limiter, TrustedProxies())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    addresses = loopback_addresses(3)
    try:
        yield Served(pages, str(server.make_url("")).rstrip("/"), addresses)
    finally:
        await server.close()
        raw = aioredis.Redis.from_url(redis_url)
        keys = [key for a in addresses async for key in raw.scan_iter(f"*{client_digest(a)}*")]
        if keys:
            await raw.delete(*keys)
        await raw.aclose()
        await store.close()


@pytest_asyncio.fixture
async def thirty(redis_url: str) -> AsyncIterator[Served]:
    async for served in serve(redis_url, per_minute=30):
        yield served


@pytest_asyncio.fixture
async def six(redis_url: str) -> AsyncIterator[Served]:
    async for served in serve(redis_url, per_minute=6):
        yield served


async def get(url: str, address: str) -> tuple[int, str, dict[str, str]]:
    async with (
        ClientSession(connector=TCPConnector(local_addr=(address, 0))) as session,
        session.get(url) as response,
    ):
        return response.status, await response.text(), dict(response.headers)


async def test_a_client_asking_too_often_gets_429_with_retry_after_then_gets_in_again(
    thirty: Served,
) -> None:
    link = await thirty.pages.create(TEAM, CHANNEL, ASKER, _state().scenario, None)
    assert link is not None
    url = f"{thirty.base}/e/{link.page_id}"
    hammering, other, _ = thirty.addresses
    answered = []
    for _ in range(40):
        status, html, headers = await get(url, hammering)
        answered.append(status)
        if status == 429:
            break
    # 30 a minute: a burst of 30 (and what refilled meanwhile, half a request a second) passes.
    assert answered[-1] == 429 and 30 <= answered.count(200) <= 33, answered
    assert LIMITED in html.replace("&#x27;", "'") and "$" not in html
    assert headers["X-Robots-Tag"].startswith("noindex") and headers["Cache-Control"] == "no-store"
    retry = int(headers["Retry-After"])
    assert 1 <= retry <= 2  # one request's worth of refill, in whole seconds
    # A person reads no headers: the page says the same wait.
    unit = "second" if retry == 1 else "seconds"
    assert f"Please try again in {retry} {unit}." in html, html
    # Another client is not held back by this one.
    assert (await get(url, other))[0] == 200
    await asyncio.sleep(retry)
    assert (await get(url, hammering))[0] == 200  # after Retry-After, in again


async def test_unknown_ids_cost_what_known_ones_do_and_are_refused_alike(six: Served) -> None:
    link = await six.pages.create(TEAM, CHANNEL, ASKER, _state().scenario, None)
    assert link is not None
    known, unknown, malformed = (
        f"{six.base}/e/{link.page_id}",
        f"{six.base}/e/{UNKNOWN}",
        f"{six.base}/e/nope",
    )
    trying, other, _ = six.addresses
    # Six a minute: two of each kind of ID spend them all, whatever the IDs are.
    seen = [(await get(url, trying))[0] for url in (known, unknown, malformed) * 2]
    assert seen == [200, 404, 404] * 2
    refused = [await get(url, trying) for url in (known, unknown, malformed)]
    assert [status for status, _, _ in refused] == [429, 429, 429]
    assert len({html for _, html, _ in refused}) == 1  # a refusal says nothing about the ID
    # The same six spent on unknown IDs alone leave as little for a known one.
    for _ in range(6):
        status, html, _ = await get(unknown, other)
        assert status == 404 and GONE in html.replace("&#x27;", "'")
    assert (await get(known, other))[0] == 429


async def test_the_log_names_a_limited_client_once_a_window_without_ids_or_addresses(
    six: Served, caplog: pytest.LogCaptureFixture
) -> None:
    link = await six.pages.create(TEAM, CHANNEL, ASKER, _state().scenario, None)
    assert link is not None
    first, second, _ = six.addresses
    with caplog.at_level(logging.INFO, logger="bot.slack.ratelimit"):
        for address in (first, second):
            statuses = [(await get(f"{six.base}/e/{link.page_id}", address))[0] for _ in range(12)]
            assert statuses.count(429) >= 5
    lines = [r.getMessage() for r in caplog.records if "estimate pages" in r.getMessage()]
    assert len(lines) == 2, lines  # one per client, however often each was refused
    assert client_digest(first) in lines[0] and client_digest(second) in lines[1]
    for line in lines:
        assert link.page_id not in line and first not in line and second not in line
        assert "6 requests a minute" in line


async def test_with_redis_down_the_limit_holds_in_process_memory() -> None:
    from tests.support.bot_process import free_port

    down = RedisStore(f"redis://127.0.0.1:{free_port()}/0", ttl_seconds=3600)  # nothing listens
    memory = MemoryStore(ttl_seconds=3600)
    pages = EstimatePages(memory, PUBLIC, 1)
    app = web.Application()
    add_page_routes(
        app, pages, Workers(count=0), None, PageLimiter(down, memory, 2), TrustedProxies()
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        url = f"{str(server.make_url('')).rstrip('/')}/e/{UNKNOWN}"
        (address,) = loopback_addresses(1)
        assert [(await get(url, address))[0] for _ in range(3)] == [404, 404, 429]
    finally:
        await server.close()
        await down.close()


def test_each_clients_keys_carry_its_own_hash_tag_so_a_cluster_spreads_them() -> None:
    from redis.cluster import key_slot

    from bot.slack.store.keys import bucket_key, claim_key

    clients = [f"page:{client_digest(address)}" for address in loopback_addresses(40)]
    buckets = [bucket_key(client) for client in clients]
    assert buckets[0] == f"aicost:{{{clients[0]}}}:bucket:{clients[0]}"
    slots = {key_slot(key.encode()) for key in buckets}
    assert len(slots) >= 35  # 40 clients over 16,384 slots (they once all shared `{page}`)
    for client, bucket in zip(clients, buckets, strict=True):
        assert key_slot(claim_key(f"{client}:limited").encode()) == key_slot(bucket.encode())
