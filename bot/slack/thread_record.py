"""What a thread in Slack says about itself: whose estimate starts it and the scenarios the bot
posted in it, read back when the store cannot say.

Every estimate the bot posts, in a channel or in a thread under it, closes with buttons whose
value carries whose estimate it is and the message's own scenario (bot/slack/button_value.py).
So the thread itself records its conversation: the scenarios in the order they were posted are
the state the store would hold, each earlier one a step `undo` goes back to. One
conversations.replies call, made only when the store's answer proves nothing (a thread in a
channel shared with another organisation, a replicated Redis that may have lost the save, a
read that failed): bot/slack/shared_threads.py decides when.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ConversationState
from bot.slack.button_value import ButtonValue, read_button_value, scenario_of
from bot.slack.ids import Action

log = logging.getLogger(__name__)

_OURS = frozenset(action.value for action in Action)
# Messages read of a thread rebuilt from Slack: one page. A longer thread is rebuilt from its
# first page (its later changes are lost, as they would be past HISTORY_LIMIT).
THREAD_PAGE = 200


@dataclass(frozen=True)
class ThreadRecord:
    """A thread started by one of the bot's estimates."""

    owner: str  # the workspace whose estimate starts it
    enterprise: str | None
    state: ConversationState | None  # its scenarios as posted; None when no button carried one


def stamp_of(message: dict[str, Any]) -> ButtonValue | None:
    """What a bot message's estimate buttons carry; None for any other message."""
    if not message.get("bot_id"):
        return None
    for block in message.get("blocks") or []:
        if block.get("type") != "actions":
            continue
        for element in block.get("elements") or []:
            if element.get("action_id") in _OURS:
                stamp = read_button_value(str(element.get("value") or ""))
                if stamp is not None:
                    return stamp
    return None


async def read_thread(
    client: AsyncWebClient, channel: str, thread_ts: str, whole: bool
) -> ThreadRecord | None:
    """The thread as Slack shows it; None when it is not one the bot started (or cannot be
    read). `whole`: its scenarios too, else only whose it is (its first message)."""
    try:
        response = await client.conversations_replies(
            channel=channel, ts=thread_ts, limit=THREAD_PAGE if whole else 1
        )
    except SlackApiError as exc:
        log.info("cannot read thread %s in %s: %s", thread_ts, channel, exc.response.get("error"))
        return None
    messages: list[dict[str, Any]] = response.get("messages") or []
    root = messages[0] if messages else {}
    stamp = stamp_of(root) if root.get("ts") == thread_ts else None
    if stamp is None or stamp.private_key is not None:
        return None
    return ThreadRecord(stamp.owner, stamp.enterprise, _state(messages) if whole else None)


def _state(messages: list[dict[str, Any]]) -> ConversationState | None:
    state: ConversationState | None = None
    for message in messages:
        stamp = stamp_of(message)
        scenario = scenario_of(stamp.scenario or "") if stamp is not None else None
        if scenario is None or (state is not None and state.scenario == scenario):
            continue
        state = (state or ConversationState()).moved_to(scenario)
    return state
