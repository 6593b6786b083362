"""The bot end to end, driven the way Slack drives it.

A real `python -m bot` process serves HTTP on a free port; requests are signed exactly as Slack
signs them; the bot calls a local fake of Slack's Web API (SLACK_API_URL) that records every call
and validates every Block Kit payload; state lives in a real Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest

from bot.slack.ids import Action, Callback, FormField
from tests.support.bot_process import BotProcess
from tests.support.fake_slack import BOT_ID, BOT_USER_ID
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    next_thread_reply,
    posts,
    submitted_state,
    text_of,
)
from tests.support.signing import (
    app_mention_event,
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
    view_submission_body,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def start_estimate(slack, bot, team, channel, text="10000 users startup") -> str:
    """/aicost in a channel; returns the ts of the posted estimate once its tips are in."""
    status, body, seconds = await bot.post(
        slash_command_body(text, team_id=team, channel_id=channel)
    )
    assert status == 200 and seconds < 3, body
    return await estimate_with_tips(slack, channel, text)


async def test_slash_command_acks_fast_then_posts_estimate_and_tips_in_its_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    (main,) = [c for c in posts(slack, channel) if "thread_ts" not in c.args]
    shown = text_of(main.args["blocks"])
    for words in ("10,000", "Monthly", "First year", "Production Ready", "Market Scale"):
        assert words in shown
    buttons = [
        e["action_id"] for b in main.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == [a.value for a in Action]
    thread = " ".join(text_of(c.args["blocks"]) for c in posts(slack, channel, ts))
    assert "cach" in thread.lower() and "managed" in thread.lower()
    assert "Plan for 10x" in thread and "Choose scalable technologies" in thread
    assert slack.violations == []
    # CHARTS=off (this module's bot): no chart worker, no upload.
    assert bot.chart_workers() == [] and len(bot.workers()) <= 1
    assert not [c for c in slack.calls if c.args.get("channel_id") == channel]


async def test_help_is_private_with_examples(slack, bot, team):
    name = uuid.uuid4().hex
    body = slash_command_body("help", team_id=team, response_url=slack.response_url(name))
    status, _, _ = await bot.post(body)
    assert status == 200
    (response,) = await slack.wait_for_response(name)
    assert response.body["response_type"] == "ephemeral"
    assert "10000 users startup" in text_of(response.body)


async def test_text_it_cannot_parse_gets_a_private_hint_naming_the_words(slack, bot, team):
    name = uuid.uuid4().hex
    body = slash_command_body(
        "10k users with blockchain <!channel>", team_id=team, response_url=slack.response_url(name)
    )
    await bot.post(body)
    (response,) = await slack.wait_for_response(name)
    shown = text_of(response.body)
    assert "blockchain" in shown
    assert "<!channel>" not in json.dumps(response.body)  # escaped, cannot ping anyone
    assert response.body["response_type"] == "ephemeral"


async def test_out_of_range_gets_the_allowed_range(slack, bot, team):
    name = uuid.uuid4().hex
    body = slash_command_body("0 users", team_id=team, response_url=slack.response_url(name))
    await bot.post(body)
    (response,) = await slack.wait_for_response(name)
    assert "between 1 and 6,000,000,000" in text_of(response.body)


async def test_form_opens_rejects_bad_fields_inline_then_posts_to_the_right_channel(
    slack, bot, team
):
    channel = channel_id()
    trigger = "trigger-" + uuid.uuid4().hex
    await bot.post(slash_command_body("form", team_id=team, channel_id=channel, trigger_id=trigger))
    (opened,) = await slack.wait_for(
        lambda c: c.method == "views.open" and c.args.get("trigger_id") == trigger
    )
    view = opened.args["view"]
    assert view["callback_id"] == Callback.form.value

    bad = submitted_state(view, {FormField.users: "0", FormField.cache_hit_rate: "99%"})
    status, body, _ = await bot.post(
        view_submission_body(Callback.form.value, bad, view["private_metadata"], team_id=team)
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {FormField.users.value, FormField.cache_hit_rate.value}
    assert "between" in answer["errors"][FormField.users.value]

    good = submitted_state(view, {FormField.users: "25k"})
    status, body, _ = await bot.post(
        view_submission_body(Callback.form.value, good, view["private_metadata"], team_id=team)
    )
    assert status == 200 and body in ("", "{}"), body
    (posted,) = await slack.wait_for(
        lambda c: (
            c.method == "chat.postMessage"
            and c.args.get("channel") == channel
            and "thread_ts" not in c.args
        )
    )
    assert "25,000" in text_of(posted.args["blocks"])
    assert slack.violations == []


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (Action.what_if_10x, "users 10,000 → 100,000"),
        (Action.apply_caching, "cache hit rate 20% → 40%"),
        (Action.cheaper_model, "model gpt-4o-mini →"),
    ],
)
async def test_each_button_answers_in_the_thread_with_what_changed(
    slack, bot, team, action, expected
):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    reply = await next_thread_reply(
        slack,
        ts,
        bot.post(
            block_actions_body(action.value, "x", channel_id=channel, message_ts=ts, team_id=team)
        ),
    )
    assert expected in text_of(reply.args["blocks"])
    assert slack.violations == []


@pytest.mark.parametrize("typed", ["cheaper model", "try a cheaper model?"])
async def test_cheaper_model_typed_in_the_thread_does_what_its_button_does(slack, bot, team, typed):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    event = message_event(typed, channel=channel, thread_ts=ts, team=team)
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    shown = text_of(reply.args["blocks"])
    assert "model gpt-4o-mini →" in shown and "didn't understand" not in shown
    assert slack.violations == []


async def test_edit_in_form_button_opens_the_form_prefilled_from_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel, "42000 users midsize")
    trigger = "trigger-" + uuid.uuid4().hex
    await bot.post(
        block_actions_body(
            Action.edit_in_form.value, "x", channel_id=channel, message_ts=ts, team_id=team,
            trigger_id=trigger,
        )
    )  # fmt: skip
    (opened,) = await slack.wait_for(
        lambda c: c.method == "views.open" and c.args.get("trigger_id") == trigger
    )
    assert "42,000" in text_of(opened.args["view"]) or "42000" in text_of(opened.args["view"])


async def test_thread_follow_up_recomputes_and_shows_the_diff(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)

    async def send() -> None:
        status, _, _ = await bot.post(event_callback_body(event, team_id=team))
        assert status == 200

    shown = text_of((await next_thread_reply(slack, ts, send())).args["blocks"])
    assert "users 10,000 → 50,000" in shown
    assert "+$" in shown  # signed differences


async def test_mention_follow_up_in_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    event = app_mention_event(
        f"<@{BOT_USER_ID}> add hipaa", channel=channel, thread_ts=ts, team=team
    )
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    assert "HIPAA" in text_of(reply.args["blocks"])


async def test_follow_up_it_does_not_understand_gets_a_short_hint(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    event = message_event("make it webscale", channel=channel, thread_ts=ts, team=team)
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    assert "webscale" in text_of(reply.args["blocks"])


async def test_own_messages_and_threads_it_did_not_start_are_ignored(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    own = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team,
                        bot_id=BOT_ID, user=BOT_USER_ID)  # fmt: skip
    foreign = message_event("what if 50k users?", channel=channel, thread_ts="1600000000.000001",
                            team=team)  # fmt: skip
    marker = message_event("what if 2x users?", channel=channel, thread_ts=ts, team=team)
    before = len(posts(slack, channel))
    for event in (own, foreign, marker):
        await bot.post(event_callback_body(event, team_id=team))
    # The marker is answered; by then the two before it would have been answered too.
    await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == channel,
        count=before + 1,
    )
    replies = posts(slack, channel)[before:]
    assert len(replies) == 1
    assert "users 10,000 → 20,000" in text_of(replies[0].args["blocks"])


async def test_not_in_channel_still_gets_the_estimate_privately_with_how_to_invite(
    slack, bot, team
):
    channel = channel_id()
    slack.not_in_channel(channel)
    name = uuid.uuid4().hex
    await bot.post(
        slash_command_body(
            "10000 users startup", team_id=team, channel_id=channel,
            response_url=slack.response_url(name),
        )
    )  # fmt: skip
    (response,) = await slack.wait_for_response(name)
    shown = text_of(response.body)
    assert "/invite" in shown and "First year" in shown
    assert response.body["response_type"] == "ephemeral"
    slack.clear_channel(channel)


async def test_state_survives_a_bot_restart(slack, redis_url, team):
    first = await BotProcess(slack.base_url, redis_url).start()
    channel = channel_id()
    try:
        ts = await start_estimate(slack, first, team, channel)
    finally:
        assert await first.stop() == 0
    second = await BotProcess(slack.base_url, redis_url).start()
    try:
        event = message_event("3 regions", channel=channel, thread_ts=ts, team=team)
        reply = await next_thread_reply(
            slack, ts, second.post(event_callback_body(event, team_id=team))
        )
        assert "regions 1 → 3" in text_of(reply.args["blocks"])
    finally:
        assert await second.stop() == 0


async def test_two_bot_processes_sharing_redis_answer_each_others_threads(
    slack, bot, redis_url, team
):
    other = await BotProcess(slack.base_url, redis_url).start()
    try:
        channel = channel_id()
        ts = await start_estimate(slack, bot, team, channel)
        event = message_event("use claude-haiku-4-5", channel=channel, thread_ts=ts, team=team)
        reply = await next_thread_reply(
            slack, ts, other.post(event_callback_body(event, team_id=team))
        )
        assert "model gpt-4o-mini → claude-haiku-4-5" in text_of(reply.args["blocks"])
    finally:
        assert await other.stop() == 0


async def test_health_and_metrics(slack, bot, team):
    status, body = await bot.get("/healthz")
    health = json.loads(body)
    assert status == 200 and health["slack"] == "ok" and health["redis"] == "ok"
    # One estimate worker where there is a core to spare, up within seconds of the start.
    expected = 1 if len(os.sched_getaffinity(0)) > 1 else 0
    for _ in range(100):
        if health["estimate_workers"] == expected:
            break
        await asyncio.sleep(0.1)
        health = json.loads((await bot.get("/healthz"))[1])
    assert health["estimate_workers"] == expected
    await start_estimate(slack, bot, team, channel_id())
    status, body = await bot.get("/metrics")
    assert status == 200
    assert 'aicost_requests_total{kind="slash_command"}' in body
    assert "aicost_estimate_seconds_count" in body


async def test_unsigned_request_is_rejected(slack, bot, team):
    status, _, _ = await bot.post(slash_command_body("10k users", team_id=team), signed=False)
    assert status == 401


async def test_undo_as_a_slash_command_points_to_the_estimates_thread(slack, bot, team):
    name = uuid.uuid4().hex
    await bot.post(slash_command_body("undo", team_id=team, response_url=slack.response_url(name)))
    (response,) = await slack.wait_for_response(name)
    assert "in the estimate's thread" in text_of(response.body)
    assert response.body["response_type"] == "ephemeral"


async def test_compare_and_break_even_as_slash_commands_are_posted_with_their_verdicts(
    slack, bot, team
):
    for text, expected in (
        ("compare gpt-4o-mini, claude-sonnet-4-5 for 10k users", "Cheapest first year: gpt-4o"),
        ("when does self-hosting pay off for claude-sonnet-4-5?", "costs less per month above"),
    ):
        channel = channel_id()
        await bot.post(slash_command_body(text, team_id=team, channel_id=channel))
        (posted,) = await slack.wait_for(
            lambda c, channel=channel: (
                c.method == "chat.postMessage" and c.args.get("channel") == channel
            )
        )
        assert expected in text_of(posted.args["blocks"])
        assert expected in posted.args["text"]
        assert "in the estimate's thread" not in text_of(posted.args["blocks"])
    assert slack.violations == []


async def test_chart_button_with_charts_off_says_so_in_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    reply = await next_thread_reply(
        slack,
        ts,
        bot.post(
            block_actions_body(
                Action.chart.value, "x", channel_id=channel, message_ts=ts, team_id=team
            )
        ),
    )
    assert "Charts are turned off" in text_of(reply.args["blocks"])
    assert not [c for c in slack.calls if c.args.get("channel_id") == channel]
