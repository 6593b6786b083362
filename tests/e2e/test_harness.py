"""The test harness's private Redis: a redis-server of its own, stopped and started on demand."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.support.redis_server import RedisServer, redis_url_for_tests


@pytest.mark.asyncio
async def test_redis_server_stop_and_start_on_same_port() -> None:
    with RedisServer() as server:
        port = server.port
        client = aioredis.Redis.from_url(server.url, socket_timeout=2)
        try:
            await client.set("k", "v")
            assert await client.get("k") == b"v"

            server.stop()
            assert not server.running
            with pytest.raises(RedisConnectionError):
                await client.ping()

            server.start()
            assert server.port == port
            assert await client.ping()
            assert await client.get("k") is None  # no persistence: a restart loses data
        finally:
            await client.aclose()


def test_redis_url_for_tests_falls_back_to_private_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    url, server = redis_url_for_tests()
    try:
        assert server is not None and url == server.url and server.running
    finally:
        if server is not None:
            server.close()
    assert not server.running
