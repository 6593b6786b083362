"""A reply in the thread of a comparison or a break-even posted with /aicost is answered: a change
("what if 100k users?") asks the question again with it, "undo" steps back one change, "reset"
goes back to the question the thread started with; a word that needs an estimate says what to
type. Signed requests as Slack sends them, the bot in this
process (its durable queue, whose owner check drops replies in threads the bot keeps nothing
for), the fake Slack, a real Redis."""

from __future__ import annotations

from bot.slack.messages.comparison import CHART_PROMISE
from bot.slack.uploads import CHARTS_BUSY
from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, new_team, next_thread_reply, posts, text_of
from tests.support.signing import event_callback_body, message_event, slash_command_body

COMPARE = "compare gpt-4o vs claude-haiku-4-5 for 50k users"
BREAKEVEN = "when does self-hosting llama 70b pay off vs claude-sonnet-4-5 for 20k users"


async def _asked(bot, slack: FakeSlack, team: str, channel: str, text: str) -> str:
    body = slash_command_body(
        text, team_id=team, channel_id=channel, response_url=slack.response_url("asked")
    )
    assert await bot.post(body) == 200
    await bot.settle()
    (question,) = [c for c in posts(slack, channel) if not c.args.get("thread_ts")]
    return question.response["ts"]


def _stepped(message: dict, step: str) -> str:
    """A question answered again by "undo" or "reset": the step is its first line (after the
    title), as an estimate thread's "What changed:"; returned: what the rest of it says."""
    blocks = message["blocks"]
    first = 1 if blocks[0]["type"] == "header" else 0  # a comparison has a title, a break-even not
    assert blocks[first]["text"]["text"] == step
    assert message["text"].startswith(step.replace("*", "") + "\n")  # the notification too
    return text_of(blocks[:first] + blocks[first + 1 :])


def _reply(bot, team: str, channel: str, ts: str, text: str):
    event = message_event(text, channel=channel, team=team, thread_ts=ts)
    return bot.post(event_callback_body(event, team_id=team))


async def test_a_follow_up_under_a_comparison_compares_again_with_the_change(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, COMPARE)
        first = text_of(posts(slack, channel)[0].args["blocks"])
        again = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 100k users?")
        )
        shown = text_of(again.args["blocks"])
        # Twice the users: a comparison of the same two options, with larger figures.
        assert "gpt-4o" in shown and "claude-haiku-4-5 ✓ cheapest" in shown
        assert shown != first and "100,000 users" in shown
        twice = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 100k users?")
        )
        assert "nothing changed" in text_of(twice.args)  # the thread remembered the change
        await bot.settle()
    assert slack.violations == []


async def test_a_reply_under_a_comparison_that_needs_an_estimate_says_what_to_type(
    redis_url,
) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, COMPARE)
        told = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "export"))
        await bot.settle()
    assert "/aicost 10000 users startup" in text_of(told.args)
    assert "what if 100k users?" in text_of(told.args)


async def test_a_follow_up_under_a_break_even_answers_at_the_new_scale(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, BREAKEVEN)
        assert "At 20,000 users" in text_of(posts(slack, channel)[0].args)
        again = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 100k users?")
        )
        await bot.settle()
    shown = text_of(again.args)
    assert "Break-even" in shown and "At 100,000 users" in shown
    assert "claude-sonnet-4-5" in shown  # the model named for the other side is kept


async def test_undo_under_a_comparison_steps_back_to_the_previous_comparison(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, COMPARE)
        first = text_of(posts(slack, channel)[0].args["blocks"])
        nothing = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        assert nothing.args["text"] == "Nothing to undo: this is the first comparison."
        for change in ("what if 100k users?", "what if 200k users?"):
            await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, change))
        back = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        shown = _stepped(back.args, "*Undone:* back to the previous comparison.")
        assert "100,000 users" in shown and "claude-haiku-4-5 ✓ cheapest" in shown
        again = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        # Back where the thread started: the comparison as first posted, figure for figure.
        assert _stepped(again.args, "*Undone:* back to the first comparison.") == first
        last = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        assert last.args["text"] == "Nothing to undo: this is the first comparison."
        # A change after the undo starts from where the undo left the thread, and undoes to it.
        later = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 300k users?")
        )
        assert "300,000 users" in text_of(later.args["blocks"])
        assert "Undone" not in text_of(later.args)  # a change says what changed, not a step
        undone = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        assert _stepped(undone.args, "*Undone:* back to the first comparison.") == first
        await bot.settle()
    assert slack.violations == []


