"""The installation lookup anything outside a Slack request uses (a worker, a job consumer):
workspace or organisation in, bot token out, refreshed first when it rotates; tokens encrypted
at rest. A real SQLite file, the fake Slack answering oauth.v2.access for the refresh."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text

from bot.slack.installations import make_installations
from tests.support.fake_slack import FakeSlack

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def installations(slack, tmp_path):
    kept = make_installations(
        client_id="1111.2222",
        client_secret="secret",
        encryption_key=Fernet.generate_key().decode(),
        db_path=str(tmp_path / "installations.sqlite3"),
        db_url=None,
        api_url=slack.base_url,
    )
    await kept.create_tables()
    yield kept
    await kept.close()


def _installation(team: str | None, token: str, **fields) -> Installation:
    return Installation(
        app_id="A0AICOST", user_id="U1", bot_token=token, bot_id="BBOT", bot_user_id="UBOT",
        bot_scopes="commands,chat:write", team_id=team, **fields,
    )  # fmt: skip


async def test_a_workspace_gets_its_own_token_and_an_unknown_one_none(installations):
    await installations.store.async_save(_installation("T1", "xoxb-one"))
    await installations.store.async_save(_installation("T2", "xoxb-two"))
    assert await installations.token_for("T1") == "xoxb-one"
    assert await installations.token_for("T2") == "xoxb-two"
    assert await installations.token_for("T3") is None


async def test_an_org_wide_install_answers_for_the_organisation_and_its_workspaces(
    installations,
):
    org = _installation(None, "xoxb-org", enterprise_id="E1", is_enterprise_install=True)
    await installations.store.async_save(org)
    assert await installations.token_for("E1") == "xoxb-org"
    assert await installations.token_for("T9", enterprise="E1") == "xoxb-org"


async def test_a_rotating_token_near_expiry_is_refreshed_and_saved(installations, slack):
    code = slack.will_install("T5", rotating=True)
    granted = await slack.client().oauth_v2_access(
        client_id="1111.2222", client_secret="secret", code=code
    )
    soon = int((datetime.now() + timedelta(minutes=5)).timestamp())
    await installations.store.async_save(
        _installation(
            "T5", granted["access_token"], bot_refresh_token=granted["refresh_token"],
            bot_token_expires_at=soon,
        )
    )  # fmt: skip
    token = await installations.token_for("T5")
    assert token != granted["access_token"] and token == slack.token_of("T5")
    # Saved: the next lookup needs no refresh and finds the same new token.
    refreshes = len(slack.calls_to("oauth.v2.access"))
    assert await installations.token_for("T5") == token
    assert len(slack.calls_to("oauth.v2.access")) == refreshes


async def test_tokens_are_stored_encrypted(installations):
    await installations.store.async_save(_installation("T1", "xoxb-secret-token"))
    async with installations.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT bot_token FROM slack_bots"))).scalars().all()
        also = (
            (await conn.execute(text("SELECT bot_token FROM slack_installations"))).scalars().all()
        )
    assert stored and also
    assert all("xoxb-secret-token" not in value for value in [*stored, *also])


async def test_deleting_a_workspace_removes_its_installation_only(installations):
    await installations.store.async_save(_installation("T1", "xoxb-one"))
    await installations.store.async_save(_installation("T2", "xoxb-two"))
    await installations.delete(enterprise_id=None, team_id="T1")
    assert await installations.token_for("T1") is None
    assert await installations.token_for("T2") == "xoxb-two"
