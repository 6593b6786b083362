"""Thread replies and @mentions: follow-up questions on a remembered scenario."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations
from bot.slack.jobs import Job


def register(app: AsyncApp, conversations: Conversations) -> None:
    async def mentioned(
        body: dict[str, Any],
        event: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        conversations.metrics.requests.labels(kind="mention").inc()
        bot_mention = f"<@{context.bot_user_id}>"
        text = (event.get("text") or "").replace(bot_mention, " ").strip()
        job = _job("mention", body, event, text)
        await conversations.submit(job, once=_event_key(body))

    async def message(
        body: dict[str, Any],
        event: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        # Edits, joins and other bots' messages are not questions; our own are ignored by Bolt.
        if event.get("subtype") or event.get("bot_id"):
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or thread_ts == event.get("ts"):
            return  # top-level chatter: only /aicost and @mentions start a conversation
        text = event.get("text") or ""
        if f"<@{context.bot_user_id}>" in text:
            return  # the app_mention event for the same message answers it
        conversations.metrics.requests.labels(kind="thread_reply").inc()
        job = _job("thread_reply", body, event, text)
        await conversations.submit(job, once=_event_key(body))

    app.event("app_mention")(mentioned)
    app.event("message")(message)


def _job(kind: str, body: dict[str, Any], event: dict[str, Any], text: str) -> Job:
    authorization = (body.get("authorizations") or [{}])[0]
    return Job(
        kind=kind,
        team_id=body.get("team_id") or event.get("team", ""),
        enterprise_id=body.get("enterprise_id") or authorization.get("enterprise_id"),
        is_enterprise_install=bool(authorization.get("is_enterprise_install")),
        channel=event.get("channel", ""),
        user=event.get("user", ""),
        thread_ts=event.get("thread_ts"),
        text=text,
        ts=event.get("ts", ""),
    )


def _event_key(body: dict[str, Any]) -> str | None:
    """Slack retries (X-Slack-Retry-Num) and redeliveries carry the same event_id."""
    event_id = body.get("event_id")
    return f"event:{body.get('team_id', '')}:{event_id}" if event_id else None
