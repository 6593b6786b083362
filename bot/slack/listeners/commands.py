"""/aicost: acknowledged at once; the estimate (or form, help, hint) follows in the background."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations, Where
from bot.slack.identity import workspace_of
from bot.slack.ids import SLASH_COMMAND


def register(app: AsyncApp, conversations: Conversations) -> None:
    async def aicost(
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        conversations.metrics.requests.labels(kind="slash_command").inc()
        where = Where(
            team=workspace_of(context),
            enterprise=context.enterprise_id,
            channel=command.get("channel_id", ""),
            user=command.get("user_id", ""),
            response_url=command.get("response_url"),
        )
        work = conversations.slash_command(
            client, where, command.get("text") or "", command.get("trigger_id")
        )
        conversations.spawn(work, "slash_command", where)

    app.command(SLASH_COMMAND)(aicost)
