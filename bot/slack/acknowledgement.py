"""Slack's 3 s to acknowledge, counted from when a request arrived, not from when Bolt got to it.

On a loaded machine a request can wait in the event loop before its listener runs, and a listener
can wait on Redis after it started; Bolt stops waiting for an acknowledgement 3 s after the
listener started and then answers 404 ("unhandled request"), while the listener may still queue
the job. So the server stamps each request's arrival (RECEIVED_AT in the Bolt context), the
listeners that record a job before acknowledging wait on Redis only for what is left of
ACK_BUDGET_SECONDS (a slash command with nothing left is answered that the bot is busy, and not
taken), and a 404 Bolt makes of an acknowledgement that came late is replaced by that
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
ACKNOWLEDGING = "aicost_acknowledging"  # set by a listener that will acknowledge
# What a listener may spend before acknowledging, from arrival: Slack allows 3 s for the round
# trip, its network and ours included.
ACK_BUDGET_SECONDS = 2.0
# How long the server waits for an acknowledgement Bolt gave up on: the listener bounds its own
# waits (ACK_BUDGET_SECONDS), so only a starved event loop makes it this late.
LATE_ACK_SECONDS = 5.0


def seconds_left(context: AsyncBoltContext | dict[str, Any]) -> float:
    """What is left of ACK_BUDGET_SECONDS for this request (all of it without a stamp: Socket
    Mode envelopes are acknowledged as they arrive, bot/slack/socket_mode.py). Asking marks the
    request as one this listener will acknowledge, late if the event loop is starved, so the
    server waits for that rather than answer Bolt's 404."""
    context[ACKNOWLEDGING] = True
    received = context.get(RECEIVED_AT)
    if received is None:
        return ACK_BUDGET_SECONDS
    return ACK_BUDGET_SECONDS - (time.monotonic() - float(received))


async def late_acknowledgement(request: AsyncBoltRequest, response: BoltResponse) -> BoltResponse:
    """`response`, unless it is the 404 Bolt answers when a listener that records a job (it
    asked `seconds_left`) acknowledged after Bolt's 3 s: then that acknowledgement, once it is
    made. A request no listener matched keeps Bolt's 404."""
    if response.status != 404 or not request.context.get(ACKNOWLEDGING):
        return response
    ack = request.context.ack
    deadline = time.monotonic() + LATE_ACK_SECONDS
    while ack.response is None and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    if ack.response is not None:
        return ack.response
    body = request.body
    if isinstance(body, dict) and body.get("command") == SLASH_COMMAND:
        return BoltResponse(status=200, body={"text": BUSY})  # a sentence, not Bolt's 404
    return BoltResponse(status=200, body="")
