"""The app's Messages tab as an agent (`agent_view`): suggested prompts when it is opened, a
message there answered like /aicost in a thread under it (estimate, tips, chart with a loading
status), replies and buttons in that thread as in a channel. A real bot drawing charts, payloads
shaped as in Slack's docs and bolt-python's tests, the fake Slack and a real Redis."""

from __future__ import annotations

import pytest

from bot.slack.agent_messages import CHART_STATUS, SUGGESTED_PROMPTS
from bot.slack.ids import Action
from tests.support.home_payloads import app_home_opened_body
from tests.support.reading import next_thread_reply, text_of, tips_for
from tests.support.signing import block_actions_body, event_callback_body, message_event
from tests.support.slack_shapes import estimate_buttons

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT_ENV = {"CHARTS": "on"}


def dm_message(text: str, dm: str, team: str, thread_ts: str | None = None) -> dict:
    """A person's message in the app's DM (message.im), as Slack sends it."""
    return message_event(text, channel=dm, thread_ts=thread_ts, channel_type="im", team=team)


def dm_of(user: str) -> str:
    return "D" + user[1:]


async def test_opening_the_messages_tab_sets_its_suggested_prompts(slack, bot, team):
    body = app_home_opened_body(user_id="U0PROMPTS", team_id=team, tab="messages")
    status, _, _ = await bot.post(body)
    assert status == 200
    (call,) = await slack.wait_for(
        lambda c: c.method == "assistant.threads.setSuggestedPrompts" and c.ok
    )
    assert call.args["channel_id"].startswith("D") and "thread_ts" not in call.args
    prompts = call.args["prompts"]
    assert [p["message"] for p in prompts] == [p["message"] for p in SUGGESTED_PROMPTS]
    assert slack.violations == []


async def test_a_message_in_the_dm_gets_an_estimate_thread_with_tips_chart_and_follow_ups(
    slack, bot, team
):
    dm = dm_of("U0AGENT01")
    ask = dm_message("10000 users startup", dm, team)
    status, _, seconds = await bot.post(event_callback_body(ask, team_id=team))
    assert status == 200 and seconds < 3
    ts = ask["ts"]
    thread = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts and c.ok,
        count=1 + tips_for("10000 users startup"),
    )
    estimate = thread[0].args
    assert "10,000" in text_of(estimate["blocks"]) and "Monthly" in text_of(estimate["blocks"])
    assert list(estimate_buttons(estimate["blocks"])) == [a.value for a in Action]
    # The chart, with a loading status in the thread while it is drawn.
    await slack.wait_for_files(dm, ts, timeout=30.0)  # a nice-10 worker on a busy machine
    status_calls = await slack.wait_for(
        lambda c: c.method == "assistant.threads.setStatus" and c.args["thread_ts"] == ts, count=2
    )
    # Shown while drawing (set before the upload began), cleared once the chart is up.
    assert [c.args["status"] for c in status_calls] == [CHART_STATUS, ""]
    assert all(c.ok and c.args["channel_id"] == dm for c in status_calls)
    calls = slack.calls
    upload = [i for i, c in enumerate(calls) if c.method == "files.getUploadURLExternal"][-1]
    done = [i for i, c in enumerate(calls) if c.method == "files.completeUploadExternal"][-1]
    assert calls.index(status_calls[0]) < upload and calls.index(status_calls[1]) > done
    # A reply in the thread is a follow-up.
    said = dm_message("what if 50k users?", dm, team, thread_ts=ts)
    answer = await next_thread_reply(slack, ts, bot.post(event_callback_body(said, team_id=team)))
    assert "users 10,000 → 50,000" in text_of(answer.args["blocks"])
    # The estimate's buttons act on it, in its thread.
    value = estimate_buttons(estimate["blocks"])[Action.what_if_10x]
    click = block_actions_body(
        Action.what_if_10x.value, value, channel_id=dm,
        message_ts=thread[0].response["ts"], thread_ts=ts, team_id=team,
    )  # fmt: skip
    answer = await next_thread_reply(slack, ts, bot.post(click))
    assert "users 10,000 → 100,000" in text_of(answer.args["blocks"])
    assert slack.violations == []


async def test_a_hello_or_an_unknown_word_in_the_dm_is_answered_in_its_thread(slack, bot, team):
    dm = dm_of("U0AGENT02")
    hello = dm_message("hello!", dm, team)
    await bot.post(event_callback_body(hello, team_id=team))
    (answer,) = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == hello["ts"]
    )
    assert "Hi!" in text_of(answer.args["blocks"])
    odd = dm_message("blockchain", dm, team)
    await bot.post(event_callback_body(odd, team_id=team))
    (answer,) = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == odd["ts"]
    )
    assert "blockchain" in text_of(answer.args["blocks"])
