"""Buttons under an estimate: each acts on that thread's stored scenario and answers there."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations, Where
from bot.slack.ids import Action

DOUBLE_CLICK_SECONDS = 3


def register(app: AsyncApp, conversations: Conversations) -> None:
    async def button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        # The payload is read before the acknowledgement: Bolt loses the ack of a listener that
        # raises after it (a 404 three seconds later), so a malformed click must fail here.
        container = body.get("container") or {}
        message = body.get("message") or {}
        # Buttons also sit under follow-up answers inside the thread: act on the thread's root.
        root = message.get("thread_ts") or message.get("ts") or container.get("message_ts")
        where = Where(
            team=(body.get("team") or {}).get("id", ""),
            channel=(body.get("channel") or {}).get("id") or container.get("channel_id", ""),
            user=(body.get("user") or {}).get("id", ""),
            thread_ts=root,
            response_url=body.get("response_url"),
        )
        await ack()
        conversations.metrics.requests.labels(kind="button").inc()
        if not root or not where.channel:
            return
        work = conversations.button(
            client, where, Action(action["action_id"]), body.get("trigger_id")
        )
        # A click delivered twice, or a double click, answers once.
        once = f"click:{where.team}:{where.channel}:{root}:{action['action_id']}:{where.user}"
        conversations.spawn(work, "button", where, once, once_seconds=DOUBLE_CLICK_SECONDS)

    for action in Action:
        app.action(action.value)(button)
