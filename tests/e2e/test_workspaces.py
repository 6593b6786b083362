"""Every kind of workspace, driven with payloads shaped like those in Slack's own SDK tests:
Slack Connect channels (both organisations continue the same estimate), org-wide installs,
private estimates' buttons, replies also sent to the channel or with a file, what stays
ignored, an uninstall that leaves nothing in Redis, ssl_check and requests nobody handles.

A real `python -m bot` in single-workspace mode (one bot token), the fake Slack, a real Redis.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from urllib.parse import urlencode

import pytest
import redis.asyncio as aioredis

from bot.slack.ids import Action
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    new_team,
    next_thread_reply,
    posts,
    text_of,
)
from tests.support.slack_shapes import (
    app_uninstalled,
    block_actions,
    changed_message,
    deleted_message,
    estimate_buttons,
    event_envelope,
    slash_command,
    thread_message,
    tokens_revoked,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def estimate(slack, bot, *, team, channel, enterprise_id=None, org_wide=False):
    """/aicost 10000 users startup from `team`; the posted estimate's call."""
    status, body, _ = await bot.post(
        slash_command(
            "10000 users startup", team_id=team, channel=channel, enterprise_id=enterprise_id,
            org_wide=org_wide, response_url=slack.response_url(uuid.uuid4().hex),
        )
    )  # fmt: skip
    assert status == 200, body
    ts = await estimate_with_tips(slack, channel)
    (main,) = [c for c in posts(slack, channel) if c.response["ts"] == ts]
    return main


async def answer_in_thread(slack, ts, send) -> str:
    """The text of the bot's answer in the thread under `ts` to what `send` sends."""
    return text_of((await next_thread_reply(slack, ts, send)).args["blocks"])


# --- Slack Connect: a channel shared by two organisations ---------------------------------------


async def test_a_reply_from_the_other_organisation_continues_the_same_estimate(slack, bot):
    ours, theirs, channel = new_team(), new_team(), channel_id()
    ts = (await estimate(slack, bot, team=ours, channel=channel)).response["ts"]
    reply = thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=theirs)
    sent = event_envelope(reply, installed_team=ours, actor_team=theirs, shared=True)
    assert "users 10,000 → 50,000" in await answer_in_thread(slack, ts, bot.post(sent))


async def test_an_at_mention_from_the_other_organisation_diffs_against_the_thread(slack, bot):
    ours, theirs, channel = new_team(), new_team(), channel_id()
    ts = (await estimate(slack, bot, team=ours, channel=channel)).response["ts"]
    mention = {
        **thread_message("<@UBOT> what if 30k users?", channel=channel, thread_ts=ts, team=theirs),
        "type": "app_mention",
        "user_team": theirs,
        "source_team": theirs,
    }
    sent = event_envelope(mention, installed_team=ours, actor_team=theirs, shared=True)
    assert "users 10,000 → 30,000" in await answer_in_thread(slack, ts, bot.post(sent))


async def test_a_button_clicked_from_the_other_organisation_acts_on_the_same_scenario(slack, bot):
    ours, theirs, channel = new_team(), new_team(), channel_id()
    main = await estimate(slack, bot, team=ours, channel=channel)
    ts = main.response["ts"]
    value = estimate_buttons(main.args["blocks"])[Action.what_if_10x.value]
    # The click carries the clicker's own workspace as `team`, as Slack sends it.
    sent = block_actions(
        Action.what_if_10x.value, value, channel=channel, message_ts=ts, user_team=theirs,
        team=theirs, response_url=slack.response_url(uuid.uuid4().hex),
    )  # fmt: skip
    shown = await answer_in_thread(slack, ts, bot.post(sent))
    assert "users 10,000 → 100,000" in shown
    assert "no longer remember" not in shown


# --- org-wide installs (Enterprise Grid) ----------------------------------------------------------


