"""Script calls made in one turn of the event loop go to Redis together (bot/slack/redis_batch.py):
each caller still gets its own result or error, against a real Redis."""

from __future__ import annotations

import asyncio
import logging

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from bot.slack.redis_batch import ReplicationLog, ScriptBatch

ECHO = "return ARGV[1] .. ':' .. KEYS[1]"


@pytest.fixture
async def client(redis_url: str):
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield redis
    await redis.aclose()


async def test_calls_of_one_turn_each_get_their_own_result_or_error(client) -> None:
    echo = client.register_script(ECHO)
    failing = client.register_script("return redis.error_reply('refused')")
    batch = ScriptBatch(client)
    calls = [batch.call(echo, [f"aicost:test:{i}"], [i]) for i in range(20)]
    calls.insert(7, batch.call(failing, [], []))
    results = await asyncio.gather(*calls, return_exceptions=True)
    refused = results.pop(7)
    assert isinstance(refused, ResponseError) and "refused" in str(refused)
    assert results == [f"{i}:aicost:test:{i}" for i in range(20)]


async def test_a_call_alone_in_its_turn_is_answered(client) -> None:
    batch = ScriptBatch(client)
    assert await batch.call(client.register_script(ECHO), ["aicost:test:one"], ["x"]) == (
        "x:aicost:test:one"
    )


async def test_scripts_redis_lost_are_loaded_again(client) -> None:
    echo = client.register_script(ECHO)
    batch = ScriptBatch(client)
    assert await batch.call(echo, ["aicost:test:a"], [1]) == "1:aicost:test:a"  # loaded
    await client.script_flush()  # as after a Redis restart
    together = [batch.call(echo, [f"aicost:test:{i}"], [i]) for i in range(3)]
    assert await asyncio.gather(*together) == [f"{i}:aicost:test:{i}" for i in range(3)]


async def test_a_caller_that_stops_waiting_leaves_the_others_their_results(client) -> None:
    echo = client.register_script(ECHO)
    batch = ScriptBatch(client)
    gone, kept = batch.call(echo, ["aicost:test:g"], [1]), batch.call(echo, ["aicost:test:k"], [2])
    gone.cancel()  # a timeout around the caller's await
    assert await kept == "2:aicost:test:k"


def test_jobs_recorded_before_their_replicas_confirm_are_said_once_per_primary(caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.slack.redis_batch")
    said = ReplicationLog(wanted=1)
    for answer in (1, 0, 0, TimeoutError("no answer"), 0):  # WAIT's replies, batch after batch
        said.answered(answer, "127.0.0.1:7001")
    said.answered(0, "127.0.0.1:7002")  # another shard's primary: its own line
    for answer in (1, 1):
        said.answered(answer, "127.0.0.1:7001")
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in lines] == ["WARNING", "WARNING", "INFO"]
    assert "on 127.0.0.1:7001" in lines[0][1] and "may not be replicated" in lines[0][1]
    assert "on 127.0.0.1:7002" in lines[1][1]
    assert lines[2][1] == "replicas confirm recorded jobs again on 127.0.0.1:7001"
