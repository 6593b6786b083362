"""The app's Messages tab as an agent (Slack's agent messaging experience, `agent_view`).

Opening the tab sets suggested prompts (a first estimate, a comparison, a break-even question:
assistant.threads.setSuggestedPrompts, with the DM's channel only, as Slack asks of agent apps).
A message there is a request like `/aicost <text>`: answered in a thread under it, the estimate
first, then its tips and its chart, with the same buttons as in a channel; replies in that thread
are follow-ups (bot/slack/conversation.py's thread_reply). While the chart is drawn the thread
shows a loading status (assistant.threads.setStatus), which Slack clears when the chart is posted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine
from dataclasses import replace
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ReplyKind
from bot.parsing import COMPARE_EXAMPLE, EXAMPLES
from bot.slack import answers
from bot.slack.ids import SLASH_COMMAND
from bot.slack.messages.replies import (
    error_message,
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

    def later(self, work: Coroutine[Any, Any, None], kind: str) -> None: ...

    async def slowed_down(self, post: Posting, where: Where, in_thread: bool) -> bool: ...


log = logging.getLogger(__name__)

PROMPTS_TITLE = "Try one of these"
BREAK_EVEN_EXAMPLE = "when does self-hosting pay off for 100k users?"
SUGGESTED_PROMPTS = (
    {"title": "Estimate a prototype", "message": EXAMPLES[0]},
    {"title": "Compare options", "message": COMPARE_EXAMPLE},
    {"title": "When does self-hosting pay off?", "message": BREAK_EVEN_EXAMPLE},
)
CHART_STATUS = "is drawing the chart…"
ONLY_IN_CHANNELS = (
    f"That one works with {SLASH_COMMAND} in a channel; here, describe the scenario in words, "
    "or reply in an estimate's thread to change it."
)


async def suggest_prompts(client: AsyncWebClient, channel: str) -> None:
    """The Messages tab opened: the prompts it offers (no thread_ts: an agent app's)."""
    try:
        await client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, title=PROMPTS_TITLE, prompts=list(SUGGESTED_PROMPTS)
        )
    except SlackApiError as exc:  # an app installed before assistant:write: no prompts
        log.info("suggested prompts not set: %s", exc.response.get("error"))


async def direct_message(
    conversations: Conversations,
    client: AsyncWebClient,
    where: Where,
    text: str,
    ts: str,
    ledger: StepLedger | None = None,
) -> None:
    """A message in the app's DM: answered in a thread under it."""
    post = Posting(client, conversations.metrics, conversations.webhook_logger, ledger)
    thread = replace(where, thread_ts=ts, response_url=None)
    if is_greeting(text):
        await post.in_thread(thread, greeting_message())
        return
    answer = await conversations.workers.run(
        answers.request, text, await conversations.stored.prices(where.team, post.job)
    )
    kind = answer.kind
    charged = kind in (ReplyKind.estimate, ReplyKind.comparison, ReplyKind.breakeven)
    if charged and await conversations.slowed_down(post, thread, in_thread=True):
        return
    if kind is ReplyKind.estimate and answer.state.scenario is not None:
        main, *tips = answer.messages
        scenario = answer.state.scenario
        main = await offer_page(
            conversations.pages, conversations.stored, post, thread, main, scenario
        )
        await post.in_thread(thread, main)
        entry = {"ts": ts, **(answer.summary or {}), "at": int(time.time()), "user": where.user}
        store = conversations.store
        await conversations.stored.save(
            lambda: store.save_conversation(where.team, where.channel, ts, answer.state, entry)
        )
        for tip in tips:
            await post.in_thread(thread, tip)
        await _chart_status(client, thread)
        conversations.later(
            conversations.uploads.post_chart(post, thread, answer.state.scenario), "chart"
        )
    elif kind in (ReplyKind.comparison, ReplyKind.breakeven):
        await post.in_thread(thread, answer.messages[0])
        if answer.options:
            await _chart_status(client, thread)
            conversations.later(
                conversations.uploads.post_chart(post, thread, options=answer.options), "chart"
            )
    elif kind is ReplyKind.help:
        await post.in_thread(thread, help_message())
    elif kind is ReplyKind.hint:
        await post.in_thread(thread, hint_message(answer.text))
    elif kind is ReplyKind.error:
        await post.in_thread(thread, error_message(answer.text))
    else:  # the form, forget, chart/export of "the latest", undo, reset
        await post.in_thread(thread, info_message(ONLY_IN_CHANNELS))


async def _chart_status(client: AsyncWebClient, thread: Where) -> None:
    """The thread's loading status while the chart is drawn; cleared by the chart's post."""
    try:
        await client.assistant_threads_setStatus(
            channel_id=thread.channel, thread_ts=thread.thread_ts or "", status=CHART_STATUS
        )
    except SlackApiError as exc:
        log.info("status not set: %s", exc.response.get("error"))
