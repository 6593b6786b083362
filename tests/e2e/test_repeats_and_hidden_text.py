"""A slash command Slack sends again, and text with hidden characters, against a real bot
(issue 23, item 8)."""

from __future__ import annotations

import asyncio
import json
import unicodedata
import uuid

import pytest

from tests.support.reading import STANDARD, channel_id, estimate_with_tips, new_team, posts
from tests.support.signing import new_trigger_id, slash_command_body

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_command_replayed_with_its_trigger_id_is_answered_once(slack, bot):
    channel, team = channel_id(), new_team()
    body = slash_command_body(
        STANDARD, team_id=team, channel_id=channel, trigger_id=new_trigger_id(),
        response_url=slack.response_url(uuid.uuid4().hex),
    )  # fmt: skip
    for _ in range(2):  # signed afresh each time, as a replay inside Slack's 5 minutes is
        status, _, _ = await bot.post(body)
        assert status == 200
    await estimate_with_tips(slack, channel)
    await asyncio.sleep(2)  # time enough for a second answer to show up
    assert len([c for c in posts(slack, channel) if not c.args.get("thread_ts")]) == 1


async def test_hidden_characters_are_not_echoed_back_to_slack(slack, bot):
    name = uuid.uuid4().hex
    text = "10000 users zz\x1b[2J\u202e\U000e0069\U000e0067foo startup"
    status, _, _ = await bot.post(
        slash_command_body(
            text, team_id=new_team(), channel_id=channel_id(), response_url=slack.response_url(name)
        )
    )
    assert status == 200
    (reply,) = await slack.wait_for_response(name)
    said = json.dumps(reply.body, ensure_ascii=False)
    assert "zz[2jfoo" in said.lower()  # the word it did not understand, named
    assert [ch for ch in said if unicodedata.category(ch) in ("Cc", "Cf")] == []
