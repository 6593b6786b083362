"""Private replies (the response_url) when Slack answers 429 or 5xx: retried, logged, and sent as
an ephemeral message when the response_url keeps failing (issue 23, item 5)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.reading import channel_id, new_team, text_of
from tests.support.slack_shapes import slash_command

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _help(slack, bot, name: str, channel: str) -> None:
    status, body, _ = await bot.post(
        slash_command(
            "help", team_id=new_team(), channel=channel, response_url=slack.response_url(name)
        )
    )
    assert status == 200, body


@pytest.mark.parametrize("fault", ["ratelimit", "server_error"])
async def test_one_failed_private_reply_is_tried_again(slack, bot, fault):
    name, channel = uuid.uuid4().hex, channel_id()
    if fault == "ratelimit":
        slack.rate_limit_next("response_url", retry_after=1)
    else:
        slack.server_error_next("response_url", status=500)
    await _help(slack, bot, name, channel)
    first, second = await slack.wait_for_response(name, count=2, timeout=10)
    assert first.status != 200 and second.status == 200
    assert "aicost" in text_of(second.body.get("blocks") or second.body.get("text"))


async def test_a_response_url_that_keeps_failing_falls_back_to_an_ephemeral_message(slack, bot):
    name, channel = uuid.uuid4().hex, channel_id()
    slack.server_error_next("response_url", status=503, times=10)
    try:
        await _help(slack, bot, name, channel)
        (ephemeral,) = await slack.wait_for(
            lambda c: c.method == "chat.postEphemeral" and c.args.get("channel") == channel,
            timeout=15,
        )
    finally:
        slack.clear_faults()
    assert ephemeral.ok and ephemeral.args.get("user")
    assert "aicost" in text_of(ephemeral.args.get("blocks") or ephemeral.args.get("text"))
    assert all(r.status != 200 for r in slack.responses_to(name))
    assert f"a private reply in {channel} failed: HTTP 503" in bot.logs()
