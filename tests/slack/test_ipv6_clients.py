"""An IPv6 client of the shared pages is its /64, so rotating addresses within the block it was
given buys no new budget; an IPv4 client is its address, also when it arrives IPv4-mapped on a
dual-stack socket. The machine running the tests holds one IPv6 loopback address (::1), not a
/64, so rotation is driven over real HTTP through a trusted proxy's X-Forwarded-For (and at the
address level below); a direct IPv6 peer and an IPv4-mapped one over real sockets. Buckets in a
real Redis, checked to name the client the limit charged."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from aiohttp import ClientSession, TCPConnector, web

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


@pytest.mark.parametrize(
    ("peer", "client"),
    [
        ("2001:db8:1:2::a", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # the same /64's last one
        ("2001:db8:1:3::a", "2001:db8:1:3::/64"),  # the next /64: another client
        ("[2001:DB8:1:2:0::B]:443", "2001:db8:1:2::/64"),  # as a proxy writes it, upper case
        ("fe80::1%eth0", "fe80::/64"),  # a zoned link-local peer
        ("::1", "::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),  # IPv4-mapped: the IPv4 client
        ("192.0.2.7", "192.0.2.7"),
        ("192.0.2.8", "192.0.2.8"),  # IPv4 stays per address (NAT shares one, never a block)
    ],
)
def test_an_ipv6_client_is_its_64_and_an_ipv4_client_its_address(peer: str, client: str) -> None:
    assert TrustedProxies().client(peer) == client


def test_a_forwarded_ipv6_visitor_is_its_64_too() -> None:
    proxies = TrustedProxies(parse_networks("10.0.0.0/8, fd00::/8"))
    assert proxies.client("10.0.0.5", ["2001:db8:9:9::1234"]) == "2001:db8:9:9::/64"
    # A trusted IPv6 proxy forwarding an IPv4-mapped visitor: the IPv4 address.
    assert proxies.client("fd00::7", ["::ffff:198.51.100.4"]) == "198.51.100.4"
    # Every hop trusted: the left-most read, as its /64.
    assert proxies.client("fd00::7", ["fd00:1:2:3::9"]) == "fd00:1:2:3::/64"


Redis = tuple[RedisStore, aioredis.Redis, list[str]]


@pytest_asyncio.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    store = RedisStore(redis_url, ttl_seconds=3600)
    raw = aioredis.Redis.from_url(redis_url)
    charged: list[str] = []  # every client whose bucket a test touched, to clean up
    yield store, raw, charged
    for client in charged:
        keys = [key async for key in raw.scan_iter(f"*{client_digest(client)}*")]
        if keys:
            await raw.delete(*keys)
    await raw.aclose()
    await store.close()


async def _serve(store: RedisStore, sock: socket.socket, proxies: TrustedProxies) -> web.AppRunner:
    app = web.Application()
    limiter = PageLimiter(store, MemoryStore(ttl_seconds=3600), PER_MINUTE)
    add_page_routes(app, EstimatePages(store, PUBLIC, 1), Workers(count=0), None, limiter, proxies)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


def _listening(family: socket.AddressFamily, host: str) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        # Dual stack, as a server on `::` is on most systems: IPv4 peers arrive IPv4-mapped.
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((host, 0))
    sock.listen()
    return sock


async def _statuses(url: str, local: str, count: int, *forwarded: str) -> list[int]:
    seen = []
    for n in range(count):
        headers = {"X-Forwarded-For": forwarded[n % len(forwarded)]} if forwarded else {}
        async with (
            ClientSession(connector=TCPConnector(local_addr=(local, 0))) as session,
            session.get(url, headers=headers) as response,
        ):
            seen.append(response.status)
    return seen


async def _has_bucket(raw: aioredis.Redis, client: str) -> bool:
    return bool(await raw.exists(bucket_key(f"page:{client_digest(client)}")))


async def test_rotating_ipv6_addresses_within_a_64_shares_one_budget(redis: Redis) -> None:
    store, raw, charged = redis
    (proxy,) = loopback_addresses(1)
    block, neighbour = "2001:db8:5a:17::/64", "2001:db8:5a:18::/64"
    charged += [proxy, block, neighbour]
    runner = await _serve(
        store, _listening(socket.AF_INET, "127.0.0.1"), TrustedProxies(parse_networks(proxy))
    )
    try:
        (port,) = set(_ports(runner))
        url = f"http://127.0.0.1:{port}/e/{UNKNOWN}"
        # A new address of the same /64 for every request: the budget is spent all the same.
        rotating = [f"2001:db8:5a:17:{n:x}::{n + 1:x}" for n in range(PER_MINUTE + 2)]
        seen = await _statuses(url, proxy, PER_MINUTE + 2, *rotating)
        assert seen == [404] * PER_MINUTE + [429, 429]
        # The next /64 is another subscriber, with a budget of its own.
        assert await _statuses(url, proxy, 1, "2001:db8:5a:18::1") == [404]
    finally:
        await runner.cleanup()
    assert await _has_bucket(raw, block) and await _has_bucket(raw, neighbour)
    assert not any([await _has_bucket(raw, address) for address in rotating])


async def test_a_direct_ipv6_peer_is_charged_to_its_64(redis: Redis) -> None:
    store, raw, charged = redis
    charged.append("::/64")
    await raw.delete(bucket_key(f"page:{client_digest('::/64')}"))  # ::1 is every run's peer
    runner = await _serve(store, _listening(socket.AF_INET6, "::1"), TrustedProxies())
    try:
        (port,) = set(_ports(runner))
        seen = await _statuses(f"http://[::1]:{port}/e/{UNKNOWN}", "::1", PER_MINUTE + 1)
    finally:
        await runner.cleanup()
    assert seen == [404] * PER_MINUTE + [429]
    assert await _has_bucket(raw, "::/64") and not await _has_bucket(raw, "::1")


async def test_an_ipv4_mapped_peer_is_charged_as_its_ipv4_address(redis: Redis) -> None:
    store, raw, charged = redis
    client, other = loopback_addresses(2)
    charged += [client, other]
    runner = await _serve(store, _listening(socket.AF_INET6, "::ffff:127.0.0.1"), TrustedProxies())
    try:
        (port,) = set(_ports(runner))
        url = f"http://127.0.0.1:{port}/e/{UNKNOWN}"
        assert await _statuses(url, client, PER_MINUTE + 1) == [404] * PER_MINUTE + [429]
        assert await _statuses(url, other, 1) == [404]  # another IPv4 address, its own budget
    finally:
        await runner.cleanup()
    assert await _has_bucket(raw, client) and not await _has_bucket(raw, f"::ffff:{client}")


def _ports(runner: web.AppRunner) -> list[int]:
    return [int(address[1]) for address in runner.addresses]
