"""Slack's 3 s to acknowledge, counted from when a request arrived, not from when Bolt got to it.

On a loaded machine a request can wait in the event loop before its listener runs, and a listener
can wait on Redis after it started; Bolt stops waiting for an acknowledgement 3 s after the
listener started and then answers 404 ("unhandled request"), while the listener may still queue
the job. So the server stamps each request's arrival (RECEIVED_AT in the Bolt context), the
slash command's listener spends only what is left of ACK_BUDGET_SECONDS (and says it is busy
when nothing is), and a 404 Bolt makes of an acknowledgement that came late is replaced by that
acknowledgement: the person sees what was done, never a 404.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.ids import SLASH_COMMAND
from bot.slack.messages.replies import BUSY

RECEIVED_AT = "aicost_received_at"  # the Bolt context key: time.monotonic() at arrival
# What a listener may spend before acknowledging, from arrival: Slack allows 3 s for the round
# trip, its network and ours included.
ACK_BUDGET_SECONDS = 2.0
# How long the server waits for an acknowledgement Bolt gave up on: the listener bounds its own
# waits (ACK_BUDGET_SECONDS), so only a starved event loop makes it this late.
LATE_ACK_SECONDS = 5.0


def seconds_left(context: AsyncBoltContext | dict[str, Any]) -> float:
    """What is left of ACK_BUDGET_SECONDS for this request (all of it without a stamp: Socket
    Mode envelopes are acknowledged as they arrive, bot/slack/socket_mode.py)."""
    received = context.get(RECEIVED_AT)
    if received is None:
        return ACK_BUDGET_SECONDS
    return ACK_BUDGET_SECONDS - (time.monotonic() - float(received))


async def late_acknowledgement(request: AsyncBoltRequest, response: BoltResponse) -> BoltResponse:
    """`response`, unless it is the 404 Bolt answers when our command's listener acknowledged
    after Bolt's 3 s: then that acknowledgement, once it is made."""
    body = request.body
    ours = isinstance(body, dict) and body.get("command") == SLASH_COMMAND
    if response.status != 404 or not ours:
        return response
    ack = request.context.ack
    deadline = time.monotonic() + LATE_ACK_SECONDS
    while ack.response is None and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    if ack.response is None:  # still not: a sentence rather than Bolt's 404
        return BoltResponse(status=200, body={"text": BUSY})
    return ack.response
