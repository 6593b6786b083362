"""/aicost: acknowledged at once; the estimate (or form, help, hint) follows in the background."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations, opens_form
from bot.slack.identity import installation_of
from bot.slack.ids import SLASH_COMMAND
from bot.slack.job import Job
from bot.slack.where import job_where


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
        text=command.get("text") or "",
    )
    if opens_form(job.text):  # its trigger_id expires in 3 s: opened here, never queued
        await ack()
        work = conversations.slash_command(
            client, job_where(job), job.text, command.get("trigger_id")
        )
        conversations.spawn(work, "slash_command", job_where(job))
        return
    await conversations.submit(job)  # recorded before the acknowledgement
    await ack()
