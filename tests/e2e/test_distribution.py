"""Any workspace installs it: "Add to Slack" through Bolt's OAuth flow, installations kept
encrypted in SQLite or PostgreSQL, each team's own token on its calls, token rotation, org-wide
installs, two installations that never see each other's state, and an uninstall that leaves
nothing behind in the database or in Redis.

A real `python -m bot` in distributed mode (SLACK_CLIENT_ID/SECRET), the fake Slack answering
oauth.v2.access, a real Redis, and both real databases: a SQLite file and the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import aiohttp
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.slack.ids import Action
from bot.slack.installations import database_url
from tests.support.fake_slack import FakeSlack
from tests.support.installing import distributed_bot, install
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    new_team,
    next_thread_reply,
    posts,
    text_of,
)
from tests.support.slack_shapes import (
    app_uninstalled,
    block_actions,
    estimate_buttons,
    event_envelope,
    slash_command,
    thread_message,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# One database per test run: concurrent runs on one machine must not drop each other's.
POSTGRES_DB = f"aicost_test_slack_{os.getpid()}"


async def _fresh_postgres_database() -> str:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {POSTGRES_DB}")
    finally:
        await admin.close()
    return f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_DB}"


async def _drop_postgres_database() -> None:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
    finally:
        await admin.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack():
    async with FakeSlack() as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgresql"])
async def database(request, tmp_path_factory):
    """(INSTALLATION_DB_PATH or INSTALLATION_DB_URL setting, async SQLAlchemy URL)."""
    if request.param == "sqlite":
        path = str(tmp_path_factory.mktemp("installations") / "installations.sqlite3")
        yield {"INSTALLATION_DB_PATH": path}, database_url(path, None)
    else:
        url = await _fresh_postgres_database()
        yield {"INSTALLATION_DB_URL": url}, database_url("", url)
        await _drop_postgres_database()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack, redis_url, database):
    setting, _ = database
    process = distributed_bot(slack.base_url, redis_url, **setting)
    await process.start()
    yield process
    assert await process.stop() == 0, process.logs()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def db(database):
    engine = create_async_engine(database[1])
    yield engine
    await engine.dispose()


async def estimate(slack, bot, *, team, channel, **kwargs):
    status, body, _ = await bot.post(
        slash_command(
            "10000 users startup", team_id=team, channel=channel,
            response_url=slack.response_url(uuid.uuid4().hex), **kwargs,
        )
    )  # fmt: skip
    assert status == 200, body
    ts = await estimate_with_tips(slack, channel)
    (main,) = [c for c in posts(slack, channel) if c.response["ts"] == ts]
    return main


async def test_add_to_slack_then_the_installed_teams_token_is_used_on_its_calls(slack, bot, db):
    team, channel = new_team(), channel_id()
    await install(slack, bot, team)
    main = await estimate(slack, bot, team=team, channel=channel)
    assert main.headers["authorization"] == f"Bearer {slack.token_of(team)}"
    # Stored encrypted: the database alone gives no token away.
    async with db.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT bot_token FROM slack_bots WHERE team_id = :team"), {"team": team}
            )
        ).all()
    assert rows and all(row[0] and row[0].startswith("gAAAA") for row in rows)
    assert slack.token_of(team) not in {row[0] for row in rows}


async def test_an_install_with_no_valid_state_is_refused(slack, bot):
    code = slack.will_install(new_team())
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(
            f"{bot.url}/slack/oauth_redirect", params={"code": code, "state": "forged"}
        ) as back,
    ):
        assert back.status == 400


async def test_a_workspace_that_never_installed_gets_no_answer(slack, bot):
    channel = channel_id()
    status, _, _ = await bot.post(
        slash_command("10000 users startup", team_id=new_team(), channel=channel,
                      response_url=slack.response_url("nobody"))
    )  # fmt: skip
    assert status in (200, 401)
    await asyncio.sleep(0.5)
    assert posts(slack, channel) == []


async def test_two_installations_never_see_each_others_state(slack, bot):
    first, second, channel = new_team(), new_team(), channel_id()
    await install(slack, bot, first)
    await install(slack, bot, second)
    ts = (await estimate(slack, bot, team=first, channel=channel)).response["ts"]
    before = len(posts(slack, channel, ts))
    # The same channel ID and thread, from the other installation: not its conversation.
    reply = thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=second)
    await bot.post(event_envelope(reply, installed_team=second))
    await asyncio.sleep(0.8)
    assert len(posts(slack, channel, ts)) == before
    # Its own estimate in the same channel ID is posted with its own token.
    await bot.post(
        slash_command("10000 users startup", team_id=second, channel=channel,
                      response_url=slack.response_url(uuid.uuid4().hex))
    )  # fmt: skip
    mains = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == channel
        and "thread_ts" not in c.args and c.ok,
        count=2,
    )  # fmt: skip
    assert mains[-1].headers["authorization"] == f"Bearer {slack.token_of(second)}"
    assert slack.token_of(first) != slack.token_of(second)


async def test_a_rotating_token_is_refreshed_before_it_expires(slack, bot, db):
    team, channel = new_team(), channel_id()
    # Ten minutes left: inside the two hours before expiry in which Bolt refreshes.
    await install(slack, bot, team, rotating=True, expires_in=600)
    installed = slack.token_of(team)
    main = await estimate(slack, bot, team=team, channel=channel)
    used = main.headers["authorization"].removeprefix("Bearer ")
    assert used.startswith("xoxe.xoxb-") and used != installed
    assert used == slack.token_of(team)
    refreshes = [c for c in slack.calls_to("oauth.v2.access") if c.args.get("grant_type")]
    assert refreshes and refreshes[-1].args["grant_type"] == "refresh_token"


async def test_an_org_wide_install_answers_every_workspace_and_its_buttons(slack, bot):
    org, workspace, channel = "E" + new_team()[1:], new_team(), channel_id()
    await install(slack, bot, None, enterprise_id=org, org_wide=True)
    main = await estimate(
        slack, bot, team=workspace, channel=channel, enterprise_id=org, org_wide=True
    )
    assert main.headers["authorization"] == f"Bearer {slack.token_of(org)}"
    ts = main.response["ts"]
    click = block_actions(
        Action.what_if_10x.value, estimate_buttons(main.args["blocks"])[Action.what_if_10x],
        channel=channel, message_ts=ts, user_team=workspace, team=None, enterprise_id=org,
        org_wide=True, response_url=slack.response_url(uuid.uuid4().hex),
    )  # fmt: skip
    reply = await next_thread_reply(slack, ts, bot.post(click))
    assert "users 10,000 → 100,000" in text_of(reply.args["blocks"])


async def _redis_keys(redis_url: str, owner: str) -> list[str]:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return [key async for key in redis.scan_iter(match=f"*{owner}*")]
    finally:
        await redis.aclose()


async def _rows(db, owner: str) -> int:
    async with db.connect() as conn:
        total = 0
        for table in ("slack_installations", "slack_bots"):
            total += (
                await conn.execute(
                    text(
                        f"SELECT count(*) FROM {table} "
                        "WHERE team_id = :owner OR enterprise_id = :owner"
                    ),
                    {"owner": owner},
                )
            ).scalar_one()
        return total


async def test_uninstall_leaves_nothing_in_the_database_or_redis(slack, bot, db, redis_url):
    gone, stays = new_team(), new_team()
    for team in (gone, stays):
        await install(slack, bot, team)
        channel = channel_id()
        ts = (await estimate(slack, bot, team=team, channel=channel)).response["ts"]
        said = thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=team)
        await next_thread_reply(slack, ts, bot.post(event_envelope(said, installed_team=team)))
    assert await _rows(db, gone) >= 2 and await _redis_keys(redis_url, gone)
    status, _, _ = await bot.post(app_uninstalled(team_id=gone))
    assert status == 200
    for _ in range(50):
        if not await _redis_keys(redis_url, gone) and not await _rows(db, gone):
            break
        await asyncio.sleep(0.1)
    assert await _redis_keys(redis_url, gone) == []
    assert await _rows(db, gone) == 0
    assert await _rows(db, stays) >= 2 and await _redis_keys(redis_url, stays)


async def test_an_org_wide_uninstall_removes_the_organisations_installation(slack, bot, db):
    org = "E" + new_team()[1:]
    await install(slack, bot, None, enterprise_id=org, org_wide=True)
    assert await _rows(db, org) >= 2
    await bot.post(app_uninstalled(team_id=None, enterprise_id=org, org_wide=True))
    for _ in range(50):
        if not await _rows(db, org):
            break
        await asyncio.sleep(0.1)
    assert await _rows(db, org) == 0


async def test_slack_connect_the_other_side_continues_with_the_installing_sides_token(slack, bot):
    """Only our organisation installed the bot; someone of the other one, in the shared channel,
    replies in the thread and clicks a button: both act on our estimate, with our token."""
    ours, theirs, channel = new_team(), new_team(), channel_id()
    await install(slack, bot, ours)
    main = await estimate(slack, bot, team=ours, channel=channel)
    ts = main.response["ts"]
    before = len(posts(slack, channel, ts))
    reply = thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=theirs)
    await bot.post(event_envelope(reply, installed_team=ours, actor_team=theirs, shared=True))
    await bot.post(
        block_actions(
            Action.what_if_10x.value, estimate_buttons(main.args["blocks"])[Action.what_if_10x],
            channel=channel, message_ts=ts, user_team=theirs, team=theirs,
            response_url=slack.response_url(uuid.uuid4().hex),
        )
    )  # fmt: skip
    replies = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts and c.ok,
        count=before + 2,
    )
    answers = " ".join(text_of(c.args["blocks"]) for c in replies[before:])
    assert "users 10,000 → 50,000" in answers
    assert "→ 500,000" in answers or "→ 100,000" in answers
    assert {c.headers["authorization"] for c in replies[before:]} == {
        f"Bearer {slack.token_of(ours)}"
    }


async def test_who_the_bot_is_is_asked_once_per_installation_not_before_every_ack(slack, bot):
    team, channel = new_team(), channel_id()
    await install(slack, bot, team)
    token = slack.token_of(team)

    def auth_tests() -> int:
        return len(
            [
                c
                for c in slack.calls_to("auth.test")
                if c.headers.get("authorization") == f"Bearer {token}"
            ]
        )

    installing = auth_tests()  # Bolt's OAuth flow asks once as it installs
    ts = (await estimate(slack, bot, team=team, channel=channel)).response["ts"]
    for users in ("20k", "30k", "40k"):
        said = thread_message(f"what if {users} users?", channel=channel, thread_ts=ts, team=team)
        await next_thread_reply(slack, ts, bot.post(event_envelope(said, installed_team=team)))
    # Four requests for the installation; Slack was asked who its bot is at most once.
    assert auth_tests() - installing <= 1
