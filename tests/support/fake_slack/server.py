"""In-process fake of Slack's Web API for end-to-end tests.

Point slack_sdk at it with ``AsyncWebClient(base_url=await slack.start())`` (or via
``SLACK_API_URL``). Every call is recorded, responses follow the shapes in Slack's method
docs, Block Kit payloads are validated, and faults (errors, 429s, 5xx) can be injected.

    async with FakeSlack() as slack:
        client = slack.client()
        await client.chat_postMessage(channel="C1", text="hi")
        assert slack.calls_to("chat.postMessage")[0].args["text"] == "hi"
        assert slack.violations == []

It also plays Slack's side of Socket Mode: ``apps.connections.open`` (app token ``xapp-...``)
hands out a ``ws://`` URL on the same server, the fake says hello on connect, and tests push
envelopes to the connected app and read its acknowledgements:

    envelope_id = await slack.send_envelope("slash_commands", payload)
    ack = await slack.wait_for_ack(envelope_id)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSCloseCode, WSMsgType, web
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

TEAM_ID = "T1"
TEAM_DOMAIN = "aicost-test"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_NAME = "aicost"
APP_ID = "A0AICOST"
TEST_BOT_TOKEN = "xoxb-test-token"
TEST_APP_TOKEN = "xapp-1-test"
# An app-level token the fake refuses (invalid_auth), like a revoked one.
BAD_APP_TOKEN = "xapp-bad"
# Advertised in the x-oauth-scopes header, like Slack does; matches deploy/manifest.yml.
BOT_SCOPES = (
    "commands,chat:write,files:write,app_mentions:read,channels:history,groups:history,users:read"
)
# users.info flags that make a workspace admin or owner (see FakeSlack.make_admin).
ADMIN_ROLES = ("is_admin", "is_owner", "is_primary_owner")

# Limits from Slack's Block Kit reference.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MODAL_TITLE = 24
MAX_MESSAGE_TEXT = 40000
# Table block (docs.slack.dev/reference/block-kit/blocks/table-block): slack_sdk's TableBlock
# checks only that rows exist, so the fake checks the documented schema itself.
MAX_TABLE_ROWS = 100
MAX_TABLE_CELLS = 20
MAX_TABLES_PER_MESSAGE = 1
TABLE_CELL_TYPES = ("raw_text", "rich_text", "raw_number")
TABLE_ALIGNS = ("left", "center", "right")

# Form-encoded requests carry structured fields as JSON strings; decode them so tests see dicts.
_JSON_STRING_FIELDS = ("blocks", "attachments", "view", "metadata", "user_auth_blocks")
_RESPONSE_URL_KEY = "response_url"
# Web API methods called with the app-level token instead of the bot token.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
# Called with the app's client ID and secret (HTTP Basic), or with no credentials at all.
_CLIENT_SECRET_METHODS = frozenset({"oauth.v2.access"})
_NO_TOKEN_METHODS = frozenset({"api.test"})
# Envelope types Slack delivers over Socket Mode that the app must acknowledge.
SOCKET_ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")


@dataclass
class Call:
    """One Web API request as received, plus what the fake answered."""

    method: str
    args: dict[str, Any]
    # Header names are lower-cased so lookups don't depend on the client's spelling.
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] | None = None
    at: float = field(default_factory=time.perf_counter)  # when it arrived (benchmarks)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass
class ResponsePost:
    """One POST to a ``response_url`` handed out by :meth:`FakeSlack.response_url`."""

    name: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200


@dataclass
class _Fault:
    kind: str  # "error" | "ratelimit" | "server_error"
    remaining: int
    error: str = ""
    retry_after: int = 0
    status: int = 503


@dataclass
class Installed:
    """A workspace (or, org-wide, an organisation) that installed the app, and its bot."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    rotating: bool = False  # token rotation on: tokens expire and come with a refresh token
    expires_in: int = 43200  # seconds a rotating token lives (Slack's: 12 hours)


@dataclass
class UploadedFile:
    """A file shared by files.completeUploadExternal, with the bytes POSTed to its upload URL."""

    id: str
    filename: str
    title: str
    content: bytes
    channel: str
    thread_ts: str | None
    initial_comment: str
    alt_txt: str = ""
    at: float = field(default_factory=time.perf_counter)  # when it was shared (benchmarks)


@dataclass
class _Channel:
    not_found: bool = False
    not_in_channel: bool = False


