"""Slack Connect: a thread's state belongs to the thread, whoever replies in it.

In a channel shared by two organisations that both installed the app, Slack delivers each event
for one of the installations. An estimate started by the other side (its `/aicost`, its
installation) is remembered under that installation; a reply delivered for ours finds nothing
under our own. The estimate itself says whose it is: its buttons carry the owner
(bot/slack/button_value.py), so on a miss in a shared channel the thread's first message is read
(conversations.replies, one call) and the state is taken from its owner.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ConversationState
from bot.slack.button_value import read_button_value
from bot.slack.ids import Action
from bot.slack.store.protocols import Store
from bot.slack.store_access import StoreAccess
from bot.slack.where import Where

log = logging.getLogger(__name__)

_OURS = frozenset(action.value for action in Action)


async def load_thread(
    store: Store, stored: StoreAccess, client: AsyncWebClient, where: Where, shared: bool
) -> tuple[ConversationState | None, Where]:
    """The thread's state and where it lives (`where`, or the owner's workspace in its place)."""
    thread_ts = where.thread_ts or ""
    state, _ = await stored.load(lambda: store.load_thread(where.team, where.channel, thread_ts))
    if state is not None or not shared or not thread_ts:
        return state, where
    owner = await _owner(client, where.channel, thread_ts)
    if owner is None or owner == where.team:
        return None, where
    state, _ = await stored.load(lambda: store.load_thread(owner, where.channel, thread_ts))
    if state is None:
        return None, where
    return state, replace(where, team=owner, enterprise=None)


async def _owner(client: AsyncWebClient, channel: str, thread_ts: str) -> str | None:
    """Whose estimate starts the thread, as its buttons say; None if it is no estimate of ours."""
    try:
        response = await client.conversations_replies(channel=channel, ts=thread_ts, limit=1)
    except SlackApiError as exc:
        log.info("cannot read thread %s in %s: %s", thread_ts, channel, exc.response.get("error"))
        return None
    messages: list[dict[str, Any]] = response.get("messages") or []
    root = messages[0] if messages else {}
    if not root.get("bot_id") or root.get("ts") != thread_ts:
        return None
    for block in root.get("blocks") or []:
        for element in block.get("elements") or [] if block.get("type") == "actions" else []:
            if element.get("action_id") in _OURS:
                stamp = read_button_value(str(element.get("value") or ""))
                if stamp is not None:
                    return stamp.owner
    return None
