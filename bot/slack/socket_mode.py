"""Socket Mode: every envelope acknowledged, whether or not a listener wanted it.

Bolt's handler acknowledges only what a listener handled; an envelope nothing listens for (a
shortcut, an unknown command, view_closed, an event the app no longer handles) stays
unacknowledged and Slack sends it again, and again. Acknowledged empty, Slack lets it go.
"""

from __future__ import annotations

import logging
import time

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

log = logging.getLogger(__name__)


class AcknowledgingSocketModeHandler(AsyncSocketModeHandler):
    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time.time()
        try:
            response = await run_async_bolt_app(self.app, req)
        except Exception as exc:  # a shape Bolt could not read: still let Slack stop resending
            log.warning("could not handle a Socket Mode envelope: %s", type(exc).__name__)
            response = None
        if response is not None and response.status == 200:
            await send_async_response(client, req, response, start)
            return
        if response is not None:
            log.debug("no listener for a %s envelope (status %s)", req.type, response.status)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
