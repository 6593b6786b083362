"""A reply under a comparison or a break-even is answered while Redis is down: the question is
read back from the message metadata the bot posted it with, which holds its scenarios and never
the words anyone typed (a thread a failover lost: tests/e2e/test_question_failover.py). Signed
requests as Slack sends them, the bot in this process with its durable queue, the fake Slack
(which returns metadata only when asked, as Slack does), a real Redis."""

from __future__ import annotations

import json

from tests.slack.test_question_threads import BREAKEVEN, _asked, _reply
from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, new_team, next_thread_reply, posts, text_of
from tests.support.redis_server import RedisServer

NAMED = "compare my gpt-4o vs claude-haiku-4-5 for 50k users"  # "my gpt-4o": someone's words
UNAVAILABLE = "Follow-ups are unavailable"


async def test_undo_under_a_comparison_while_redis_is_down_steps_back_from_its_messages() -> None:
    team, channel = new_team(), channel_id()
    with RedisServer() as server:
        async with FakeSlack() as slack, bot_in_process(slack, server.url) as bot:
            ts = await _asked(bot, slack, team, channel, NAMED)
            await next_thread_reply(
                slack, ts, _reply(bot, team, channel, ts, "what if 100k users?")
            )
            await bot.settle()
            server.stop(crash=True)
            assert await _reply(bot, team, channel, ts, "undo") == 200
            await bot.settle(seconds=30)
    asked = slack.message(channel, ts) or {}
    carried = json.dumps(asked.get("metadata"))
    assert "gpt-4o" in carried and "my gpt-4o" not in carried  # IDs and numbers, no one's words
    _, answer = posts(slack, channel, ts)
    shown = text_of(answer.args)
    # The question before the change, read back from the two messages; names as the table shows.
    assert "50,000 users" in shown and "my gpt-4o" in shown, shown
    assert UNAVAILABLE in shown, shown  # the step back could not be remembered


async def test_a_follow_up_under_a_break_even_while_redis_is_down_is_answered_once() -> None:
    team, channel = new_team(), channel_id()
    with RedisServer() as server:
        async with FakeSlack() as slack, bot_in_process(slack, server.url) as bot:
            ts = await _asked(bot, slack, team, channel, BREAKEVEN)
            server.stop(crash=True)
            assert await _reply(bot, team, channel, ts, "what if 100k users?") == 200
            await bot.settle(seconds=30)
    (answer,) = posts(slack, channel, ts)
    shown = text_of(answer.args)
    assert "At 100,000 users" in shown and "claude-sonnet-4-5" in shown, shown
    assert UNAVAILABLE in shown, shown
