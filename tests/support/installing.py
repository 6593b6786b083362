"""An "Add to Slack" install driven as a browser and Slack drive it, against a real bot."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
from cryptography.fernet import Fernet

from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "client-secret"


def distributed_bot(slack_api_url: str, redis_url: str | None, **env: str) -> BotProcess:
    """A bot (not started yet) that any workspace installs: client ID and secret, an encryption
    key, no bot token of its own; `env` adds the installation database setting and others."""
    process = BotProcess(
        slack_api_url,
        redis_url,
        extra_env={
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            **env,
        },
    )
    del process.env["SLACK_BOT_TOKEN"]
    return process


async def install(slack: FakeSlack, bot: BotProcess, team: str | None, **kwargs: Any) -> None:
    """An admin clicks "Add to Slack", approves on Slack, and comes back to the bot."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{bot.url}/slack/install") as page:
            assert page.status == 200
            html = await page.text()
            # Secure and HttpOnly: a browser sends it back over https; here it is sent by hand.
            cookie = page.cookies["slack-app-oauth-state"]
        link = unescape(re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', html).group(1))
        query = parse_qs(urlparse(link).query)
        assert query["client_id"] == [CLIENT_ID]
        assert "commands" in query["scope"][0] and "chat:write" in query["scope"][0]
        code = slack.will_install(team, **kwargs)
        # Slack sends the browser back with the code and the state; the cookie set by the
        # install page proves it is the same browser.
        async with browser.get(
            f"{bot.url}/slack/oauth_redirect",
            params={"code": code, "state": query["state"][0]},
            headers={"Cookie": f"{cookie.key}={cookie.value}"},
        ) as back:
            assert back.status == 200, await back.text()
