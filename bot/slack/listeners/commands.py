"""/aicost: acknowledged at once; the estimate (or form, help, hint) follows in the background."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.parsing import asks_for_form
from bot.slack.acknowledgement import seconds_left
from bot.slack.conversation import Conversations
from bot.slack.identity import installation_of
from bot.slack.ids import SLASH_COMMAND
from bot.slack.job import Job
from bot.slack.messages.replies import BUSY
from bot.slack.slack_text import plain
from bot.slack.where import job_where

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(aicost)


async def aicost(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    conversations.metrics.requests.labels(kind="slash_command").inc()
    job = Job(
        kind="slash_command",
        **installation_of(context),
        channel=command.get("channel_id", ""),
        user=command.get("user_id", ""),
        response_url=command.get("response_url"),
        text=plain(command.get("text") or ""),
    )
    # A command Slack sends again (its retry within 5 minutes, or a replayed request) carries
    # the same trigger_id: answered once.
    trigger_id = command.get("trigger_id")
    once = f"command:{job.team_id}:{trigger_id}" if trigger_id else None
    if asks_for_form(job.text):  # its trigger_id expires in 3 s: opened here, never queued
        await ack()
        work = conversations.slash_command(client, job_where(job), job.text, trigger_id)
        conversations.spawn(work, "slash_command", job_where(job), once)
        return
    left = seconds_left(context)
    if left <= 0:  # Slack gives up before the job could be recorded: not taken, and said so
        conversations.metrics.requests.labels(kind="busy").inc()
        log.warning("too busy to take a slash_command in time (%.1f s over)", -left)
        await ack(text=BUSY)
        return
    await conversations.submit(job, once, wait=left)  # recorded before the acknowledgement
    await ack()
