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
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSCloseCode, web
from slack_sdk.web.async_client import AsyncWebClient

from .assistant import AssistantApi
from .blockkit import MAX_MESSAGE_BLOCKS, block_problems, has_data_table
from .chat import ChatApi
from .conversations import ConversationsApi
from .faults import Faults
from .files import FilesApi
from .links import LinksApi
from .oauth import OAuthApi
from .records import (
    BAD_APP_TOKEN,
    BOT_SCOPES,
    TEAM_ID,
    TEST_BOT_TOKEN,
    ApiError,
    Call,
    ChannelState,
    Fault,
    Installed,
    ResponsePost,
    UploadedFile,
    short,
)
from .socket_mode import SocketModeApi
from .users import UsersApi
from .views import ViewsApi

# Form-encoded requests carry structured fields as JSON strings; decode them so tests see dicts.
_JSON_STRING_FIELDS = ("blocks", "attachments", "view", "metadata", "user_auth_blocks")
_RESPONSE_URL_KEY = "response_url"
# Web API methods called with the app-level token instead of the bot token.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open"})
# Called with the app's client ID and secret (HTTP Basic), or with no credentials at all.
_CLIENT_SECRET_METHODS = frozenset({"oauth.v2.access"})
_NO_TOKEN_METHODS = frozenset({"api.test"})


class FakeSlack(
    ChatApi,
    ConversationsApi,
    ViewsApi,
    FilesApi,
    UsersApi,
    OAuthApi,
    SocketModeApi,
    AssistantApi,
    LinksApi,
    Faults,
):
    """A local Slack Web API (``/api/<method>``) plus response_url sink (``/response/<name>``)."""

    def __init__(self, *, strict_message_ts: bool = False, validate: bool = True) -> None:
        # When strict, chat.update of a ts the fake never issued fails like Slack does
        # (message_not_found). Off by default so tests can click on hand-made payloads.
        self.strict_message_ts = strict_message_ts
        # Benchmarks turn Block Kit validation off so the fake's own CPU does not set the pace.
        self.validate = validate
        # A workspace whose Slack does not take the data_table block: messages holding one are
        # refused (invalid_blocks), as Slack refuses an unknown block; counted, no violation.
        self.refuse_data_tables = False
        self.refused_data_tables = 0
        # Chats Slack started in the Messages tab (channel, thread_ts): start_chat.
        self.assistant_threads: set[tuple[str, str]] = set()
        self.calls: list[Call] = []
        self.responses: list[ResponsePost] = []
        self.violations: list[str] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._channels: dict[str, ChannelState] = {}
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
        # API method -> handler, from each family's METHODS.
        self._handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "api.test": lambda args: {"ok": True, "args": args}
        }
        for family in reversed(type(self).__mro__):
            for api_method, handler in vars(family).get("METHODS", {}).items():
                self._handlers[api_method] = getattr(self, handler)

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
            lines.append(f"  {c.method} -> {c.status} {outcome} {short(c.args)}")
        lines.append(f"{len(self.responses)} response_url POST(s):")
        for r in self.responses:
            lines.append(f"  {r.name} -> {r.status} {short(r.body)}")
        if self.socket_envelopes or self.socket_acks:
            lines.append(
                f"Socket Mode: {self.socket_count} connection(s), "
                f"{len(self.socket_envelopes)} envelope(s) sent:"
            )
            acked = {a.get("envelope_id") for a in self.socket_acks}
            for e in self.socket_envelopes:
                state = "acked" if e["envelope_id"] in acked else "NOT acked"
                lines.append(f"  {e['type']} {e['envelope_id']} {state} {short(e['payload'])}")
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
        handler = self._handlers.get(method)
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
        except ApiError as err:
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
        if self.refuse_data_tables and has_data_table(post.body.get("blocks")):
            self.refused_data_tables += 1
            post.status = 400
            return web.Response(status=400, text="invalid_blocks")
        if "blocks" in post.body and self._invalid(
            block_problems(post.body["blocks"], f"response/{name}", MAX_MESSAGE_BLOCKS)
        ):
            post.status = 400
            return web.Response(status=400, text="invalid_blocks")
        if not any(k in post.body for k in ("text", "blocks", "attachments", "delete_original")):
            post.status = 400
            return web.Response(status=400, text="no_text")
        return web.Response(text="ok")


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
