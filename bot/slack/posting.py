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
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.button_value import button_value
from bot.slack.fitting import has_data_table, without_data_tables
from bot.slack.job import Job
from bot.slack.message import Message
from bot.slack.messages.buttons import with_button_value
from bot.slack.metrics import Metrics
from bot.slack.question_metadata import with_step
from bot.slack.step_ledger import StepLedger
from bot.slack.web_session import blocks_to_send, post_message
from bot.slack.where import Where

log = logging.getLogger(__name__)

# What a queued job's post returns when it cannot tell whether an earlier delivery posted it.
STEP_UNKNOWN = ""

# How a private reply is retried when no Web API client (whose retries it borrows) is at hand.
PRIVATE_REPLY_RETRIES: tuple[AsyncRetryHandler, ...] = (
    AsyncRateLimitErrorRetryHandler(max_retry_count=3),
    AsyncServerErrorRetryHandler(max_retry_count=2),
    AsyncConnectionErrorRetryHandler(max_retry_count=2),
)

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

    async def post(
        self, where: Where, message: Message, metadata: dict[str, Any] | None = None
    ) -> str | None:
        """chat.postMessage; None where the bot can't post (the caller answers privately).
        `metadata`: what it carries besides (a question: bot/slack/question_metadata.py)."""
        message = stamped(message, where)
        try:
            return await self.chat_post(message, where.channel, None, metadata)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error not in NOT_IN_CHANNEL:
                raise
            log.info("cannot post in %s (%s); answering privately", where.channel, error)
            self.metrics.errors.labels(kind="not_in_channel").inc()
            return None

    async def in_thread(
        self, where: Where, message: Message, metadata: dict[str, Any] | None = None
    ) -> None:
        message = stamped(message, where)
        if where.private:
            await self.respond(where, message)
            return
        await self.chat_post(message, where.channel, where.thread_ts, metadata)

    async def chat_post(
        self,
        message: Message,
        channel: str,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """chat.postMessage; the message's ts. For a queued job, at most once per step: a job
        delivered again posts only the steps neither its ledger nor Slack (each message carries
        its job and step in its metadata) shows as posted, and STEP_UNKNOWN when it cannot tell."""
        ledger = self.ledger
        if ledger is None:
            return await _posted(self.client, message, channel, thread_ts, metadata, self.metrics)
        step = ledger.next_step()
        try:
            earlier = await ledger.posted_earlier(self.client, channel, thread_ts, step)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("cannot tell whether step %s was posted: %s", step, slack_error(exc))
            return STEP_UNKNOWN  # at most once: not knowing, post nothing
        if earlier is not None:
            self.metrics.jobs.labels(event="step_skipped").inc()
            return earlier
        carried = with_step(metadata, ledger.metadata(step))
        ts = await _posted(self.client, message, channel, thread_ts, carried, self.metrics)
        ledger.done(step, ts)
        return ts

    async def reply(self, where: Where, message: Message) -> None:
        """An answer to the person who asked: privately through the response_url where Slack
        gave one (a command), else in `where`'s thread (a message in the app's DM has none)."""
        if where.response_url:
            await self.respond(where, message)
        else:
            await self.in_thread(where, message)

    async def respond(self, where: Where, message: Message) -> None:
        """A private reply through the response_url (see `respond`)."""
        await respond(where, message, self.metrics, self.webhook_logger, self.ledger, self.client)


async def respond(
    where: Where,
    message: Message,
    metrics: Metrics,
    webhook_logger: logging.Logger | None,
    ledger: StepLedger | None,
    client: AsyncWebClient | None = None,
) -> None:
    """A private reply through the response_url (slash commands and buttons). For a queued
    job at most once: Slack keeps no record to look an unrecorded reply up in. Slack answering
    429 or 5xx, or dropping the connection, is retried (after Retry-After, else with backoff);
    a reply that still fails is logged and, with a `client`, sent as an ephemeral message
    (chat.postEphemeral) in its channel instead."""
    if not where.response_url:
        log.warning("no response_url to answer privately")
        return
    if ledger is not None:
        step = ledger.next_step()
        if not await ledger.claim(step):
            metrics.jobs.labels(event="step_skipped").inc()
            return
    retries = client.retry_handlers if client is not None else PRIVATE_REPLY_RETRIES
    webhook = AsyncWebhookClient(
        where.response_url, logger=webhook_logger, retry_handlers=list(retries)
    )
    try:
        # A new private message, never a replacement of the one whose button was clicked.
        response = await webhook.send(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
        if _refused_tables(response.status_code == 400 and response.body, message, metrics):
            response = await webhook.send(
                text=message.text,
                blocks=without_data_tables(message.blocks),
                response_type="ephemeral",
                replace_original=False,
            )
        failure = None if response.status_code == 200 else f"HTTP {response.status_code}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        failure = type(exc).__name__
    outcome = "sent"
    if failure is not None:
        metrics.errors.labels(kind="response_url").inc()
        log.warning("a private reply in %s failed: %s", where.channel, failure)
        outcome = await _ephemeral(client, where, message)
    if ledger is not None:
        ledger.done(step, outcome)


async def _ephemeral(client: AsyncWebClient | None, where: Where, message: Message) -> str:
    """The private reply as an ephemeral message; how it went, for the step ledger."""
    if client is None or not where.channel or not where.user:
        return "failed"
    try:
        try:
            await client.chat_postEphemeral(
                channel=where.channel, user=where.user, text=message.text, blocks=message.blocks
            )
        except SlackApiError as exc:
            if not _refused_tables(exc.response.get("error"), message, None):
                raise
            await client.chat_postEphemeral(
                channel=where.channel,
                user=where.user,
                text=message.text,
                blocks=without_data_tables(message.blocks),
            )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("the ephemeral fallback in %s failed too: %s", where.channel, slack_error(exc))
        return "failed"
    log.info("a private reply in %s went out as an ephemeral message", where.channel)
    return "ephemeral"


async def _posted(
    client: AsyncWebClient,
    message: Message,
    channel: str,
    thread_ts: str | None,
    metadata: dict[str, Any] | None = None,
    metrics: Metrics | None = None,
) -> str:
    """chat.postMessage (by the short road, web_session.post_message); the message's ts. Where
    Slack refuses its data tables, posted once more with table blocks in their place."""
    args = {"channel": channel, "thread_ts": thread_ts, "text": message.text, "metadata": metadata}
    try:
        response = await post_message(client, blocks=blocks_to_send(client, message), **args)
    except SlackApiError as exc:
        if not _refused_tables(exc.response.get("error"), message, metrics):
            raise
        response = await post_message(client, blocks=without_data_tables(message.blocks), **args)
    return str(response["ts"])


async def posted_to(client: AsyncWebClient, message: Message, channel: str) -> tuple[str, str]:
    """chat.postMessage where the channel is a person (their DM with the app): the DM's id and
    the message's ts, which Slack's answer names (with a data table's fallback, as `_posted`)."""
    try:
        response = await client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks
        )
    except SlackApiError as exc:
        if not _refused_tables(exc.response.get("error"), message, None):
            raise
        response = await client.chat_postMessage(
            channel=channel, text=message.text, blocks=without_data_tables(message.blocks)
        )
    return str(response.get("channel") or ""), str(response.get("ts") or "")


def _refused_tables(error: object, message: Message, metrics: Metrics | None) -> bool:
    """True when Slack refused `message`'s blocks (`error`: its error code, or a response_url's
    answer) and they hold a data table: the one block an older Slack may not know. Then the
    message goes again without it (fitting.without_data_tables), never lost."""
    if not isinstance(error, str) or "invalid_blocks" not in error:
        return False
    encoded = message.encoded
    if encoded is not None and b'"type":"data_table"' not in encoded:
        return False
    if not has_data_table(message.blocks):
        return False
    log.info("Slack refused a data table; sending the message with a table block instead")
    if metrics is not None:
        metrics.errors.labels(kind="data_table_refused").inc()
    return True


def stamped(message: Message, where: Where) -> Message:
    """`message` with its buttons carrying whose estimate it is (bot/slack/button_value.py)."""
    value = button_value(where)
    return with_button_value(message, value) if value else message


def slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
