"""What Slack really sends, end to end: buttons that belong to their message, Slack's text
formatting, Slack Connect threads, org-wide installs. A real bot process, requests signed as
Slack signs them, payloads shaped as in Slack's docs and bolt-python's tests, the fake Slack
and a real Redis."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.slack.ids import Action
from tests.support.fake_slack import BOT_USER_ID
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    new_team,
    next_thread_reply,
    posts,
    text_of,
    tips_for,
)
from tests.support.signing import (
    app_mention_event,
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
)
from tests.support.slack_shapes import (
    estimate_buttons,
    event_envelope,
    slash_command,
    thread_message,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def start_estimate(slack, bot, team, channel, text="10000 users startup") -> str:
    status, body, _ = await bot.post(slash_command_body(text, team_id=team, channel_id=channel))
    assert status == 200, body
    return await estimate_with_tips(slack, channel, text)


async def reply_in_thread(slack, bot, team, channel, ts, text) -> dict:
    """A person's reply in the estimate's thread; the bot's answer (the call's args)."""
    event = message_event(text, channel=channel, thread_ts=ts, team=team)

    async def send() -> None:
        status, _, _ = await bot.post(event_callback_body(event, team_id=team))
        assert status == 200

    return (await next_thread_reply(slack, ts, send())).args


def root_message(slack, channel: str, ts: str) -> dict:
    (call,) = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and c.ok and c.response.get("ts") == ts
    ]
    return call.args


async def test_a_button_acts_on_its_own_estimate_not_on_the_threads_latest(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    answer = await reply_in_thread(slack, bot, team, channel, ts, "what if we had 50000 users?")
    assert "users 10,000 → 50,000" in text_of(answer["blocks"])
    # "10x users" on the first estimate: 10,000 → 100,000, whatever the thread said since.
    value = estimate_buttons(root_message(slack, channel, ts)["blocks"])[Action.what_if_10x]
    click = block_actions_body(
        Action.what_if_10x.value, value, channel_id=channel, message_ts=ts, team_id=team
    )
    reply = await next_thread_reply(slack, ts, bot.post(click))
    assert "users 10,000 → 100,000" in text_of(reply.args["blocks"])
    # The follow-up's own buttons act on the follow-up's scenario (50,000 users).
    value = estimate_buttons(answer["blocks"])[Action.what_if_10x]
    click = block_actions_body(
        Action.what_if_10x.value, value, channel_id=channel, message_ts=reply.response["ts"],
        thread_ts=ts, team_id=team,
    )  # fmt: skip
    reply = await next_thread_reply(slack, ts, bot.post(click))
    assert "users 50,000 → 500,000" in text_of(reply.args["blocks"])
    # Undo takes the last click back, to the scenario of the message it was on.
    answer = await reply_in_thread(slack, bot, team, channel, ts, "undo")
    assert "users 500,000 → 50,000" in text_of(answer["blocks"])
    assert slack.violations == []


async def test_a_forged_scenario_in_a_button_is_ignored(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    value = estimate_buttons(root_message(slack, channel, ts)["blocks"])[Action.what_if_10x]
    owner = value.split("|")[0]
    forged = block_actions_body(
        Action.what_if_10x.value, owner + '|{"users": -5, "stage": "nonsense"}',
        channel_id=channel, message_ts=ts, team_id=team,
    )  # fmt: skip
    reply = await next_thread_reply(slack, ts, bot.post(forged))
    # Acts on the thread's stored scenario, as a button without one does.
    assert "users 10,000 → 100,000" in text_of(reply.args["blocks"])


async def test_an_escaped_ampersand_is_read_as_typed(slack, bot, team):
    channel = channel_id()
    text = "50000 users enterprise soc2 &amp; gdpr"
    await bot.post(slash_command_body(text, team_id=team, channel_id=channel))
    (main,) = await slack.wait_for(
        lambda c: (
            c.method == "chat.postMessage"
            and c.args.get("channel") == channel
            and "thread_ts" not in c.args
        )
    )
    # An estimate, not the hint "I didn't understand “&”" (which goes to the response_url).
    shown = text_of(main.args["blocks"])
    assert "50,000" in shown and "SOC 2" in shown and "GDPR" in shown


async def test_a_hello_to_the_bot_gets_a_greeting_and_help(slack, bot, team):
    channel = channel_id()
    event = app_mention_event(f"<@{BOT_USER_ID}> hi", channel=channel, team=team)
    await bot.post(event_callback_body(event, team_id=team))
    (answer,) = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == event["ts"]
    )
    shown = text_of(answer.args["blocks"])
    assert "Hi!" in shown and "/aicost 10000 users startup" in shown
    assert "understand" not in shown


async def test_a_file_shared_into_a_thread_without_words_gets_no_answer(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    before = len(posts(slack, channel, ts))
    shared = thread_message("", channel=channel, thread_ts=ts, team=team, subtype="file_share")
    await bot.post(event_envelope(shared, installed_team=team))
    # Then a question: its answer is the only reply (the file asked nothing).
    answer = await reply_in_thread(slack, bot, team, channel, ts, "what if 50k users?")
    assert "users 10,000 → 50,000" in text_of(answer["blocks"])
    await asyncio.sleep(0.5)
    replies = posts(slack, channel, ts)
    assert len(replies) == before + 1
    assert not any("understand" in text_of(c.args.get("blocks")) for c in replies)


# --- Slack Connect: both organisations installed the app; a thread belongs to the thread --------


async def connect_estimate(slack, bot, team, channel, text="10000 users startup") -> str:
    """/aicost from `team` in a shared channel (its installation answers); the estimate's ts."""
    url = slack.response_url(uuid.uuid4().hex)
    before = len([c for c in posts(slack, channel) if "thread_ts" not in c.args])
    await bot.post(slash_command(text, team_id=team, channel=channel, response_url=url))
    roots = await slack.wait_for(
        lambda c: (
            c.method == "chat.postMessage"
            and c.args.get("channel") == channel
            and "thread_ts" not in c.args
            and c.ok
        ),
        count=before + 1,
    )
    ts = roots[-1].response["ts"]
    await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts,
        count=tips_for(text),
    )
    return ts


