"""How the words were read is said in Slack as in the terminal: a misspelling taken as the word
meant, a word that changed nothing, under the estimate's title and under a follow-up's "What
changed". Signed requests as Slack sends them, the bot in this process, the fake Slack and a
real Redis."""

from __future__ import annotations

from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, new_team, posts, text_of
from tests.support.signing import event_callback_body, message_event, slash_command_body


async def test_a_misspelling_and_an_ignored_word_are_said_on_the_estimate_and_follow_up(
    redis_url: str,
) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        body = slash_command_body(
            "10k usres startup fp8", team_id=team, channel_id=channel,
            response_url=slack.response_url("asked"),
        )  # fmt: skip
        assert await bot.post(body) == 200
        await bot.settle()
        (main,) = [c for c in posts(slack, channel) if not c.args.get("thread_ts")]
        ts = main.response["ts"]
        reply = message_event("what if 50k usres", channel=channel, thread_ts=ts, team=team)
        assert await bot.post(event_callback_body(reply, team_id=team)) == 200
        await bot.settle()
        follow_up = posts(slack, channel, ts)[-1]
    shown = text_of(main.args["blocks"])
    assert "Read “usres” as “users”." in shown
    assert "“fp8” was ignored" in shown
    answer = text_of(follow_up.args["blocks"])
    assert "users 10,000 → 50,000" in answer and "Read “usres” as “users”." in answer
    assert slack.violations == []