async def test_buttons_work_on_an_org_wide_install_whose_payloads_have_no_team(slack, bot):
    org, workspace, channel = "E" + new_team()[1:], new_team(), channel_id()
    main = await estimate(
        slack, bot, team=workspace, channel=channel, enterprise_id=org, org_wide=True
    )
    ts = main.response["ts"]
    value = estimate_buttons(main.args["blocks"])[Action.apply_caching.value]
    sent = block_actions(
        Action.apply_caching.value, value, channel=channel, message_ts=ts,
        user_team=workspace, team=None, enterprise_id=org, org_wide=True,
        response_url=slack.response_url(uuid.uuid4().hex),
    )  # fmt: skip
    shown = await answer_in_thread(slack, ts, bot.post(sent))
    assert "can't reach my memory" not in shown and "no longer remember" not in shown
    assert "cache" in shown.lower()


async def test_a_thread_reply_on_an_org_wide_install_is_answered(slack, bot):
    org, workspace, channel = "E" + new_team()[1:], new_team(), channel_id()
    ts = (
        await estimate(
            slack, bot, team=workspace, channel=channel, enterprise_id=org, org_wide=True
        )
    ).response["ts"]
    reply = thread_message("what if 20k users?", channel=channel, thread_ts=ts, team=workspace)
    sent = event_envelope(
        reply, installed_team=workspace, enterprise_id=org, org_wide=True, actor_team=workspace
    )
    assert "users 10,000 → 20,000" in await answer_in_thread(slack, ts, bot.post(sent))


# --- a private estimate (the bot is not in the channel) ----------------------------------------


async def test_a_private_estimates_buttons_answer_privately_on_its_scenario(slack, bot):
    team, channel, name = new_team(), channel_id(), uuid.uuid4().hex
    slack.not_in_channel(channel)
    try:
        await bot.post(
            slash_command(
                "10000 users startup", team_id=team, channel=channel,
                response_url=slack.response_url(name),
            )
        )  # fmt: skip
        (private,) = await slack.wait_for_response(name)
        assert private.body["response_type"] == "ephemeral"
        value = estimate_buttons(private.body["blocks"])[Action.what_if_10x.value]
        click = uuid.uuid4().hex
        await bot.post(
            block_actions(
                Action.what_if_10x.value, value, channel=channel, message_ts=None,
                user_team=team, team=team, response_url=slack.response_url(click),
                ephemeral=True,
            )
        )  # fmt: skip
        (answer,) = await slack.wait_for_response(click)
    finally:
        slack.clear_channel(channel)
    shown = text_of(answer.body)
    assert "users 10,000 → 100,000" in shown
    assert answer.body["response_type"] == "ephemeral"
    assert answer.body.get("replace_original") is False  # the estimate stays above it
    assert "try again in a minute" not in shown.lower()
    # Its own buttons go on working from the answer (the same private key), on the updated
    # scenario, which they carry.
    again = estimate_buttons(answer.body["blocks"])[Action.what_if_10x.value]
    assert again.split("|")[0] == value.split("|")[0] and '"users":100000' in again


async def test_a_button_slack_will_not_let_me_answer_never_says_try_again(slack, bot):
    team, channel = new_team(), channel_id()
    main = await estimate(slack, bot, team=team, channel=channel)
    ts = main.response["ts"]
    slack.channel_not_found(channel)  # archived or deleted since: retrying cannot help
    name = uuid.uuid4().hex
    try:
        await bot.post(
            block_actions(
                Action.what_if_10x.value, estimate_buttons(main.args["blocks"])[Action.what_if_10x],
                channel=channel, message_ts=ts, user_team=team, team=team,
                response_url=slack.response_url(name),
            )
        )  # fmt: skip
        (told,) = await slack.wait_for_response(name)
    finally:
        slack.clear_channel(channel)
    assert "try again in a minute" not in text_of(told.body).lower()
    assert "/invite" in text_of(told.body)


# --- what counts as a follow-up in a thread -----------------------------------------------------


