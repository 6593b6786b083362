"""A new chat in the app's Messages tab (assistant_thread_started) and the channel a person is
looking at beside it (assistant_thread_context_changed), as Slack sends them to an agent app."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.agent_messages import suggest_prompts
from bot.slack.conversation import Conversations
from bot.slack.identity import workspace_of
from bot.slack.where import Where


def register(app: AsyncApp) -> None:
    app.event("assistant_thread_started")(thread_started)
    app.event("assistant_thread_context_changed")(context_changed)


async def thread_started(
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    """A new chat: its suggested prompts (a first estimate, a comparison, a break-even
    question). The first message in it is answered in its thread (conversation.thread_reply)."""
    thread = event.get("assistant_thread") or {}
    channel, thread_ts = str(thread.get("channel_id") or ""), str(thread.get("thread_ts") or "")
    if not channel or not thread_ts:
        return  # nothing to set prompts on
    conversations.metrics.requests.labels(kind="chat_started").inc()
    where = Where(
        team=workspace_of(context),
        channel=channel,
        user=str(thread.get("user_id") or ""),
        thread_ts=thread_ts,
    )
    event_id = body.get("event_id")
    once = f"event:{where.team}:{event_id}" if event_id else None
    conversations.spawn(suggest_prompts(client, channel, thread_ts), "chat_started", where, once)


async def context_changed(event: dict[str, Any], conversations: Conversations) -> None:
    """The person looked at another channel with the chat open. Estimates are asked for in
    words, whatever channel is beside them, so nothing changes; acknowledged all the same (an
    event no listener takes is answered 404, which Slack counts as a failed delivery)."""
    conversations.metrics.requests.labels(kind="chat_context_changed").inc()
