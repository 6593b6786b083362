"""Slack's side of Socket Mode: apps.connections.open, the hello, envelopes out and acks in."""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar

from aiohttp import WSMsgType, web

from .base import ApiFamily
from .blockkit import MAX_MESSAGE_BLOCKS, block_problems
from .records import APP_ID, short

# Envelope types Slack delivers over Socket Mode that the app must acknowledge.
SOCKET_ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")


class SocketModeApi(ApiFamily):
    """Connections the app opened, what was pushed to it and what it acknowledged."""

    METHODS: ClassVar[dict[str, str]] = {
        "apps.connections.open": "_apps_connections_open",
    }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        # Slack answers a wss:// URL on its own hosts; this one stays on loopback.
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket={ticket}"}

    @property
    def socket_count(self) -> int:
        """How many Socket Mode connections are open right now."""
        return len(self._open_sockets())

    async def socket_connected(self, timeout: float = 5.0, count: int = 1) -> int:
        """Wait until at least ``count`` Socket Mode connections are open (hello sent).

        Returns how many are open; raises AssertionError with :meth:`summary` on timeout.
        """
        found = await self._poll(self._open_sockets, count, timeout, "Socket Mode connection")
        return len(found)

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], accepts_response_payload: bool = True
    ) -> str:
        """Push an envelope to the newest open connection, as Slack does; returns its id.

        ``kind`` is ``slash_commands``, ``interactive`` or ``events_api``; ``payload`` is the
        body Slack would have POSTed over HTTP, as a JSON object (an event_callback envelope,
        the slash command's fields, the interactivity payload).
        """
        if kind not in SOCKET_ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {SOCKET_ENVELOPE_TYPES}, got {kind!r}")
        sockets = self._open_sockets()
        if not sockets:
            raise AssertionError(f"no Socket Mode connection to send {kind} to\n{self.summary()}")
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update({"retry_attempt": 0, "retry_reason": ""})
        self.socket_envelopes.append(envelope)
        await sockets[-1].send_json(envelope)
        return envelope["envelope_id"]

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The app's acknowledgement of an envelope (``{"envelope_id": ..., "payload"?: ...}``)."""
        found = await self._poll(
            lambda: [a for a in self.socket_acks if a.get("envelope_id") == envelope_id],
            1,
            timeout,
            f"ack of envelope {envelope_id}",
        )
        return found[0]

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the newest connection to reconnect, like Slack does every few hours."""
        sockets = self._open_sockets()
        if not sockets:
            raise AssertionError("no Socket Mode connection to disconnect")
        await sockets[-1].send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}}
        )

    def _open_sockets(self) -> list[web.WebSocketResponse]:
        return [ws for ws in self._sockets if not ws.closed]

    def _record_socket_message(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            self.violations.append(f"socket: message is not JSON: {data[:200]!r}")
            return
        if not isinstance(message, dict) or not message.get("envelope_id"):
            self.violations.append(f"socket: message without envelope_id: {short(message)}")
            return
        envelope_id = message["envelope_id"]
        envelope = next((e for e in self.socket_envelopes if e["envelope_id"] == envelope_id), None)
        if envelope is None:
            self.violations.append(f"socket: ack of an envelope never sent: {envelope_id}")
        elif any(a.get("envelope_id") == envelope_id for a in self.socket_acks):
            self.violations.append(f"socket: envelope {envelope_id} acknowledged twice")
        payload = message.get("payload")
        if payload is not None and envelope is not None:
            if not envelope["accepts_response_payload"]:
                # Slack drops it: whatever the app meant to show is lost.
                self.violations.append(
                    f"socket: ack of {envelope['type']} {envelope_id} carries a payload "
                    "but the envelope does not accept one"
                )
            elif isinstance(payload, dict) and "blocks" in payload and self.validate:
                self.violations.extend(
                    block_problems(payload["blocks"], "socket ack", MAX_MESSAGE_BLOCKS)
                )
        self.socket_acks.append(message)

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid_auth")
        # autoping (the default) answers the client's pings with pongs, as Slack does.
        ws = web.WebSocketResponse(timeout=1.0)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="expected a websocket upgrade")
        await ws.prepare(request)
        # Slack greets every connection before sending it anything else.
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": self.socket_count + 1,
                "debug_info": {
                    "host": "fake-slack",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            }
        )
        self._sockets.append(ws)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._record_socket_message(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self.violations.append("socket: binary frame (Slack expects JSON text)")
        finally:
            self._sockets.remove(ws)
        return ws
