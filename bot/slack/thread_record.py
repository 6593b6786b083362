"""What a thread in Slack says about itself: whose estimate or question starts it and the
scenarios (or questions) the bot posted in it, read back when the store cannot say.

Every estimate the bot posts, in a channel or in a thread under it, closes with buttons whose
value carries whose estimate it is and the message's own scenario (bot/slack/button_value.py).
So the thread itself records its conversation: the scenarios in the order they were posted are
the state the store would hold, each earlier one a step `undo` goes back to. A comparison's or
break-even's messages carry their question in their metadata (bot/slack/question_metadata.py)
in the same way: the latest is the thread's question, the ones before it what `undo` goes back
to. One
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

from bot.advisor import HISTORY_LIMIT, ConversationState, Question
from bot.slack.button_value import ButtonValue, read_button_value, scenario_of
from bot.slack.ids import Action
from bot.slack.question_metadata import question_in

log = logging.getLogger(__name__)

_OURS = frozenset(action.value for action in Action)
# Messages read of a thread rebuilt from Slack: one page. A longer thread is rebuilt from its
# first page (its later changes are lost, as they would be past HISTORY_LIMIT).
THREAD_PAGE = 200


@dataclass(frozen=True)
class ThreadRecord:
    """A thread started by one of the bot's estimates or questions."""

    owner: str  # the workspace whose estimate or question starts it
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
            channel=channel, ts=thread_ts, limit=THREAD_PAGE if whole else 1,
            include_all_metadata=True,  # a question's message carries it there
        )  # fmt: skip
    except SlackApiError as exc:
        log.info("cannot read thread %s in %s: %s", thread_ts, channel, exc.response.get("error"))
        return None
    messages: list[dict[str, Any]] = response.get("messages") or []
    root = messages[0] if messages else {}
    if root.get("ts") != thread_ts:
        return None
    asked = question_in(root)
    if asked is not None:
        owner = asked[0]
        state = _asked(messages) if whole else None
        return ThreadRecord(owner.owner, owner.enterprise, state)
    stamp = stamp_of(root)
    if stamp is None or stamp.private_key is not None:
        return None
    return ThreadRecord(stamp.owner, stamp.enterprise, _state(messages) if whole else None)


def _asked(messages: list[dict[str, Any]]) -> ConversationState | None:
    """A question's thread: its questions as posted, the latest current."""
    questions: list[Question] = []
    for message in messages:
        asked = question_in(message)
        if asked is not None and (not questions or questions[-1] != asked[1]):
            questions.append(asked[1])
    if not questions:
        return None
    *before, current = questions
    return ConversationState(question=current, asked_before=tuple(before[-HISTORY_LIMIT:]))


def _state(messages: list[dict[str, Any]]) -> ConversationState | None:
    state: ConversationState | None = None
    for message in messages:
        stamp = stamp_of(message)
        scenario = scenario_of(stamp.scenario or "") if stamp is not None else None
        if scenario is None or (state is not None and state.scenario == scenario):
            continue
        state = (state or ConversationState()).moved_to(scenario)
    return state
