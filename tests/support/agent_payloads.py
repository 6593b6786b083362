"""Events Slack sends an agent app about its Messages tab, shaped as in Slack's docs
(docs.slack.dev/reference/events/assistant_thread_started) and bolt-python's scenario tests
(tests/scenario_tests_async/test_events_assistant.py). Sign them like every other body."""

from __future__ import annotations

import time
from typing import Any

from tests.support.signing import TEAM_ID, event_callback_body, message_event, new_ts


def assistant_thread_body(
    kind: str,
    *,
    user: str,
    dm: str,
    thread_ts: str,
    context_channel: str = "C0CONTEXT1",
    team_id: str = TEAM_ID,
) -> bytes:
    """assistant_thread_started (a new chat) or assistant_thread_context_changed (the person
    looked at another channel beside it)."""
    event: dict[str, Any] = {
        "type": kind,
        "assistant_thread": {
            "user_id": user,
            "context": {"channel_id": context_channel, "team_id": team_id, "enterprise_id": None},
            "channel_id": dm,
            "thread_ts": thread_ts,
        },
        "event_ts": f"{time.time():.6f}",
    }
    return event_callback_body(event, team_id=team_id)


def chat_message(text: str, *, dm: str, user: str, thread_ts: str, team: str) -> dict[str, Any]:
    """A person's message in a chat of the Messages tab (message.im in its thread), as Slack
    sends it: the thread's root is the chat Slack started, the person its parent."""
    event = message_event(
        text, channel=dm, user=user, thread_ts=thread_ts, channel_type="im", team=team
    )
    event["parent_user_id"] = user
    return event


def dm_message(text: str, *, dm: str, user: str, team: str) -> dict[str, Any]:
    """A person's top-level message in the app's DM (message.im)."""
    return message_event(text, channel=dm, user=user, ts=new_ts(), channel_type="im", team=team)
