"""The installation database failing: a real distributed-mode bot whose PostgreSQL sits behind a
loopback proxy that hangs (accepts, never answers) or refuses on demand. Every request is
answered within Slack's 3 s: a command with a sentence, "Add to Slack" and its redirect with a
503, /readyz not ready; once the database is back, so is the bot. Shutdown does not wait on
dead connections. "Add to Slack" states expire and are purged, and their table is bounded.

A real PostgreSQL at 127.0.0.1:5432 (one database per run, dropped at the end), a real Redis,
the fake Slack.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import text

from bot.slack.installations import BoundedStateStore, _engine, database_url
from tests.support.db_proxy import DatabaseProxy
from tests.support.installing import distributed_bot, install
from tests.support.reading import channel_id, estimate_with_tips, new_team
from tests.support.slack_shapes import slash_command

pytestmark = pytest.mark.asyncio(loop_scope="module")

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = f"aicost_test_installdb_{os.getpid()}_{uuid.uuid4().hex[:6]}"
DATABASE_DOWN = "I can't reach my installation records just now"
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=30)  # a bot that hangs fails the test, not the run


async def _admin(statement: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def database():
    await _admin(f"CREATE DATABASE {POSTGRES_DB}")
    yield POSTGRES_DB
    await _admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def proxy(database):
    proxy = await DatabaseProxy().start()
    yield proxy
    await proxy.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack, redis_url, proxy, database):
    process = await distributed_bot(
        slack.base_url, redis_url, INSTALLATION_DB_URL=proxy.url(database)
    ).start()
    yield process
    await proxy.forward()
    assert await process.stop() == 0, process.logs()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def installed(slack, bot):
    team = new_team()
    await install(slack, bot, team)
    return team


async def _command(slack, bot, team: str) -> tuple[int, str, float, str]:
    channel = channel_id()
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        status, body, seconds = await bot.post(
            slash_command("10000 users startup", team_id=team, channel=channel,
                          response_url=slack.response_url(uuid.uuid4().hex)),
            session=session,
        )  # fmt: skip
    return status, body, seconds, channel


async def _get(url: str, **kwargs) -> tuple[int, str, float]:
    started = time.perf_counter()
    async with (
        aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as browser,
        browser.get(url, **kwargs) as response,
    ):
        return response.status, await response.text(), time.perf_counter() - started


async def _outage_answers(slack, bot, team: str) -> None:
    """What a person, an installing admin and the orchestrator see while the database is down."""
    status, body, seconds, _ = await _command(slack, bot, team)
    assert status == 200 and DATABASE_DOWN in body and seconds < 3, (seconds, bot.logs())
    status, page, seconds = await _get(f"{bot.url}/slack/install")
    assert status == 503 and "try again in a minute" in page and seconds < 3, (status, page)
    state = str(uuid.uuid4())
    status, page, seconds = await _get(
        f"{bot.url}/slack/oauth_redirect",
        params={"code": slack.will_install(new_team()), "state": state},
        headers={"Cookie": f"slack-app-oauth-state={state}"},
    )
    assert status == 503 and "try again in a minute" in page and seconds < 3, (status, page)
    status, ready, _ = await _get(f"{bot.url}/readyz")
    assert status == 503 and "installation database" in ready


async def _back_to_normal(slack, bot, team: str) -> None:
    for _ in range(50):
        status, _, _ = await _get(f"{bot.url}/readyz")
        if status == 200:
            break
    assert status == 200
    status, body, _, channel = await _command(slack, bot, team)
    assert status == 200, body
    await estimate_with_tips(slack, channel)


@pytest.mark.e2e
async def test_a_hung_database_gets_a_sentence_a_503_and_not_ready_in_time(
    slack, bot, proxy, installed
):
    proxy.hang()
    try:
        await _outage_answers(slack, bot, installed)
    finally:
        await proxy.forward()
    await _back_to_normal(slack, bot, installed)


@pytest.mark.e2e
async def test_a_refusing_database_gets_no_400_no_500_and_no_traceback(
    slack, bot, proxy, installed
):
    await proxy.refuse()
    try:
        await _outage_answers(slack, bot, installed)
    finally:
        await proxy.forward()
    await _back_to_normal(slack, bot, installed)
    log = bot.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "malformed" not in log


@pytest.mark.e2e
async def test_shutdown_does_not_wait_on_a_hung_database(slack, redis_url, database):
    proxy = await DatabaseProxy().start()
    process = await distributed_bot(
        slack.base_url, redis_url, INSTALLATION_DB_URL=proxy.url(database)
    ).start()
    try:
        team = new_team()
        await install(slack, process, team)  # a pooled connection, about to go silent
        proxy.hang()
        _, body, _, _ = await _command(slack, process, team)
        assert DATABASE_DOWN in body
        started = time.perf_counter()
        assert await process.stop() == 0, process.logs()
        assert time.perf_counter() - started < 10
    finally:
        await proxy.close()
        await process.stop()


@pytest.mark.e2e
async def test_an_install_click_purges_the_expired_states(slack, bot, database):
    engine = _engine(database_url("", f"postgresql://postgres@127.0.0.1:5432/{database}"), 5)
    long_ago = dt.datetime(2020, 1, 1)
    try:
        async with engine.begin() as conn:
            for n in range(30):
                await conn.execute(
                    text("INSERT INTO slack_oauth_states (state, expire_at) VALUES (:s, :t)"),
                    {"s": f"abandoned-{n}", "t": long_ago},
                )
        status, _, _ = await _get(f"{bot.url}/slack/install")
        assert status == 200
        async with engine.connect() as conn:
            left = await conn.execute(
                text("SELECT count(*) FROM slack_oauth_states WHERE expire_at < now()")
            )
            assert left.scalar_one() == 0
    finally:
        await engine.dispose()


async def test_anonymous_install_clicks_keep_the_state_table_bounded(database):
    url = database_url("", f"postgresql://postgres@127.0.0.1:5432/{database}")
    engine = _engine(url, 5)
    states = BoundedStateStore(engine, seconds=5, limit=20)
    try:
        await states.create_tables()
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM slack_oauth_states"))
        issued = [await states.async_issue() for _ in range(50)]
        assert await states.count() == 20
        # The newest click still installs, once; the oldest ones were let go.
        assert await states.async_consume(issued[-1]) is True
        assert await states.async_consume(issued[-1]) is False
        assert await states.async_consume(issued[0]) is False
        assert await states.count() == 19
    finally:
        await engine.dispose()