class _ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class FakeSlack:
    """A local Slack Web API (``/api/<method>``) plus response_url sink (``/response/<name>``)."""

    def __init__(self, *, strict_message_ts: bool = False, validate: bool = True) -> None:
        # When strict, chat.update of a ts the fake never issued fails like Slack does
        # (message_not_found). Off by default so tests can click on hand-made payloads.
        self.strict_message_ts = strict_message_ts
        # Benchmarks turn Block Kit validation off so the fake's own CPU does not set the pace.
        self.validate = validate
        self.calls: list[Call] = []
        self.responses: list[ResponsePost] = []
        self.violations: list[str] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._channels: dict[str, _Channel] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._delays: dict[str, float] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._admin_roles: dict[str, str] = {}  # user -> one of ADMIN_ROLES
        self._last_micros = 0
        self._id_counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        # Socket Mode: what was pushed to the app, what it answered, who is connected.
        self.socket_envelopes: list[dict[str, Any]] = []
        self.socket_acks: list[dict[str, Any]] = []
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        # OAuth: who each bot token belongs to, codes awaiting oauth.v2.access, refresh tokens.
        self.installs: dict[str, Installed] = {TEST_BOT_TOKEN: Installed(TEAM_ID)}
        self._codes: dict[str, Installed] = {}
        self._refresh_tokens: dict[str, Installed] = {}
        self.revoked: set[str] = set()
        self._caller_token = ""
        # Files: what the bot's token may do (advertised in x-oauth-scopes, checked by the files
        # methods), uploads awaiting completion (file_id -> filename, length, bytes), and files
        # shared, in order.
        self.scopes: list[str] = BOT_SCOPES.split(",")
        self._uploads: dict[str, dict[str, Any]] = {}
        self.files: list[UploadedFile] = []

    # ------------------------------------------------------------------- OAuth

    def will_install(
        self,
        team_id: str | None,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
        rotating: bool = False,
        expires_in: int = 43200,
    ) -> str:
        """The code Slack hands the browser after an admin approves the install."""
        code = f"code-{uuid.uuid4().hex[:12]}"
        self._codes[code] = Installed(
            team_id, enterprise_id, org_wide, rotating=rotating, expires_in=expires_in
        )
        return code

    def token_of(self, team_or_enterprise: str) -> str:
        """The current bot token of a workspace (or organisation, org-wide)."""
        for token, installed in reversed(self.installs.items()):
            owner = installed.enterprise_id if installed.org_wide else installed.team_id
            if owner == team_or_enterprise and token not in self.revoked:
                return token
        raise KeyError(team_or_enterprise)

    def expire(self, token: str) -> None:
        """A rotating token past its expiry: Slack refuses it (token_expired)."""
        self.revoked.add(token)

    def _new_bot_token(self, installed: Installed) -> str:
        owner = installed.enterprise_id if installed.org_wide else installed.team_id
        secret = uuid.uuid4().hex[:16]
        token = f"xoxe.xoxb-1-{owner}-{secret}" if installed.rotating else f"xoxb-{owner}-{secret}"
        self.installs[token] = installed
        return token

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("grant_type") == "refresh_token":
            installed = self._refresh_tokens.pop(args.get("refresh_token", ""), None)
            if installed is None:
                raise _ApiError("invalid_refresh_token")
        else:
            installed = self._codes.pop(args.get("code", ""), None)
            if installed is None:
                raise _ApiError("invalid_code")
        token = self._new_bot_token(installed)
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "U1"},
            "scope": BOT_SCOPES,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": installed.bot_user_id,
            "team": None if installed.org_wide else {"id": installed.team_id, "name": "Team"},
            "enterprise": (
                {"id": installed.enterprise_id, "name": "Org"} if installed.enterprise_id else None
            ),
            "is_enterprise_install": installed.org_wide,
        }
        if installed.rotating:
            refresh = f"xoxe-1-{uuid.uuid4().hex[:20]}"
            self._refresh_tokens[refresh] = installed
            answer.update({"refresh_token": refresh, "expires_in": installed.expires_in})
        return answer

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> str:
        """Bind to a free port on 127.0.0.1 and return the API base URL (ends in ``/api/``)."""
        if self._runner is not None:
            return self.base_url
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/socket", self._handle_socket)
        # Short shutdown timeout: tests should not wait a minute for idle keep-alives.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        return self.base_url

    async def stop(self) -> None:
        # Close Socket Mode connections first: a handler blocked in receive() would otherwise
        # hold up the runner's shutdown.
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake Slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started; call await start() first")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``SLACK_API_URL`` / ``AsyncWebClient(base_url=...)``."""
        return f"{self.root_url}/api/"

    def response_url(self, name: str) -> str:
        """A response_url whose POSTs land in :attr:`responses` under ``name``."""
        return f"{self.root_url}/response/{name}"

    def client(self, token: str = TEST_BOT_TOKEN, **kwargs: Any) -> AsyncWebClient:
        """An AsyncWebClient already pointed at this fake."""
        return AsyncWebClient(token=token, base_url=self.base_url, **kwargs)

    # ------------------------------------------------------------- inspection

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def responses_to(self, name: str) -> list[ResponsePost]:
        return [r for r in self.responses if r.name == name]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Current state of every message posted via chat.postMessage (after chat.update)."""
        return list(self._messages.values())

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return self._messages.get((channel, ts))

    def reset(self) -> None:
        """Forget recordings and pending faults (keeps the server running)."""
        self.calls.clear()
        self.responses.clear()
        self.violations.clear()
        self._faults.clear()
        self._channels.clear()
        self.socket_envelopes.clear()
        self.socket_acks.clear()
        self.scopes = BOT_SCOPES.split(",")

    def summary(self) -> str:
        """Human-readable dump of everything recorded; used in assertion messages."""
        lines = [f"{len(self.calls)} API call(s):"]
        for c in self.calls:
            outcome = "ok" if c.ok else (c.response or {}).get("error", "")
            lines.append(f"  {c.method} -> {c.status} {outcome} {_short(c.args)}")
        lines.append(f"{len(self.responses)} response_url POST(s):")
        for r in self.responses:
            lines.append(f"  {r.name} -> {r.status} {_short(r.body)}")
        if self.socket_envelopes or self.socket_acks:
            lines.append(
                f"Socket Mode: {self.socket_count} connection(s), "
                f"{len(self.socket_envelopes)} envelope(s) sent:"
            )
            acked = {a.get("envelope_id") for a in self.socket_acks}
            for e in self.socket_envelopes:
                state = "acked" if e["envelope_id"] in acked else "NOT acked"
                lines.append(f"  {e['type']} {e['envelope_id']} {state} {_short(e['payload'])}")
        if self.violations:
            lines.append("violations:")
            lines.extend(f"  {v}" for v in self.violations)
        return "\n".join(lines)

    async def wait_for(
        self,
        what: str | Callable[[Call], bool],
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Poll until ``count`` calls match (a method name or a ``Call`` predicate).

        Returns the matching calls; raises AssertionError with :meth:`summary` on timeout.
        Needed because bolt runs listeners after ack() in background tasks.
        """
        if isinstance(what, str):
            method = what

            def predicate(c: Call) -> bool:
                return c.method == method

            desc = method
        else:
            predicate, desc = what, getattr(what, "__name__", "predicate")
        return await self._poll(
            lambda: [c for c in self.calls if predicate(c)], count, timeout, desc
        )

    def files_in(self, channel: str, thread_ts: str | None = None) -> list[UploadedFile]:
        return [
            f
            for f in self.files
            if f.channel == channel and (thread_ts is None or f.thread_ts == thread_ts)
        ]

    async def wait_for_files(
        self, channel: str, thread_ts: str | None = None, count: int = 1, timeout: float = 15.0
    ) -> list[UploadedFile]:
        """Poll until ``count`` files are shared in the channel (or thread)."""
        return await self._poll(
            lambda: self.files_in(channel, thread_ts), count, timeout, f"files in {channel}"
        )

    async def wait_for_response(
        self, name: str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[ResponsePost]:
        """Like :meth:`wait_for` for response_url POSTs (any name when ``name`` is None)."""
        return await self._poll(
            lambda: [r for r in self.responses if name is None or r.name == name],
            count,
            timeout,
            f"response_url {name or '*'}",
        )

    async def _poll(
        self, collect: Callable[[], list[Any]], count: int, timeout: float, desc: str
    ) -> list[Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = collect()
            if len(found) >= count:
                return found
            if loop.time() >= deadline:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} x {desc} "
                    f"(got {len(found)})\n{self.summary()}"
                )
            await asyncio.sleep(0.01)

    # --------------------------------------------------------- fault injection

    def fail_next(self, method: str, error: str = "not_in_channel", times: int = 1) -> None:
        """Next ``times`` calls to ``method`` answer HTTP 200 ``{"ok": false, "error": error}``.

        ``method`` may be ``"*"`` (any method) or ``"response_url"`` (answers 404 ``error``).
        """
        self._add_fault(method, _Fault("error", times, error=error))

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Next ``times`` calls answer HTTP 429 with ``Retry-After`` and ``ratelimited``."""
        self._add_fault(method, _Fault("ratelimit", times, retry_after=retry_after))

    def server_error_next(self, method: str, status: int = 503, times: int = 1) -> None:
        """Next ``times`` calls answer ``status`` with an HTML body, like Slack's edge does."""
        self._add_fault(method, _Fault("server_error", times, status=status))

    def channel_not_found(self, channel_id: str) -> None:
        """All chat.* writes to (and conversations.info of) the channel fail until cleared."""
        self._channels.setdefault(channel_id, _Channel()).not_found = True

    def not_in_channel(self, channel_id: str) -> None:
        """All chat.* writes to the channel fail with not_in_channel until cleared."""
        self._channels.setdefault(channel_id, _Channel()).not_in_channel = True

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer `method` `seconds` late (after doing it); 0 restores prompt answers."""
        self._delays[method] = seconds

    def clear_faults(self) -> None:
        """Drop every fault injected and not yet used."""
        self._faults.clear()

    def make_admin(self, user_id: str, role: str = "is_admin") -> None:
        """users.info reports the user as a workspace admin (or owner, primary owner)."""
        if role not in ADMIN_ROLES:
            raise ValueError(f"role must be one of {ADMIN_ROLES}")
        self._admin_roles[user_id] = role

    def clear_channel(self, channel_id: str) -> None:
        self._channels.pop(channel_id, None)

    def _add_fault(self, key: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be >= 1")
        self._faults.setdefault(key, deque()).append(fault)

    def _take_fault(self, key: str) -> _Fault | None:
        # Faults fire in the order they were queued; a specific method wins over "*".
        for k in (key, "*"):
            queue = self._faults.get(k)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
                return fault
        return None

    # ------------------------------------------------------------- Socket Mode

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
            self.violations.append(f"socket: message without envelope_id: {_short(message)}")
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
                    self._block_problems(payload["blocks"], "socket ack", MAX_MESSAGE_BLOCKS)
                )
        self.socket_acks.append(message)

    # --------------------------------------------------------------- HTTP layer

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            args = await _read_args(request)
        except ValueError as exc:
            call = Call(method, {}, headers)
            self.calls.append(call)
            return self._answer(call, {"ok": False, "error": "invalid_json", "detail": str(exc)})
        call = Call(method, args, headers)
        self.calls.append(call)

        # Handlers run synchronously, so the caller's token can sit here for them to read.
        self._caller_token = headers.get("authorization", "").removeprefix("Bearer ")
        handler = self._methods().get(method)
        if handler is None:
            return self._answer(call, {"ok": False, "error": "unknown_method"})
        auth = headers.get("authorization", "")
        if method in _NO_TOKEN_METHODS:
            pass
        elif method in _CLIENT_SECRET_METHODS:
            if not auth.startswith("Basic ") and not args.get("client_secret"):
                return self._answer(call, {"ok": False, "error": "invalid_client_id"})
        elif not auth:
            return self._answer(call, {"ok": False, "error": "not_authed"})
        elif auth.removeprefix("Bearer ") in self.revoked:
            return self._answer(call, {"ok": False, "error": "token_expired"})
        elif method in _APP_TOKEN_METHODS:
            if not auth.startswith("Bearer xapp-") or auth == f"Bearer {BAD_APP_TOKEN}":
                return self._answer(call, {"ok": False, "error": "invalid_auth"})
        elif not auth.startswith(("Bearer xoxb-", "Bearer xoxe.xoxb-")):
            return self._answer(call, {"ok": False, "error": "invalid_auth"})

        fault = self._take_fault(method)
        if fault is not None:
            if fault.kind == "ratelimit":
                return self._answer(
                    call,
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    extra_headers={"Retry-After": str(fault.retry_after)},
                )
            if fault.kind == "server_error":
                call.status = fault.status
                return web.Response(
                    status=fault.status,
                    text=f"<html><body>{fault.status} Service Unavailable</body></html>",
                    content_type="text/html",
                )
            return self._answer(call, {"ok": False, "error": fault.error})

        try:
            payload = handler(args)
        except _ApiError as err:
            payload = {"ok": False, "error": err.error, **err.extra}
        delay = self._delays.get(method)
        if delay:  # done on Slack's side, the answer still on its way: a caller may die meanwhile
            await asyncio.sleep(delay)
        return self._answer(call, payload)

    def _answer(
        self,
        call: Call,
        payload: dict[str, Any],
        status: int = 200,
        extra_headers: dict[str, str] | None = None,
    ) -> web.Response:
        call.status, call.response = status, payload
        headers = {"x-oauth-scopes": ",".join(self.scopes), **(extra_headers or {})}
        return web.json_response(payload, status=status, headers=headers)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        headers = {k.lower(): v for k, v in request.headers.items()}
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_raw": raw.decode(errors="replace")}
        post = ResponsePost(name, body if isinstance(body, dict) else {"_raw": body}, headers)
        self.responses.append(post)

        fault = self._take_fault(_RESPONSE_URL_KEY)
        if fault is not None:
            if fault.kind == "ratelimit":
                post.status = 429
                return web.Response(
                    status=429, text="rate_limited", headers={"Retry-After": str(fault.retry_after)}
                )
            post.status = fault.status if fault.kind == "server_error" else 404
            return web.Response(status=post.status, text=fault.error or "server_error")

        # Slack answers response_url POSTs with plain "ok" or a 4xx naming the problem.
        if "blocks" in post.body and self._invalid(
            self._block_problems(post.body["blocks"], f"response/{name}", MAX_MESSAGE_BLOCKS)
        ):
            post.status = 400
            return web.Response(status=400, text="invalid_blocks")
        if not any(k in post.body for k in ("text", "blocks", "attachments", "delete_original")):
            post.status = 400
            return web.Response(status=400, text="no_text")
        return web.Response(text="ok")

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

    # ------------------------------------------------------------ API methods

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "api.test": lambda args: {"ok": True, "args": args},
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "chat.getPermalink": self._chat_get_permalink,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # ------------------------------------------------------------------ files

    def _needs_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise _ApiError("missing_scope", needed=scope, provided=",".join(self.scopes))

    def _files_get_upload_url_external(self, args: dict[str, Any]) -> dict[str, Any]:
        self._needs_scope("files:write")
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or 0)
        except ValueError:
            length = 0
        if not filename or length <= 0:
            raise _ApiError("invalid_arguments")
        file_id = self._next_id("F")
        self._uploads[file_id] = {
            "filename": filename,
            "length": length,
            "content": None,
            "alt_txt": str(args.get("alt_txt") or ""),
        }
        return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """Step two of files_upload_v2: the bytes, POSTed to the URL handed out above."""
        upload = self._uploads.get(request.match_info["file_id"])
        body = await request.read()
        if upload is None:
            return web.Response(status=404, text="unknown upload")
        if len(body) != upload["length"]:
            return web.Response(status=400, text="length does not match")
        upload["content"] = body
        return web.Response(text=f"OK - {len(body)}")

    def _files_complete_upload_external(self, args: dict[str, Any]) -> dict[str, Any]:
        self._needs_scope("files:write")
        raw = args.get("files")
        files = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(files, list) or not files:
            raise _ApiError("invalid_arguments")
        channel = str(args.get("channel_id") or "")
        if channel:
            self._writable_channel({"channel": channel})
        shared = []
        for entry in files:
            upload = self._uploads.get(str(entry.get("id")))
            if upload is None or upload["content"] is None:
                raise _ApiError("file_not_found")
            shared.append(
                UploadedFile(
                    id=str(entry["id"]),
                    filename=upload["filename"],
                    title=str(entry.get("title") or upload["filename"]),
                    content=upload["content"],
                    channel=channel,
                    thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
                    initial_comment=str(args.get("initial_comment") or ""),
                    alt_txt=upload["alt_txt"],
                )
            )
        for f in shared:
            del self._uploads[f.id]
        self.files.extend(shared)
        return {"ok": True, "files": [{"id": f.id, "title": f.title} for f in shared]}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        # Slack answers a wss:// URL on its own hosts; this one stays on loopback.
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket={ticket}"}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        installed = self.installs.get(self._caller_token, Installed(TEAM_ID))
        answer: dict[str, Any] = {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "aicost test",
            "user": BOT_NAME,
            "team_id": installed.team_id,
            "user_id": installed.bot_user_id,
            "bot_id": installed.bot_id,
            "is_enterprise_install": installed.org_wide,
        }
        if installed.enterprise_id:
            answer["enterprise_id"] = installed.enterprise_id
        return answer

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        self._check_message_content(args, "chat.postMessage")
        ts = self._next_ts()
        message = self._message(args, ts)
        self._messages[(channel, ts)] = {**message, "channel": channel}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._writable_channel(args)
        if not args.get("user"):
            raise _ApiError("user_not_in_channel")
        self._check_message_content(args, "chat.postEphemeral")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        ts = str(args.get("ts") or "")
        if not ts:
            raise _ApiError("message_not_found")
        existing = self._messages.get((channel, ts))
        if existing is None and self.strict_message_ts:
            raise _ApiError("message_not_found")
        self._check_message_content(args, "chat.update")
        message = self._message(args, ts)
        message.pop("thread_ts", None)
        if existing is not None:
            # Keep thread placement; fields left out (e.g. blocks) are retained, as in Slack.
            message = {
                **existing,
                **message,
                "edited": {"user": BOT_USER_ID, "ts": self._next_ts()},
            }
            self._messages[(channel, ts)] = message
            message = {k: v for k, v in message.items() if k != "channel"}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "message": message,
        }

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            raise _ApiError("invalid_arguments", response_metadata=_meta("trigger_id is required"))
        view = self._checked_view(args, "views.open", expected_type="modal")
        view_id = self._next_id("V")
        return {"ok": True, "view": self._store_view(view, view_id)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise _ApiError("invalid_arguments", response_metadata=_meta("view_id is required"))
        if not view_id:
            view_id = next(
                (vid for vid, v in self._views.items() if v.get("external_id") == external_id),
                None,
            )
            if view_id is None:
                raise _ApiError("not_found")
        view = self._checked_view(args, "views.update")
        stored = self._views.get(view_id)
        # Slack rejects stale updates when the caller passes the hash it last saw.
        if stored is not None and args.get("hash") and args["hash"] != stored["hash"]:
            raise _ApiError("hash_conflict")
        root = stored["root_view_id"] if stored else view_id
        return {"ok": True, "view": self._store_view(view, view_id, root_view_id=root)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            raise _ApiError("invalid_arguments", response_metadata=_meta("user_id is required"))
        view = self._checked_view(args, "views.publish", expected_type="home")
        view_id = self._next_id("V")
        return {"ok": True, "view": self._store_view(view, view_id)}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        state = self._channels.get(channel, _Channel())
        if not channel or state.not_found:
            raise _ApiError("channel_not_found")
        private = channel.startswith("G")
        name = f"channel-{channel.lower()}"
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": name,
                "name_normalized": name,
                "is_channel": not private,
                "is_group": private,
                "is_im": False,
                "is_mpim": False,
                "is_private": private,
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": not state.not_in_channel,
                "created": 1700000000,
                "creator": "U1",
                "context_team_id": TEAM_ID,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            },
        }

    def _readable(self, message: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        # Metadata comes back only when asked for, as on Slack.
        shown = {k: v for k, v in message.items() if k != "channel"}
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            shown.pop("metadata", None)
        return shown

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel, newest first, after `oldest` (exclusive)."""
        channel = str(args.get("channel") or "")
        if not channel or self._channels.get(channel, _Channel()).not_found:
            raise _ApiError("channel_not_found")
        oldest = float(args.get("oldest") or 0)
        found = [
            self._readable(m, args)
            for (c, ts), m in self._messages.items()
            if c == channel and float(ts) > oldest and m.get("thread_ts", ts) == ts
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first."""
        channel = str(args.get("channel") or "")
        thread = str(args.get("ts") or "")
        if (channel, thread) not in self._messages:
            raise _ApiError("thread_not_found")
        found = [
            self._readable(m, args)
            for (c, ts), m in self._messages.items()
            if c == channel and (ts == thread or m.get("thread_ts") == thread)
        ]
        found.sort(key=lambda m: float(m["ts"]))
        limit = int(args.get("limit") or 1000)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user") or "")
        if not user:
            raise _ApiError("user_not_found")
        is_bot = user == BOT_USER_ID
        name = BOT_NAME if is_bot else f"user-{user.lower()}"
        role = self._admin_roles.get(user)
        # Slack sets is_admin for owners too; is_owner for primary owners too.
        flags = {
            "is_admin": role in ADMIN_ROLES,
            "is_owner": role in ("is_owner", "is_primary_owner"),
            "is_primary_owner": role == "is_primary_owner",
        }
        return {
            "ok": True,
            "user": {
                "id": user,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": name,
                "deleted": False,
                "is_bot": is_bot,
                **flags,
                "tz": "America/Los_Angeles",
                "tz_label": "Pacific Standard Time",
                "tz_offset": -28800,
                "profile": {"real_name": name, "display_name": name, "team": TEAM_ID},
            },
        }

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        ts = str(args.get("message_ts") or "")
        state = self._channels.get(channel)
        if not channel or (state is not None and state.not_found):
            raise _ApiError("channel_not_found")
        if not ts or (self.strict_message_ts and (channel, ts) not in self._messages):
            raise _ApiError("message_not_found")
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    # ---------------------------------------------------------------- helpers

    def _writable_channel(self, args: dict[str, Any]) -> str:
        channel = str(args.get("channel") or "")
        if not channel:
            raise _ApiError("channel_not_found")
        state = self._channels.get(channel)
        if state is not None and state.not_found:
            raise _ApiError("channel_not_found")
        if state is not None and state.not_in_channel:
            raise _ApiError("not_in_channel")
        return channel

    def _check_message_content(self, args: dict[str, Any], method: str) -> None:
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            raise _ApiError("no_text")
        if len(str(args.get("text") or "")) > MAX_MESSAGE_TEXT:
            raise _ApiError("msg_too_long")
        if "blocks" in args and self.validate:
            problems = self._block_problems(args["blocks"], method, MAX_MESSAGE_BLOCKS)
            if self._invalid(problems):
                raise _ApiError("invalid_blocks", response_metadata={"messages": problems})

    def _checked_view(
        self, args: dict[str, Any], method: str, expected_type: str | None = None
    ) -> dict[str, Any]:
        view = args.get("view")
        problems = self._view_problems(view, method, expected_type)
        if self._invalid(problems):
            raise _ApiError("invalid_blocks", response_metadata={"messages": problems})
        assert isinstance(view, dict)
        return view

    def _invalid(self, problems: list[str]) -> bool:
        self.violations.extend(problems)
        return bool(problems)

    def _block_problems(self, blocks: Any, where: str, limit: int, sdk: bool = True) -> list[str]:
        if not isinstance(blocks, list):
            return [f"{where}: blocks must be a JSON array, got {type(blocks).__name__}"]
        problems = []
        if len(blocks) > limit:
            problems.append(f"{where}: {len(blocks)} blocks exceeds the limit of {limit}")
        seen_ids: set[str] = set()
        tables = sum(1 for b in blocks if isinstance(b, dict) and b.get("type") == "table")
        if tables > MAX_TABLES_PER_MESSAGE:
            problems.append(f"{where}: {tables} table blocks (Slack allows one per message)")
        for i, raw in enumerate(blocks):
            path = f"{where}: blocks[{i}]"
            if not isinstance(raw, dict):
                problems.append(f"{path}: block must be an object")
                continue
            if sdk:
                # Same as Block.parse_all(blocks) + to_dict() per block, but keeps the index.
                try:
                    parsed = Block.parse(raw)
                    if parsed is None:
                        problems.append(f"{path}: unknown block type {raw.get('type')!r}")
                        continue
                    parsed.to_dict()
                except Exception as exc:  # slack_sdk raises several types; all mean "invalid"
                    problems.append(f"{path} ({raw.get('type')}): {exc}")
                    continue
            problems.extend(_limit_problems(raw, path))
            block_id = raw.get("block_id")
            if block_id is not None:
                if block_id in seen_ids:
                    problems.append(f"{path}: duplicate block_id {block_id!r}")
                seen_ids.add(block_id)
        return problems

    def _view_problems(self, view: Any, where: str, expected_type: str | None) -> list[str]:
        if not isinstance(view, dict):
            return [f"{where}: view must be a JSON object, got {type(view).__name__}"]
        problems = []
        vtype = view.get("type")
        if expected_type is not None and vtype != expected_type:
            problems.append(f"{where}: view type must be {expected_type!r}, got {vtype!r}")
        try:
            # Validates view attributes and, through to_dict(), every nested block.
            View(**view).to_dict()
        except Exception as exc:
            problems.append(f"{where}: {exc}")
        if vtype == "modal":
            title = _text_of(view.get("title"))
            if not title:
                problems.append(f"{where}: modal title is required")
            elif len(title) > MAX_MODAL_TITLE:
                problems.append(
                    f"{where}: modal title is {len(title)} chars (max {MAX_MODAL_TITLE})"
                )
            has_input = any(
                isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
            )
            if has_input and not view.get("submit"):
                problems.append(f"{where}: modals with input blocks need a submit button")
        problems.extend(
            self._block_problems(
                view.get("blocks", []), f"{where} view", MAX_VIEW_BLOCKS, sdk=False
            )
        )
        return problems

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        return message

    def _store_view(
        self, view: dict[str, Any], view_id: str, root_view_id: str | None = None
    ) -> dict[str, Any]:
        stored = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type"),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{1700000000 + next(self._id_counter)}.{view_id[-8:]}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": root_view_id or view_id,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = stored
        return stored

    def _next_ts(self) -> str:
        # Unique and increasing, shaped like Slack's "seconds.micros" message ids, and like
        # Slack's the time of posting (conversations.history's `oldest` filters on it).
        micros = max(int(time.time() * 1_000_000), self._last_micros + 100)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):010d}"


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Merge query string and body (JSON, urlencoded or multipart) into one dict."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "multipart/form-data":
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    else:
        raw = await request.read()
        if raw and request.content_type == "application/json":
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            args.update(body)
        elif raw:
            args.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in _JSON_STRING_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # Undecodable strings stay as-is; block validation then reports them.
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _limit_problems(block: dict[str, Any], path: str) -> list[str]:
    """Slack limits that slack_sdk's models don't all enforce."""
    problems = []
    btype = block.get("type")
    if btype == "section":
        text = _text_of(block.get("text"))
        if len(text) > MAX_SECTION_TEXT:
            problems.append(f"{path}: section text is {len(text)} chars (max {MAX_SECTION_TEXT})")
        fields = block.get("fields") or []
        if len(fields) > MAX_SECTION_FIELDS:
            problems.append(f"{path}: {len(fields)} section fields (max {MAX_SECTION_FIELDS})")
        for j, f in enumerate(fields):
            if len(_text_of(f)) > MAX_SECTION_FIELD_TEXT:
                problems.append(f"{path}: fields[{j}] exceeds {MAX_SECTION_FIELD_TEXT} chars")
        if not text and not fields:
            problems.append(f"{path}: section needs text or fields")
    elif btype == "header":
        text = _text_of(block.get("text"))
        if len(text) > MAX_HEADER_TEXT:
            problems.append(f"{path}: header text is {len(text)} chars (max {MAX_HEADER_TEXT})")
    elif btype == "table":
        problems.extend(table_problems(block, path))
    return problems


def table_problems(block: dict[str, Any], path: str = "table") -> list[str]:
    """A table block against Slack's documented schema."""
    problems = []
    rows = block.get("rows")
    if not isinstance(rows, list) or not rows:
        return [f"{path}: table needs rows"]
    if len(rows) > MAX_TABLE_ROWS:
        problems.append(f"{path}: {len(rows)} table rows (max {MAX_TABLE_ROWS})")
    for r, row in enumerate(rows):
        if not isinstance(row, list) or not row or len(row) > MAX_TABLE_CELLS:
            problems.append(f"{path}: rows[{r}] must hold 1 to {MAX_TABLE_CELLS} cells")
            continue
        for c, cell in enumerate(row):
            kind = cell.get("type") if isinstance(cell, dict) else None
            if kind not in TABLE_CELL_TYPES:
                problems.append(f"{path}: rows[{r}][{c}] has cell type {kind!r}")
            elif kind == "raw_text" and not isinstance(cell.get("text"), str):
                problems.append(f"{path}: rows[{r}][{c}] raw_text needs a text string")
    settings = block.get("column_settings")
    if settings is not None:
        if not isinstance(settings, list) or len(settings) > MAX_TABLE_CELLS:
            problems.append(f"{path}: column_settings must be a list of at most {MAX_TABLE_CELLS}")
        else:
            for c, setting in enumerate(settings):
                if setting is None:
                    continue
                if set(setting) - {"align", "is_wrapped"}:
                    problems.append(f"{path}: column_settings[{c}] has unknown keys")
                if setting.get("align", "left") not in TABLE_ALIGNS:
                    problems.append(f"{path}: column_settings[{c}] align {setting['align']!r}")
                if not isinstance(setting.get("is_wrapped", False), bool):
                    problems.append(f"{path}: column_settings[{c}] is_wrapped must be a bool")
    return problems


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


def _meta(message: str) -> dict[str, Any]:
    return {"messages": [f"[ERROR] {message}"]}


def _short(value: Any, limit: int = 240) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
