"""A reply under one of the bot's estimates is answered even when the store cannot say the thread
is the bot's: a reply that arrives before its estimate's conversation is saved (the save runs
beside the tips), and a reply while Redis is down (the thread is read back from the estimate's
own buttons in Slack). Signed requests as Slack sends them, the bot in this process with its
durable queue, the fake Slack, a real Redis."""

from __future__ import annotations

import asyncio

from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import (
    STANDARD,
    channel_id,
    estimate_with_tips,
    new_team,
    posts,
    text_of,
    tips_for,
)
from tests.support.redis_server import RedisServer
from tests.support.signing import event_callback_body, message_event, slash_command_body

FOLLOW_UP = "what if 50k users?"
TIPS = tips_for(STANDARD)


def _reply(team: str, channel: str, ts: str) -> bytes:
    event = message_event(FOLLOW_UP, channel=channel, team=team, thread_ts=ts)
    return event_callback_body(event, team_id=team)


async def _estimate_shown(slack: FakeSlack, channel: str) -> str:
    """The ts of the estimate as soon as Slack shows it (before the bot hears back)."""
    for _ in range(200):
        shown = [m for m in slack.messages if m.get("channel") == channel]
        if shown:
            return shown[0]["ts"]
        await asyncio.sleep(0.02)
    raise AssertionError("no estimate was posted")


async def test_a_reply_sent_before_its_estimate_is_remembered_is_answered_once(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        # Slack shows the estimate a second and a half before the bot hears its ts back, so
        # its conversation is saved that much later: the reply below is sent in between.
        slack.slow_down("chat.postMessage", 1.5)
        body = slash_command_body(STANDARD, team_id=team, channel_id=channel)
        assert await bot.post(body) == 200
        ts = await _estimate_shown(slack, channel)
        assert await bot.post(_reply(team, channel, ts)) == 200
        slack.slow_down("chat.postMessage", 0)
        await bot.settle(seconds=30)
    thread = posts(slack, channel, ts)
    answers = [c for c in thread if "Updated: 50,000 users" in text_of(c.args)]
    assert len(thread) == TIPS + 1 and len(answers) == 1, [text_of(c.args)[:80] for c in thread]


async def test_a_reply_while_redis_is_down_is_answered_from_the_estimate_itself() -> None:
    team, channel = new_team(), channel_id()
    with RedisServer() as server:
        async with FakeSlack() as slack, bot_in_process(slack, server.url) as bot:
            body = slash_command_body(STANDARD, team_id=team, channel_id=channel)
            assert await bot.post(body) == 200
            ts = await estimate_with_tips(slack, channel)
            await bot.settle()  # its conversation saved, then lost with Redis
            server.stop(crash=True)
            assert await bot.post(_reply(team, channel, ts)) == 200
            await bot.settle(seconds=30)
    (answer,) = posts(slack, channel, ts)[TIPS:]
    shown = text_of(answer.args)
    # The scenario its buttons carried, at the new scale; the change could not be remembered.
    assert "50,000" in shown and "Follow-ups are unavailable" in shown, shown