@pytest.mark.parametrize("subtype", ["thread_broadcast", "file_share"])
async def test_replies_also_sent_to_the_channel_or_with_a_file_are_follow_ups(slack, bot, subtype):
    team, channel = new_team(), channel_id()
    ts = (await estimate(slack, bot, team=team, channel=channel)).response["ts"]
    reply = thread_message(
        "what if 40k users?", channel=channel, thread_ts=ts, team=team, subtype=subtype
    )
    assert "users 10,000 → 40,000" in await answer_in_thread(
        slack, ts, bot.post(event_envelope(reply, installed_team=team))
    )


async def test_edits_deletions_joins_and_bot_messages_stay_ignored(slack, bot):
    team, channel = new_team(), channel_id()
    ts = (await estimate(slack, bot, team=team, channel=channel)).response["ts"]
    before = len(posts(slack, channel, ts))
    ignored = [
        changed_message(channel=channel, thread_ts=ts, team=team),
        deleted_message(channel=channel, thread_ts=ts),
        thread_message("<@U9> has joined", channel=channel, thread_ts=ts, team=team,
                       subtype="channel_join"),
        {**thread_message("what if 70k users?", channel=channel, thread_ts=ts, team=team),
         "bot_id": "BOTHER", "subtype": "bot_message"},
    ]  # fmt: skip
    for event in ignored:
        status, _, _ = await bot.post(event_envelope(event, installed_team=team))
        assert status == 200
    # A real question afterwards is answered, and it is the only answer.
    sent = event_envelope(
        thread_message("what if 60k users?", channel=channel, thread_ts=ts, team=team),
        installed_team=team,
    )
    assert "10,000 → 60,000" in await answer_in_thread(slack, ts, bot.post(sent))
    assert len(posts(slack, channel, ts)) == before + 1


# --- requests nobody handles, ssl_check ---------------------------------------------------------


async def test_ssl_check_is_answered_200(bot):
    status, _, _ = await bot.post(b"ssl_check=1&token=verification-token", signed=False)
    assert status == 200


async def test_a_command_or_shortcut_nobody_handles_gets_bolts_404_not_a_5xx(slack, bot):
    team = new_team()
    status, _, _ = await bot.post(
        slash_command("x", team_id=team, channel=channel_id(), command="/other",
                      response_url=slack.response_url("nobody"))
    )  # fmt: skip
    assert status == 404
    shortcut = {
        "type": "shortcut",
        "token": "verification-token",
        "action_ts": "1700000000.000001",
        "team": {"id": team, "domain": "t"},
        "user": {"id": "U1", "username": "alice", "team_id": team},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": "some_shortcut",
        "trigger_id": "1.2.3",
    }
    status, _, _ = await bot.post(urlencode({"payload": json.dumps(shortcut)}).encode())
    assert status == 404


# --- uninstall --------------------------------------------------------------------------------


async def _keys_of(redis_url: str, team: str) -> list[str]:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return [key async for key in redis.scan_iter(match=f"*{team}*")]
    finally:
        await redis.aclose()


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
async def test_uninstall_leaves_nothing_of_the_workspace_in_redis(slack, bot, redis_url, event):
    gone, stays = new_team(), new_team()
    for team in (gone, stays):
        channel = channel_id()
        ts = (await estimate(slack, bot, team=team, channel=channel)).response["ts"]
        sent = event_envelope(
            thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=team),
            installed_team=team,
        )
        await answer_in_thread(slack, ts, bot.post(sent))
    # Conversation, history, duplicate claims and rate-limit buckets were all written.
    written = await _keys_of(redis_url, gone)
    assert any(":bucket:" in key for key in written) and any(":claim:" in key for key in written)
    assert any(key.endswith(":estimates") for key in written)
    body = (
        app_uninstalled(team_id=gone)
        if event == "app_uninstalled"
        else tokens_revoked(team_id=gone)
    )
    status, _, _ = await bot.post(body)
    assert status == 200
    for _ in range(50):
        if not await _keys_of(redis_url, gone):
            break
        await asyncio.sleep(0.1)
    assert await _keys_of(redis_url, gone) == []
    assert await _keys_of(redis_url, stays) != []  # another workspace keeps everything
