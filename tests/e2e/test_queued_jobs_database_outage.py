"""Jobs already queued when the installation database goes down: none is lost. A job whose
token cannot be looked up stays in the stream, unacknowledged, and the idle claim delivers it
again; answered once the database is back, and past its last delivery dead-lettered with a
sentence to the person through the job's response_url (which needs no token).

A real PostgreSQL behind a proxy made to refuse or hang, a real distributed-mode bot, a private
redis-server (the test reads the stream), the fake Slack. The jobs are put in the stream as a
replica acknowledging them before the outage would have.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from bot.slack.job import Job
from bot.slack.job_queue import DEAD_STREAM, GROUP, STREAM, JobQueue
from bot.slack.messages.replies import DATABASE_DOWN
from bot.slack.metrics import Metrics
from tests.support.bot_process import BotProcess
from tests.support.db_proxy import DatabaseProxy
from tests.support.installing import distributed_bot, install
from tests.support.reading import STANDARD, channel_id, estimate_with_tips, new_team, posts
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = f"aicost_test_queued_{os.getpid()}_{uuid.uuid4().hex[:6]}"
DELIVERIES = 3
BOT_ENV = {
    "JOB_CLAIM_IDLE_SECONDS": "1",
    "JOB_MAX_DELIVERIES": str(DELIVERIES),
    "INSTALLATION_DB_TIMEOUT_SECONDS": "1",
}


async def _admin(statement: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    with RedisServer() as private:  # the test reads the stream: no one else's jobs in it
        yield private


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def database() -> AsyncIterator[str]:
    await _admin(f"CREATE DATABASE {POSTGRES_DB}")
    yield POSTGRES_DB
    await _admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def proxy(database) -> AsyncIterator[DatabaseProxy]:
    proxy = await DatabaseProxy().start()
    yield proxy
    await proxy.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack, server, proxy, database) -> AsyncIterator[BotProcess]:
    process = await distributed_bot(
        slack.base_url, server.url, INSTALLATION_DB_URL=proxy.url(database), **BOT_ENV
    ).start()
    yield process
    await proxy.forward()
    assert await process.stop() == 0, process.logs()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def installed(slack, bot) -> str:
    team = new_team()
    await install(slack, bot, team)
    return team


@pytest_asyncio.fixture(loop_scope="module")
async def raw(server) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(server.url, decode_responses=True)
    yield client
    await client.aclose()


async def _queued(server: RedisServer, job: Job) -> None:
    """`job` recorded as the acknowledging replica records it."""

    async def unused(*_: object) -> None:
        raise AssertionError("this queue only records")

    queue = JobQueue(server.url, unused, unused, Metrics(), capacity=1, claim_idle_seconds=30,
                     max_deliveries=DELIVERIES)  # fmt: skip
    try:
        assert await queue.enqueue(job)
    finally:
        await queue.close()


def _command(slack, team: str, channel: str, name: str) -> Job:
    return Job(kind="slash_command", team_id=team, channel=channel, user="U1",
               response_url=slack.response_url(name), text=STANDARD)  # fmt: skip


async def _pending(raw: aioredis.Redis) -> int:
    return int((await raw.xpending(STREAM, GROUP))["pending"])


@pytest.mark.e2e
async def test_a_queued_command_waits_out_a_refusing_database_and_is_answered_once(
    slack, bot, proxy, installed, raw, server
):
    channel, name = channel_id(), uuid.uuid4().hex
    await proxy.refuse()
    try:
        await _queued(server, _command(slack, installed, channel, name))
        deadline = time.monotonic() + 15
        while "waits, delivery 2" not in bot.logs():  # taken again by the idle claim
            assert time.monotonic() < deadline, bot.logs()
            await asyncio.sleep(0.2)
        assert await _pending(raw) == 1  # still owed: in the stream, unacknowledged
        assert posts(slack, channel) == [] and slack.responses_to(name) == []
    finally:
        await proxy.forward()
    await estimate_with_tips(slack, channel)
    await asyncio.sleep(1.5)  # long enough for another delivery to show
    estimates = [c for c in posts(slack, channel) if "thread_ts" not in c.args]
    assert len(estimates) == 1, slack.summary()
    assert slack.responses_to(name) == []  # no apology for an answered command
    assert await _pending(raw) == 0 and await raw.xlen(DEAD_STREAM) == 0
    assert "Traceback" not in bot.logs()


@pytest.mark.e2e
async def test_a_queued_command_past_its_deliveries_is_dead_lettered_and_the_person_told(
    slack, bot, proxy, installed, raw, server
):
    channel, name = channel_id(), uuid.uuid4().hex
    dead_before = await raw.xlen(DEAD_STREAM)
    proxy.hang()  # accepts connections and never answers: each lookup waits its deadline
    try:
        await _queued(server, _command(slack, installed, channel, name))
        (told,) = await slack.wait_for_response(name, timeout=40)
        assert DATABASE_DOWN in str(told.body), told.body
        assert await raw.xlen(DEAD_STREAM) == dead_before + 1
        assert await _pending(raw) == 0
    finally:
        await proxy.forward()
    assert posts(slack, channel) == []
    assert f"waits, delivery {DELIVERIES} of {DELIVERIES}" in bot.logs()
    assert "Traceback" not in bot.logs()
