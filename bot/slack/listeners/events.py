"""Thread replies and @mentions: follow-up questions on a remembered scenario."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations
from bot.slack.identity import installation_of
from bot.slack.job import Job

# Message subtypes that are a person writing in the thread (None: a plain message).
QUESTION_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def register(app: AsyncApp) -> None:
    app.event("app_mention")(mentioned)
    app.event("message")(message)


async def mentioned(
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    conversations.metrics.requests.labels(kind="mention").inc()
    bot_mention = f"<@{context.bot_user_id}>"
    text = (event.get("text") or "").replace(bot_mention, " ").strip()
    job = _job("mention", context, event, text)
    await conversations.submit(job, once=_event_key(job, body))


async def message(
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    # Edits, deletions, joins and other bots' messages are not questions (our own are ignored
    # by Bolt); a reply also sent to the channel, or with a file attached, is.
    if event.get("subtype") not in QUESTION_SUBTYPES or event.get("bot_id"):
        return
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts"):
        return  # top-level chatter: only /aicost and @mentions start a conversation
    text = event.get("text") or ""
    if f"<@{context.bot_user_id}>" in text:
        return  # the app_mention event for the same message answers it
    conversations.metrics.requests.labels(kind="thread_reply").inc()
    job = _job("thread_reply", context, event, text)
    await conversations.submit(job, once=_event_key(job, body))


def _job(kind: str, context: AsyncBoltContext, event: dict[str, Any], text: str) -> Job:
    return Job(
        kind=kind,
        # The installation's (for events, the `authorizations` entry): in a channel shared with
        # another organisation, a reply from either side continues the same conversation.
        **installation_of(context),
        channel=event.get("channel", ""),
        user=event.get("user", ""),
        thread_ts=event.get("thread_ts"),
        text=text,
        ts=event.get("ts", ""),
    )


def _event_key(job: Job, body: dict[str, Any]) -> str | None:
    """Slack retries (X-Slack-Retry-Num) and redeliveries carry the same event_id."""
    event_id = body.get("event_id")
    return f"event:{job.team_id}:{event_id}" if event_id else None
