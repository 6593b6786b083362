"""The feedback buttons under an estimate: a first click is thanked and counted, a second click
by the same person on the same estimate is told it was already counted, never silence. Signed
requests as Slack sends them, the bot in this process, the fake Slack and a real Redis."""

from __future__ import annotations

from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, new_team, posts, text_of
from tests.support.signing import block_actions_body, slash_command_body


async def test_a_second_feedback_click_is_told_it_was_already_counted(redis_url: str) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        body = slash_command_body(
            "10000 users startup", team_id=team, channel_id=channel,
            response_url=slack.response_url("asked"),
        )  # fmt: skip
        assert await bot.post(body) == 200
        await bot.settle()
        (main,) = [c for c in posts(slack, channel) if not c.args.get("thread_ts")]
        (block,) = [b for b in main.args["blocks"] if b["type"] == "context_actions"]
        (buttons,) = block["elements"]

        async def vote(user: str, button: str, name: str) -> str:
            await bot.post(
                block_actions_body(
                    buttons["action_id"], buttons[button]["value"], channel_id=channel,
                    message_ts=main.response["ts"], team_id=team, user_id=user,
                    action_type="feedback_buttons", response_url=slack.response_url(name),
                )
            )  # fmt: skip
            (answer,) = await slack.wait_for_response(name)
            assert answer.body["response_type"] == "ephemeral"
            return text_of(answer.body)

        assert "Thanks" in await vote("U0LIKES", "positive_button", "first")
        again = await vote("U0LIKES", "negative_button", "second")
        assert "already counted" in again
        assert "Thanks" in await vote("U0OTHER", "negative_button", "other")
        await bot.settle()
        assert await bot.bot.store.feedback(team) == {"useful": 1, "not_useful": 1}
    assert slack.violations == []
