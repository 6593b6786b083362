"""The app's Messages tab as an agent (Slack's agent messaging experience, `agent_view`).

Opening the tab sets suggested prompts (a first estimate, a comparison, a break-even question:
assistant.threads.setSuggestedPrompts, with the DM's channel only, as Slack asks of agent apps);
a new chat there (assistant_thread_started) gets them for its thread. A message is a request like
`/aicost <text>`, answered in a thread (under it, or the chat's own): the estimate first, then its
tips and its chart, with the same buttons as in a channel; the thread is titled after what it
estimates (assistant.threads.setTitle). Replies in that thread are follow-ups
(bot/slack/conversation.py's thread_reply). "form", "forget", "chart", "export" and "help" do what
the slash command's words do. While the chart is drawn the thread shows a loading status
(assistant.threads.setStatus), cleared when the chart is up or skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ReplyKind
from bot.parsing import COMPARE_EXAMPLE, EXAMPLES
from bot.slack import answers
from bot.slack.estimate_pages import EstimatePages
from bot.slack.forgetting import forget_channel
from bot.slack.message import Message
from bot.slack.messages.replies import (
    error_message,
    form_button_message,
    greeting_message,
    help_message,
    hint_message,
    info_message,
)
from bot.slack.metrics import Metrics
from bot.slack.page_offer import offer_page
from bot.slack.posting import Posting
from bot.slack.slack_text import is_greeting
from bot.slack.step_ledger import StepLedger
from bot.slack.store.protocols import Store
from bot.slack.store_access import StoreAccess
from bot.slack.uploads import Uploads
from bot.slack.where import Where
from bot.slack.workers import Workers


class Conversations(Protocol):
    """What of bot/slack/conversation.py's Conversations a DM turn uses (it passes itself)."""

    metrics: Metrics
    webhook_logger: logging.Logger | None
    workers: Workers
    store: Store
    stored: StoreAccess
    uploads: Uploads
    pages: EstimatePages

    def later(self, work: Coroutine[Any, Any, None], kind: str) -> None: ...

    async def slowed_down(self, post: Posting, where: Where, in_thread: bool) -> bool: ...

    async def forget_jobs(self, team: str, channel: str | None = None) -> int: ...


log = logging.getLogger(__name__)

PROMPTS_TITLE = "Try one of these"
BREAK_EVEN_EXAMPLE = "when does self-hosting pay off for 100k users?"
SUGGESTED_PROMPTS = (
    {"title": "Estimate a prototype", "message": EXAMPLES[0]},
    {"title": "Compare options", "message": COMPARE_EXAMPLE},
    {"title": "When does self-hosting pay off?", "message": BREAK_EVEN_EXAMPLE},
)
CHART_STATUS = "is drawing the chart…"
UNDO_IN_THREAD = "“undo” and “reset” change one estimate: reply with them in its thread."
# Answers that count as an estimate against the fair-use limits (ratelimit.py).
CHARGED = frozenset(
    {
        ReplyKind.estimate,
        ReplyKind.comparison,
        ReplyKind.breakeven,
        ReplyKind.chart,
        ReplyKind.export,
    }
)


async def suggest_prompts(client: AsyncWebClient, channel: str, thread_ts: str = "") -> None:
    """The prompts the Messages tab offers (no thread_ts: an agent app's), or a new chat's (its
    thread_ts, as assistant_thread_started names it)."""
    thread = {"thread_ts": thread_ts} if thread_ts else {}
    await _assistant(
        client.assistant_threads_setSuggestedPrompts,
        "suggested prompts",
        channel_id=channel,
        title=PROMPTS_TITLE,
        prompts=list(SUGGESTED_PROMPTS),
        **thread,
    )


