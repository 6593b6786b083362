"""Behind a proxy named in TRUSTED_PROXIES, each visitor of the shared pages has a budget of their
own (the right-most X-Forwarded-For address not itself a trusted proxy); a forged left-most
address buys nothing, and an untrusted peer's X-Forwarded-For is ignored. Real HTTP, each client
and proxy from its own loopback address, the buckets in a real Redis (where the keys are checked
to name the client the limit charged)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from aiohttp import ClientSession, TCPConnector, web
from aiohttp.test_utils import TestServer

from bot.slack.client_address import TrustedProxies, parse_networks
from bot.slack.estimate_pages import EstimatePages
from bot.slack.page_routes import add_page_routes
from bot.slack.ratelimit import PageLimiter, client_digest
from bot.slack.store.keys import bucket_key
from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.redis_backend import RedisStore
from bot.slack.workers import Workers
from tests.slack.test_page_rate_limit import PUBLIC, UNKNOWN, loopback_addresses

PER_MINUTE = 3
INNER_PROXIES = "10.77.0.0/16"  # a second tier of proxies, seen only in X-Forwarded-For


@dataclass
class Site:
    url: str  # an unknown page: 404 until the client is limited, then 429
    proxy: str  # the trusted proxy's own loopback address
    untrusted: str  # a loopback peer not named in TRUSTED_PROXIES
    raw: aioredis.Redis
    charged: list[str]  # every address whose bucket a test may have touched, to clean up

    async def status(self, peer: str, *forwarded_for: str) -> int:
        headers = [("X-Forwarded-For", value) for value in forwarded_for]
        async with (
            ClientSession(connector=TCPConnector(local_addr=(peer, 0))) as session,
            session.get(self.url, headers=headers) as response,
        ):
            return response.status

    async def has_bucket(self, address: str) -> bool:
        self.charged.append(address)
        return bool(await self.raw.exists(bucket_key(f"page:{client_digest(address)}")))


def documentation_addresses(count: int) -> list[str]:
    """Public-looking client addresses of their own (TEST-NET-3), as an ingress forwards them."""
    return [f"203.0.113.{n}" for n in random.sample(range(1, 255), count)]


@pytest_asyncio.fixture
async def site(redis_url: str) -> AsyncIterator[Site]:
    proxy, untrusted = loopback_addresses(2)
    proxies = TrustedProxies(parse_networks(f"{proxy}/32, {INNER_PROXIES}"))
    store = RedisStore(redis_url, ttl_seconds=3600)
    app = web.Application()
    limiter = PageLimiter(store, MemoryStore(ttl_seconds=3600), PER_MINUTE)
    add_page_routes(app, EstimatePages(store, PUBLIC, 1), Workers(count=0), None, limiter, proxies)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    raw = aioredis.Redis.from_url(redis_url)
    url = f"{str(server.make_url('')).rstrip('/')}/e/{UNKNOWN}"
    served = Site(url, proxy, untrusted, raw, [proxy, untrusted])
    try:
        yield served
    finally:
        await server.close()
        for address in served.charged:
            keys = [key async for key in raw.scan_iter(f"*{client_digest(address)}*")]
            if keys:
                await raw.delete(*keys)
        await raw.aclose()
        await store.close()


async def test_behind_a_trusted_proxy_each_visitor_has_a_budget_of_their_own(site: Site) -> None:
    reader, other = documentation_addresses(2)
    site.charged += [reader, other]
    seen = [await site.status(site.proxy, reader) for _ in range(PER_MINUTE + 1)]
    assert seen == [404] * PER_MINUTE + [429]
    # The same proxy, another visitor: not held back by the first (before, both shared its budget).
    assert await site.status(site.proxy, other) == 404
    assert await site.has_bucket(reader) and await site.has_bucket(other)
    assert not await site.has_bucket(site.proxy)


async def test_a_forged_left_most_address_buys_no_new_budget(site: Site) -> None:
    (reader,) = documentation_addresses(1)
    forged = [f"198.51.100.{n}" for n in range(1, PER_MINUTE + 3)]
    site.charged += [reader, *forged]
    # The client sends a new X-Forwarded-For each time; the proxy appends the address it saw.
    seen = [await site.status(site.proxy, f"{fake}, {reader}") for fake in forged]
    assert seen == [404] * PER_MINUTE + [429] * (len(forged) - PER_MINUTE)
    assert not any([await site.has_bucket(fake) for fake in forged])


async def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop(site: Site) -> None:
    reader, forged = documentation_addresses(2)
    inner = "10.77.3.4"  # trusted: a proxy between the edge and ours
    site.charged += [reader, forged, inner]
    # Several X-Forwarded-For headers are one list, in order (as RFC 9110 joins repeated fields).
    seen = [await site.status(site.proxy, forged, f"{reader}, {inner}") for _ in range(PER_MINUTE)]
    assert seen == [404] * PER_MINUTE
    assert await site.status(site.proxy, f"{reader}:51234") == 429  # a port appended: the same one
    assert await site.has_bucket(reader)
    assert not await site.has_bucket(forged) and not await site.has_bucket(inner)


async def test_an_untrusted_peer_cannot_choose_its_bucket_with_x_forwarded_for(site: Site) -> None:
    victim, *made_up = documentation_addresses(PER_MINUTE + 2)
    site.charged += [victim, *made_up]
    seen = [await site.status(site.untrusted, address) for address in made_up]
    assert seen == [404] * PER_MINUTE + [429]
    assert await site.has_bucket(site.untrusted)
    assert not any([await site.has_bucket(address) for address in made_up])
    # Nor spend someone else's: naming a visitor from outside charged only the peer itself.
    assert await site.status(site.untrusted, victim) == 429
    assert await site.status(site.proxy, victim) == 404


async def test_the_proxy_itself_and_a_garbled_header_count_against_the_nearest_known_hop(
    site: Site,
) -> None:
    reader = documentation_addresses(1)[0]
    site.charged.append(reader)
    # No header, or one no proxy of ours wrote: the proxy's own address is all that is known.
    assert await site.status(site.proxy) == 404
    assert await site.status(site.proxy, "unknown") == 404
    assert await site.status(site.proxy, f"{reader}, not-an-address") == 404
    assert await site.status(site.proxy, "") == 429
    assert await site.has_bucket(site.proxy) and not await site.has_bucket(reader)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.5", ["192.0.2.1"], "192.0.2.1"),
        ("10.0.0.5", ["192.0.2.1, 10.0.0.9"], "192.0.2.1"),  # two proxies of ours
        ("10.0.0.5", ["10.0.0.7, 10.0.0.9"], "10.0.0.7"),  # every hop ours: the left-most
        ("192.0.2.9", ["10.0.0.1"], "192.0.2.9"),  # an untrusted peer's header is ignored
        ("::ffff:10.0.0.5", ["[2001:db8::1]:443"], "2001:db8::/64"),  # mapped peer, bracketed
        ("10.0.0.5", ["2001:DB8:0::1"], "2001:db8::/64"),  # one client, one way of writing it
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(
    peer: str, forwarded: list[str], client: str
) -> None:
    assert TrustedProxies(parse_networks("10.0.0.0/8")).client(peer, forwarded) == client


def test_no_trusted_proxies_is_the_peer_whatever_the_header_says() -> None:
    assert TrustedProxies(parse_networks("")).client("10.0.0.5", ["192.0.2.1"]) == "10.0.0.5"
    assert TrustedProxies().client(None, ["192.0.2.1"]) is None