async def test_undo_under_a_break_even_answers_the_previous_scale(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, BREAKEVEN)
        nothing = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        assert nothing.args["text"] == "Nothing to undo: this is the first break-even."
        await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "what if 100k users?"))
        back = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        await bot.settle()
    shown = _stepped(back.args, "*Undone:* back to the first break-even.")
    assert "Break-even" in shown and "At 20,000 users" in shown and "100,000" not in shown
    assert "claude-sonnet-4-5" in shown
    assert slack.violations == []


async def test_reset_under_a_comparison_answers_the_first_comparison_again(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, COMPARE)
        first = text_of(posts(slack, channel)[0].args["blocks"])
        already = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "reset"))
        assert already.args["text"] == "Already at the first comparison."
        for change in ("what if 100k users?", "what if 200k users?"):
            await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, change))
        reset = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "reset"))
        # Where the thread started, figure for figure, not "this thread answers a question".
        assert _stepped(reset.args, "*Reset:* back to the first comparison.") == first
        again = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "reset"))
        assert again.args["text"] == "Already at the first comparison."
        # As in an estimate's thread, "undo" takes back the reset: to 200k users.
        undone = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "undo"))
        shown = _stepped(undone.args, "*Undone:* back to the previous comparison.")
        assert "200,000 users" in shown
        changed = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 300k users?")
        )
        assert "300,000 users" in text_of(changed.args["blocks"])
        await bot.settle()
    assert slack.violations == []


async def test_reset_under_a_break_even_answers_at_the_first_scale(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        ts = await _asked(bot, slack, team, channel, BREAKEVEN)
        already = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "reset"))
        assert already.args["text"] == "Already at the first break-even."
        for change in ("what if 100k users?", "what if 200k users?"):
            await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, change))
        reset = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, "reset"))
        await bot.settle()
    shown = _stepped(reset.args, "*Reset:* back to the first break-even.")
    assert "Break-even" in shown and "At 20,000 users" in shown and "00,000 users" not in shown
    assert "claude-sonnet-4-5" in shown  # the model named for the other side is kept
    assert slack.violations == []


async def test_without_charts_no_comparison_says_a_chart_follows(redis_url) -> None:
    # CHARTS=off (this bot's setting): neither the comparison nor an answer in its thread
    # promises a chart, and none is uploaded.
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url, charts=False) as bot:
        ts = await _asked(bot, slack, team, channel, COMPARE)
        said = [text_of(posts(slack, channel)[0].args)]
        for change in ("what if 100k users?", "undo", "compare gpt-4o vs gpt-4o-mini"):
            reply = await next_thread_reply(slack, ts, _reply(bot, team, channel, ts, change))
            said.append(text_of(reply.args))
        await bot.settle()
    assert all("Compared: 2 options" in shown for shown in said)
    assert not [s for s in said if CHART_PROMISE in s or "chart" in s.lower()]
    assert not [c for c in slack.calls if c.method.startswith("files.")]
    assert slack.violations == []


async def test_a_comparison_only_its_asker_sees_does_not_say_a_chart_follows(redis_url) -> None:
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url, charts=True) as bot:
        slack.not_in_channel(channel)
        body = slash_command_body(
            COMPARE, team_id=team, channel_id=channel, response_url=slack.response_url("asked")
        )
        assert await bot.post(body) == 200
        (response,) = await slack.wait_for_response("asked")
        await bot.settle()
    shown = text_of(response.body)
    assert "Compared: 2 options" in shown and "only you can see" in shown
    assert CHART_PROMISE not in shown  # no thread to attach a chart to
    assert not [c for c in slack.calls if c.method.startswith("files.")]


async def test_a_promised_comparison_chart_that_cannot_be_drawn_is_said_not_dropped(redis_url):
    # The comparison says its chart follows; with no chart worker to draw it (as when a burst
    # keeps every worker busy), the thread says so instead of leaving the promise unkept.
    team, channel = new_team(), channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url, charts=True) as bot:
        assert bot.bot.charts is not None
        bot.bot.charts.count = 0  # none may start: WorkerUnavailable, as under a burst
        ts = await _asked(bot, slack, team, channel, COMPARE)
        await bot.settle()
    assert CHART_PROMISE in text_of(posts(slack, channel)[0].args)
    assert [p.args["text"] for p in posts(slack, channel, ts)] == [CHARTS_BUSY]
    assert not [c for c in slack.calls if c.method.startswith("files.")]
