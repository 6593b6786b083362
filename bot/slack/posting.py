"""How a turn's messages reach Slack, each step of a queued job at most once.

Whether a post may happen again is decided by the `StepLedger` a `Posting` is given: the job
runner passes a queued job's ledger in; work done without the queue passes none and every post
happens as asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.button_value import button_value
from bot.slack.job import Job
from bot.slack.message import Message
from bot.slack.messages.buttons import with_button_value
from bot.slack.metrics import Metrics
from bot.slack.step_ledger import StepLedger
from bot.slack.web_session import blocks_to_send, post_message
from bot.slack.where import Where

log = logging.getLogger(__name__)

# What a queued job's post returns when it cannot tell whether an earlier delivery posted it.
STEP_UNKNOWN = ""

# Slack errors that mean "the bot cannot post here": answer privately instead.
NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


@dataclass(frozen=True)
class Posting:
    """One turn's way to Slack: its workspace's client, and the step ledger of the queued job
    the turn answers (None: not a queued job, so nothing to post at most once)."""

    client: AsyncWebClient
    metrics: Metrics
    webhook_logger: logging.Logger | None = None
    ledger: StepLedger | None = None

    @property
    def job(self) -> Job | None:
        """The queued job this turn answers, if any."""
        return self.ledger.job if self.ledger is not None else None

    async def post(self, where: Where, message: Message) -> str | None:
        """chat.postMessage; None where the bot can't post (the caller answers privately)."""
        message = stamped(message, where)
        try:
            return await self.chat_post(message, where.channel)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error not in NOT_IN_CHANNEL:
                raise
            log.info("cannot post in %s (%s); answering privately", where.channel, error)
            self.metrics.errors.labels(kind="not_in_channel").inc()
            return None

    async def in_thread(self, where: Where, message: Message) -> None:
        message = stamped(message, where)
        if where.private:
            await self.respond(where, message)
            return
        await self.chat_post(message, where.channel, where.thread_ts)

    async def chat_post(self, message: Message, channel: str, thread_ts: str | None = None) -> str:
        """chat.postMessage; the message's ts. For a queued job, at most once per step: a job
        delivered again posts only the steps neither its ledger nor Slack (each message carries
        its job and step in its metadata) shows as posted, and STEP_UNKNOWN when it cannot tell."""
        ledger = self.ledger
        if ledger is None:
            return await _posted(self.client, message, channel, thread_ts)
        step = ledger.next_step()
        try:
            earlier = await ledger.posted_earlier(self.client, channel, thread_ts, step)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("cannot tell whether step %s was posted: %s", step, slack_error(exc))
            return STEP_UNKNOWN  # at most once: not knowing, post nothing
        if earlier is not None:
            self.metrics.jobs.labels(event="step_skipped").inc()
            return earlier
        ts = await _posted(self.client, message, channel, thread_ts, ledger.metadata(step))
        ledger.done(step, ts)
        return ts

    async def respond(self, where: Where, message: Message) -> None:
        """A private reply through the response_url (see `respond`)."""
        await respond(where, message, self.metrics, self.webhook_logger, self.ledger)


async def respond(
    where: Where,
    message: Message,
    metrics: Metrics,
    webhook_logger: logging.Logger | None,
    ledger: StepLedger | None,
) -> None:
    """A private reply through the response_url (slash commands and buttons). For a queued
    job at most once: Slack keeps no record to look an unrecorded reply up in."""
    if not where.response_url:
        log.warning("no response_url to answer privately")
        return
    if ledger is not None:
        step = ledger.next_step()
        if not await ledger.claim(step):
            metrics.jobs.labels(event="step_skipped").inc()
            return
    webhook = AsyncWebhookClient(where.response_url, logger=webhook_logger)
    # A new private message, never a replacement of the one whose button was clicked.
    await webhook.send(
        text=message.text,
        blocks=message.blocks,
        response_type="ephemeral",
        replace_original=False,
    )
    if ledger is not None:
        ledger.done(step, "sent")


async def _posted(
    client: AsyncWebClient,
    message: Message,
    channel: str,
    thread_ts: str | None,
    metadata: dict[str, Any] | None = None,
) -> str:
    """chat.postMessage (by the short road, web_session.post_message); the message's ts."""
    response = await post_message(
        client,
        channel=channel,
        thread_ts=thread_ts,
        text=message.text,
        blocks=blocks_to_send(client, message),
        metadata=metadata,
    )
    return str(response["ts"])


def stamped(message: Message, where: Where) -> Message:
    """`message` with its buttons carrying whose estimate it is (bot/slack/button_value.py)."""
    value = button_value(where)
    return with_button_value(message, value) if value else message


def slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