async def direct_message(
    conversations: Conversations,
    client: AsyncWebClient,
    where: Where,
    text: str,
    ts: str,
    ledger: StepLedger | None = None,
) -> None:
    """A request in the app's DM: answered in the thread of `ts` (the message's own, or the new
    chat it was written in)."""
    post = Posting(client, conversations.metrics, conversations.webhook_logger, ledger)
    thread = replace(where, thread_ts=ts, response_url=None)
    if is_greeting(text):
        await post.in_thread(thread, greeting_message(in_dm=True))
        return
    answer = await conversations.workers.run(
        answers.request, text, await conversations.stored.prices(where.team, post.job)
    )
    kind = answer.kind
    if kind in CHARGED and await conversations.slowed_down(post, thread, in_thread=True):
        return
    if kind is ReplyKind.estimate and answer.state.scenario is not None:
        main, *tips = answer.messages
        scenario = answer.state.scenario
        main = await offer_page(
            conversations.pages, conversations.stored, post, thread, main, scenario
        )
        await post.in_thread(thread, main)
        await _title(client, thread, main)
        entry = {"ts": ts, **(answer.summary or {}), "at": int(time.time()), "user": where.user}
        store = conversations.store
        await conversations.stored.save(
            lambda: store.save_conversation(where.team, where.channel, ts, answer.state, entry)
        )
        for tip in tips:
            await post.in_thread(thread, tip)
        chart = conversations.uploads.post_chart(post, thread, answer.state.scenario)
        conversations.later(_with_status(conversations, client, thread, chart), "chart")
    elif kind in (ReplyKind.comparison, ReplyKind.breakeven):
        message = answer.messages[0]
        if answer.options:  # a comparison: its chart follows below
            message = conversations.uploads.promising_chart(message, thread)
        await post.in_thread(thread, message)
        await _title(client, thread, message)
        if answer.options:
            chart = conversations.uploads.post_chart(post, thread, options=answer.options)
            conversations.later(_with_status(conversations, client, thread, chart), "chart")
    elif kind is ReplyKind.help:
        await post.in_thread(thread, help_message(in_dm=True))
    elif kind is ReplyKind.hint:
        await post.in_thread(thread, hint_message(answer.text))
    elif kind is ReplyKind.error:
        await post.in_thread(thread, error_message(answer.text))
    elif kind is ReplyKind.form:  # a message carries no trigger to open a modal with: a button
        await post.in_thread(thread, form_button_message())
    elif kind is ReplyKind.forget:
        await forget_channel(
            conversations.store, conversations.forget_jobs, conversations.metrics, post, thread
        )
    elif kind in (ReplyKind.chart, ReplyKind.export):  # the DM's latest estimate, here
        drawing = conversations.uploads.for_latest(post, where, kind, here=thread)
        if kind is ReplyKind.chart:
            drawing = _with_status(conversations, client, thread, drawing)
        await drawing
    else:  # undo, reset: they change one estimate, in its thread
        await post.in_thread(thread, info_message(UNDO_IN_THREAD))


async def _with_status(
    conversations: Conversations,
    client: AsyncWebClient,
    thread: Where,
    drawing: Coroutine[Any, Any, None],
) -> None:
    """`drawing` (a chart) with the thread's loading status shown meanwhile: set before, cleared
    after (Slack clears it when the chart is posted; a skipped chart posts nothing)."""
    if conversations.uploads.charts is None:  # CHARTS=off: nothing is drawn, nothing to wait on
        await drawing
        return
    await _status(client, thread, CHART_STATUS)
    try:
        await drawing
    finally:
        await _status(client, thread, "")


async def _status(client: AsyncWebClient, thread: Where, status: str) -> None:
    await _assistant(
        client.assistant_threads_setStatus,
        "status",
        channel_id=thread.channel,
        thread_ts=thread.thread_ts or "",
        status=status,
    )


async def _title(client: AsyncWebClient, thread: Where, answer: Message) -> None:
    """The thread titled after what it answers (the answer's header), as its chat history lists
    it."""
    first = answer.blocks[0] if answer.blocks else {}
    title = first.get("text", {}).get("text", "") if first.get("type") == "header" else ""
    if title:
        await _assistant(
            client.assistant_threads_setTitle,
            "title",
            channel_id=thread.channel,
            thread_ts=thread.thread_ts or "",
            title=title,
        )


async def _assistant(call: Callable[..., Awaitable[Any]], what: str, **args: Any) -> None:
    """An assistant.threads.* call; one Slack refuses (an app installed before assistant:write, a
    thread that is no chat) costs only what it sets."""
    try:
        await call(**args)
    except SlackApiError as exc:
        log.info("%s not set: %s", what, exc.response.get("error"))
