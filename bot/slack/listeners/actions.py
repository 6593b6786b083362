"""Buttons under an estimate: each acts on the scenario of the message it is on, in its thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.acknowledgement import seconds_left
from bot.slack.button_value import read_button_value
from bot.slack.conversation import Conversations
from bot.slack.identity import installation_of
from bot.slack.ids import Action
from bot.slack.job import Job
from bot.slack.where import job_where

DOUBLE_CLICK_SECONDS = 3


def register(app: AsyncApp) -> None:
    for action in Action:
        app.action(action.value)(button)


async def button(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    # The payload is read before the acknowledgement: Bolt loses the ack of a listener that
    # raises after it (a 404 three seconds later), so a malformed click must fail here.
    container = body.get("container") or {}
    message = body.get("message") or {}
    stamp = read_button_value(str(action.get("value") or ""))
    private_key = stamp.private_key if stamp else None
    private = bool(container.get("is_ephemeral")) and private_key is not None
    if private:
        # A private estimate has no message in the channel: its buttons carry the key its
        # scenario was remembered under, and Slack sends no `message` with the click.
        root = private_key
    else:
        # Buttons also sit under follow-up answers inside the thread: act on the root.
        root = message.get("thread_ts") or message.get("ts") or container.get("message_ts")
    job = Job(
        kind="button",
        # The estimate's owner (its buttons name it: see identity.owner_from_buttons).
        **installation_of(context),
        channel=(body.get("channel") or {}).get("id") or container.get("channel_id", ""),
        user=(body.get("user") or {}).get("id", ""),
        thread_ts=root,
        response_url=body.get("response_url"),
        private=private,
        action=action["action_id"],
        scenario=stamp.scenario or "" if stamp else "",
    )
    conversations.metrics.requests.labels(kind="button").inc()
    if not root or not job.channel:
        await ack()
        return
    # A click delivered twice, or a double click, answers once (per message: the same button
    # under another message of the thread is another question).
    clicked = message.get("ts") or container.get("message_ts") or root
    once = f"click:{job.team_id}:{job.channel}:{clicked}:{job.action}:{job.user}"
    if job.action == Action.edit_in_form.value:
        # Opens the form with the click's trigger_id, which expires in 3 s: never queued.
        await ack()
        where = job_where(job)
        work = conversations.button(
            client, where, Action.edit_in_form, body.get("trigger_id"), scenario=job.scenario
        )
        conversations.spawn(work, "button", where, once, once_seconds=DOUBLE_CLICK_SECONDS)
        return
    # Within what is left of Slack's 3 s (bot/slack/acknowledgement.py); past it, the click is
    # still taken, its recording unconfirmed (answered here if Redis did not record it).
    wait = seconds_left(context)
    await conversations.submit(job, once, once_seconds=DOUBLE_CLICK_SECONDS, wait=wait)
    await ack()
