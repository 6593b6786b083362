"""The conversation store against a redis-server of its own, stopped, frozen or kept busy."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from bot.slack.store.protocols import StoreUnavailable
from bot.slack.store.redis_backend import SAVE_TIMEOUT_SECONDS, RedisStore
from tests.slack.test_state import CHANNEL, THREAD, TTL, _state
from tests.support.redis_server import RedisServer, keep_busy


async def _every_call_fails_fast(store: RedisStore) -> None:
    calls = [
        lambda: store.load_thread("T1", CHANNEL, THREAD),
        lambda: store.save_thread("T1", CHANNEL, THREAD, _state()),
        lambda: store.load_latest("T1", CHANNEL),
        lambda: store.save_latest("T1", CHANNEL, _state()),
        lambda: store.record_estimate("T1", CHANNEL, {"n": 1}),
        lambda: store.estimates("T1", CHANNEL),
        lambda: store.forget("T1", CHANNEL),
        lambda: store.claim("Ev1", ttl_seconds=30),
    ]
    saves = {1}  # a thread's save has the longer budget of saves (and WAIT's, with replicas)
    for n, call in enumerate(calls):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await call()
        assert time.monotonic() - started < (SAVE_TIMEOUT_SECONDS + 0.2 if n in saves else 0.5)
    started = time.monotonic()
    assert await store.ping() is False
    assert time.monotonic() - started < 0.5


async def test_redis_outage_raises_store_unavailable_fast_and_recovers_without_restart() -> None:
    with RedisServer() as server:
        store = RedisStore(server.url, ttl_seconds=TTL)
        try:
            await store.save_latest("T1", CHANNEL, _state())

            server.stop()
            await _every_call_fails_fast(store)

            server.start()  # empty again: the private server keeps nothing
            assert await store.ping() is True
            await store.save_latest("T1", CHANNEL, _state())
            assert await store.load_latest("T1", CHANNEL) == _state()
        finally:
            await store.close()


async def test_redis_that_hangs_times_out_instead_of_delaying_the_caller() -> None:
    with RedisServer() as server:
        store = RedisStore(server.url, ttl_seconds=TTL)
        try:
            assert await store.ping() is True
            server.freeze()
            await _every_call_fails_fast(store)

            server.thaw()
            await store.save_thread("T1", CHANNEL, THREAD, _state())
            assert await store.load_thread("T1", CHANNEL, THREAD) == _state()
        finally:
            await store.close()


async def test_a_conversation_saved_during_a_slow_moment_is_kept_not_reported_lost() -> None:
    # Saves come after the estimate is posted; one that fails costs the user their follow-ups
    # (and adds "Follow-ups are unavailable" to the thread), so a reply 300 ms late still counts.
    with RedisServer() as server:
        store = RedisStore(server.url, ttl_seconds=TTL)
        busy = aioredis.Redis.from_url(server.url)
        try:
            assert await store.ping() is True
            blocking = asyncio.create_task(keep_busy(busy, 0.3))
            await asyncio.sleep(0.05)  # the busy script is running
            started = time.monotonic()
            await store.save_conversation("T1", CHANNEL, THREAD, _state(), {"n": 1})
            assert time.monotonic() - started > 0.2  # it did wait past the short budget
            await blocking
            assert await store.load_thread("T1", CHANNEL, THREAD) == _state()
            assert await store.estimates("T1", CHANNEL) == [{"n": 1}]
        finally:
            await busy.aclose()
            await store.close()


async def test_a_save_to_a_redis_that_hangs_gives_up_within_its_budget() -> None:
    with RedisServer() as server:
        store = RedisStore(server.url, ttl_seconds=TTL)
        try:
            assert await store.ping() is True
            server.freeze()
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                await store.save_conversation("T1", CHANNEL, THREAD, _state())
            assert time.monotonic() - started < SAVE_TIMEOUT_SECONDS + 0.5
            server.thaw()
        finally:
            await store.close()
