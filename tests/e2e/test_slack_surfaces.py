"""What Slack really sends, end to end: buttons that belong to their message, Slack's text
formatting, Slack Connect threads, org-wide installs. A real bot process, requests signed as
Slack signs them, payloads shaped as in Slack's docs and bolt-python's tests, the fake Slack
and a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.ids import Action
from tests.support.fake_slack import BOT_USER_ID
from tests.support.reading import channel_id, estimate_with_tips, posts, text_of
from tests.support.signing import (
    app_mention_event,
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
)
from tests.support.slack_shapes import estimate_buttons, event_envelope, thread_message

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def start_estimate(slack, bot, team, channel, text="10000 users startup") -> str:
    status, body, _ = await bot.post(slash_command_body(text, team_id=team, channel_id=channel))
    assert status == 200, body
    return await estimate_with_tips(slack, channel, text)


async def reply_in_thread(slack, bot, team, channel, ts, text) -> dict:
    """A person's reply in the estimate's thread; the bot's answer (the call's args)."""
    before = len(posts(slack, channel, ts))
    event = message_event(text, channel=channel, thread_ts=ts, team=team)
    status, _, _ = await bot.post(event_callback_body(event, team_id=team))
    assert status == 200
    replies = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts,
        count=before + 1,
    )
    return replies[-1].args


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
    before = len(posts(slack, channel, ts))
    await bot.post(
        block_actions_body(
            Action.what_if_10x.value, value, channel_id=channel, message_ts=ts, team_id=team
        )
    )
    replies = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts,
        count=before + 1,
    )
    assert "users 10,000 → 100,000" in text_of(replies[-1].args["blocks"])
    # The follow-up's own buttons act on the follow-up's scenario (50,000 users).
    value = estimate_buttons(answer["blocks"])[Action.what_if_10x]
    await bot.post(
        block_actions_body(
            Action.what_if_10x.value, value, channel_id=channel,
            message_ts=replies[-1].response["ts"],
            thread_ts=ts, team_id=team,
        )
    )  # fmt: skip
    replies = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts,
        count=before + 2,
    )
    assert "users 50,000 → 500,000" in text_of(replies[-1].args["blocks"])
    # Undo takes the last click back, to the scenario of the message it was on.
    answer = await reply_in_thread(slack, bot, team, channel, ts, "undo")
    assert "users 500,000 → 50,000" in text_of(answer["blocks"])
    assert slack.violations == []


async def test_a_forged_scenario_in_a_button_is_ignored(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    value = estimate_buttons(root_message(slack, channel, ts)["blocks"])[Action.what_if_10x]
    owner = value.split("|")[0]
    before = len(posts(slack, channel, ts))
    await bot.post(
        block_actions_body(
            Action.what_if_10x.value, owner + '|{"users": -5, "stage": "nonsense"}',
            channel_id=channel, message_ts=ts, team_id=team,
        )
    )  # fmt: skip
    replies = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts,
        count=before + 1,
    )
    # Acts on the thread's stored scenario, as a button without one does.
    assert "users 10,000 → 100,000" in text_of(replies[-1].args["blocks"])


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