async def test_a_reply_delivered_for_our_side_continues_their_sides_estimate(slack, bot):
    ours, theirs, channel = new_team(), new_team(), channel_id()
    ts = await connect_estimate(slack, bot, theirs, channel)
    said = thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=ours)
    answer = await next_thread_reply(
        slack, ts, bot.post(event_envelope(said, installed_team=ours, shared=True))
    )
    assert "users 10,000 → 50,000" in text_of(answer.args["blocks"])
    # The state moved on under its owner: a reply delivered for their side sees the change.
    said = thread_message("undo", channel=channel, thread_ts=ts, team=theirs)
    answer = await next_thread_reply(
        slack, ts, bot.post(event_envelope(said, installed_team=theirs, shared=True))
    )
    assert "users 50,000 → 10,000" in text_of(answer.args["blocks"])


async def test_a_mention_in_their_sides_thread_diffs_that_thread_not_our_other_estimate(slack, bot):
    ours, theirs, channel = new_team(), new_team(), channel_id()
    await connect_estimate(slack, bot, ours, channel, "42000 users midsize")
    ts = await connect_estimate(slack, bot, theirs, channel)
    mention = {
        **thread_message("<@UBOT> what if 30k users?", channel=channel, thread_ts=ts, team=ours),
        "type": "app_mention",
    }
    reply = await next_thread_reply(
        slack, ts, bot.post(event_envelope(mention, installed_team=ours, shared=True))
    )
    shown = text_of(reply.args["blocks"])
    assert "users 10,000 → 30,000" in shown and "42,000" not in shown


async def test_a_reply_in_a_shared_channels_thread_of_someone_else_stays_unanswered(slack, bot):
    ours, channel = new_team(), channel_id()
    ts = await connect_estimate(slack, bot, ours, channel)
    someone = thread_message("what if 50k users?", channel=channel, thread_ts="1.000001", team=ours)
    await bot.post(event_envelope(someone, installed_team=ours, shared=True))
    # A question in our thread after it is answered; the other thread never is.
    await reply_in_thread(slack, bot, ours, channel, ts, "what if 20k users?")
    await asyncio.sleep(0.3)
    assert posts(slack, channel, "1.000001") == []
