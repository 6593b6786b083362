"""Shareable estimate links in Slack: "Revoke link" under an estimate, a pasted link unfurled
as a Work Object card (link_shared -> chat.unfurl), and its flexpane (entity_details_requested
-> entity.presentDetails). A page is shown only to the workspace it belongs to."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import answers
from bot.slack.conversation import Conversations
from bot.slack.estimate_pages import PageState, SharedEstimate
from bot.slack.home_data import HomeTab
from bot.slack.identity import workspace_of
from bot.slack.ids import REVOKE_LINK_ACTION
from bot.slack.messages.page_link import (
    ALREADY_GONE,
    CANNOT_CHECK,
    NOT_ALLOWED,
    STORE_DOWN,
    revoked_blocks,
)
from bot.slack.messages.replies import error_message, info_message
from bot.slack.posting import respond
from bot.slack.store.protocols import StoreUnavailable
from bot.slack.unfurls import details_error, entity, unfurl_metadata
from bot.slack.where import Where

log = logging.getLogger(__name__)

MAX_UNFURLS = 5  # links of ours unfurled per message; Slack sends at most a few per event


def register(app: AsyncApp) -> None:
    app.action(REVOKE_LINK_ACTION)(revoke_link)
    app.event("link_shared")(link_shared)
    app.event("entity_details_requested")(details_requested)


async def revoke_link(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
    home_tab: HomeTab,
) -> None:
    await ack()
    container = body.get("container") or {}
    where = Where(
        team=workspace_of(context),
        channel=container.get("channel_id") or (body.get("channel") or {}).get("id") or "",
        user=(body.get("user") or {}).get("id", ""),
        response_url=body.get("response_url"),
    )
    page_id = str(action.get("value") or "")
    message = body.get("message") or {}
    work = _revoke(conversations, home_tab, client, where, page_id, message)
    conversations.spawn(work, "revoke_link", where)


async def _revoke(
    conversations: Conversations,
    home_tab: HomeTab,
    client: AsyncWebClient,
    where: Where,
    page_id: str,
    message: dict[str, Any],
) -> None:
    pages, post = conversations.pages, _Replies(conversations, where)
    try:
        page = await pages.find(page_id)
    except StoreUnavailable:
        await post.say(error_message(STORE_DOWN))
        return
    if page is None or page.team != where.team:
        await post.say(info_message(ALREADY_GONE))
        await _say_revoked(client, where, message, gone=True)  # not "revoked by" whoever clicked
        return
    if where.user != page.user:
        admin = await home_tab.is_admin(client, where.user)
        if admin is None:
            await post.say(error_message(CANNOT_CHECK))
            return
        if not admin:
            await post.say(info_message(NOT_ALLOWED))
            return
    if page.state is PageState.active:
        try:
            await pages.revoke(where.team, page_id)
        except StoreUnavailable:
            await post.say(error_message(STORE_DOWN))
            return
        log.info("an estimate page was revoked")
    await _say_revoked(client, where, message)


async def _say_revoked(
    client: AsyncWebClient, where: Where, message: dict[str, Any], gone: bool = False
) -> None:
    """The estimate's link replaced by who revoked it (or that it is `gone`), for everyone in
    the channel."""
    blocks, ts = message.get("blocks"), message.get("ts")
    if not blocks or not ts or not where.channel:
        return
    try:
        await client.chat_update(
            channel=where.channel,
            ts=str(ts),
            text=str(message.get("text") or "Estimate"),
            blocks=revoked_blocks(blocks, where.user, gone),
        )
    except SlackApiError as exc:
        log.warning("estimate not updated after revoking: %s", exc.response.get("error"))


class _Replies:
    """Private replies to whoever clicked (through the click's response_url)."""

    def __init__(self, conversations: Conversations, where: Where) -> None:
        self.conversations, self.where = conversations, where

    async def say(self, message: Any) -> None:
        c = self.conversations
        await respond(self.where, message, c.metrics, c.webhook_logger, None)


async def link_shared(
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    pages = conversations.pages
    ours = [
        (url, page_id)
        for link in event.get("links") or []
        if (url := str(link.get("url") or "")) and (page_id := pages.page_id_in(url))
    ][:MAX_UNFURLS]
    if not ours:
        return
    team = workspace_of(context)
    event_id = body.get("event_id")
    once = f"event:{team}:{event_id}" if event_id else None
    conversations.spawn(_unfurl(conversations, client, team, event, ours), "unfurl", None, once)


async def _unfurl(
    conversations: Conversations,
    client: AsyncWebClient,
    team: str,
    event: dict[str, Any],
    ours: list[tuple[str, str]],
) -> None:
    entities = []
    for url, page_id in ours:
        page = await _shown_to(conversations, team, page_id)
        if page is None:
            continue  # gone, revoked, or another workspace's: Slack shows the bare link
        h = await conversations.workers.run(answers.headline, page.scenario, page.overrides)
        page_url = conversations.pages.url(page_id)
        entities.append(entity(page_id, page_url, h, page.created_at, pasted=url))
    if not entities:
        return
    where: dict[str, Any] = (
        {"unfurl_id": event["unfurl_id"], "source": event["source"]}
        if event.get("unfurl_id") and event.get("source")
        else {"channel": event.get("channel"), "ts": event.get("message_ts")}
    )
    try:
        await client.chat_unfurl(**where, metadata=unfurl_metadata(entities))
    except SlackApiError as exc:
        log.warning("link not unfurled: %s", exc.response.get("error"))


async def details_requested(
    body: dict[str, Any],
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    trigger_id = str(event.get("trigger_id") or "")
    page_id = str((event.get("external_ref") or {}).get("id") or "")
    if not trigger_id or not page_id:
        return
    team = workspace_of(context)
    work = _present(conversations, client, team, page_id, trigger_id)
    conversations.spawn(work, "flexpane", None)


async def _present(
    conversations: Conversations, client: AsyncWebClient, team: str, page_id: str, trigger: str
) -> None:
    page = await _shown_to(conversations, team, page_id)
    try:
        if page is None:
            await client.entity_presentDetails(trigger_id=trigger, error=details_error())
            return
        try:
            h = await conversations.workers.run(answers.headline, page.scenario, page.overrides)
        except Exception:
            # The flexpane is told, not left loading until Slack gives up on it.
            log.exception("an estimate page's details could not be worked out")
            await client.entity_presentDetails(trigger_id=trigger, error=details_error())
            return
        url = conversations.pages.url(page_id)
        details = entity(page_id, url, h, page.created_at, full=True)
        await client.entity_presentDetails(trigger_id=trigger, metadata=details)
    except SlackApiError as exc:
        log.warning("flexpane not presented: %s", exc.response.get("error"))


async def _shown_to(conversations: Conversations, team: str, page_id: str) -> SharedEstimate | None:
    """The page when it is active and `team`'s own; None otherwise (or storage down)."""
    try:
        page = await conversations.pages.find(page_id)
    except StoreUnavailable:
        conversations.metrics.redis_errors.inc()
        return None
    if page is None or page.team != team or page.state is not PageState.active:
        return None
    return page
