"""Thread replies and @mentions: follow-up questions on a remembered scenario."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations
from bot.slack.identity import installation_of
from bot.slack.job import Job
from bot.slack.slack_text import plain

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
    text = plain(event.get("text") or "", context.bot_user_id)
    job = _job("mention", context, body, text)
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
    top_level = not thread_ts or thread_ts == event.get("ts")
    if top_level and event.get("channel_type") != "im":
        return  # top-level chatter: only /aicost and @mentions start a conversation
    text = event.get("text") or ""
    if f"<@{context.bot_user_id}>" in text:
        return  # the app_mention event for the same message answers it
    text = plain(text, context.bot_user_id)
    if not text and event.get("subtype") == "file_share":
        return  # a file shared without a word: nothing was asked
    # In the app's DM (its Messages tab) a new message is a request of its own.
    kind = "direct_message" if top_level else "thread_reply"
    conversations.metrics.requests.labels(kind=kind).inc()
    job = _job(kind, context, body, text)
    await conversations.submit(job, once=_event_key(job, body))


def _job(kind: str, context: AsyncBoltContext, body: dict[str, Any], text: str) -> Job:
    event = body.get("event") or {}
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
        shared=bool(body.get("is_ext_shared_channel")),
    )


def _event_key(job: Job, body: dict[str, Any]) -> str | None:
    """Slack retries (X-Slack-Retry-Num) and redeliveries carry the same event_id."""
    event_id = body.get("event_id")
    return f"event:{job.team_id}:{event_id}" if event_id else None
