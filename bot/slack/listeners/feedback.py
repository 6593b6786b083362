"""Slack's feedback buttons under an estimate: counted per workspace (Home) and in /metrics."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.slack.conversation import Conversations
from bot.slack.identity import workspace_of
from bot.slack.ids import FEEDBACK_ACTION, Verdict
from bot.slack.messages.replies import info_message
from bot.slack.posting import respond
from bot.slack.store.protocols import StoreUnavailable
from bot.slack.where import Where

# One verdict per person and estimate is counted; a second click within this is not.
ONE_VOTE_SECONDS = 30 * 24 * 3600
THANKS = "Thanks: noted. The workspace's Home tab counts what people found useful."
ALREADY_COUNTED = "Your feedback on this estimate was already counted: one per person and estimate."


def register(app: AsyncApp) -> None:
    app.action(FEEDBACK_ACTION)(feedback)


async def feedback(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    await ack()
    try:
        verdict = Verdict(str(action.get("value") or ""))
    except ValueError:
        return  # not a value our buttons carry
    container = body.get("container") or {}
    where = Where(
        team=workspace_of(context),
        channel=container.get("channel_id") or "",
        user=(body.get("user") or {}).get("id", ""),
        response_url=body.get("response_url"),
    )
    message = str(container.get("message_ts") or "")
    once = f"click:{where.team}:{where.channel}:{message}:feedback:{where.user}"
    conversations.spawn(_count(conversations, where, verdict, once), "feedback", where)


async def _count(conversations: Conversations, where: Where, verdict: Verdict, once: str) -> None:
    metrics, webhooks = conversations.metrics, conversations.webhook_logger
    # Claimed here rather than by spawn, which drops a duplicate without a word: a second
    # click is told why it changed nothing.
    if not await conversations.stored.first_time(once, ONE_VOTE_SECONDS):
        metrics.requests.labels(kind="duplicate").inc()
        await respond(where, info_message(ALREADY_COUNTED), metrics, webhooks, None)
        return
    conversations.metrics.feedback.labels(verdict=verdict.value).inc()
    try:
        await conversations.store.count_feedback(where.team, verdict.value)
    except StoreUnavailable:
        conversations.metrics.redis_errors.inc()
    await respond(where, info_message(THANKS), metrics, webhooks, None)
