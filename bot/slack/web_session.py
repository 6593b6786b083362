"""The aiohttp session every Web API call goes through, with orjson both ways.

A command's five posts carry about 16 KB of blocks to Slack, and Slack's answer to each echoes the
message back, blocks included: encoding the one and decoding the other with the json module was a
large share of the event loop's CPU (docs/architecture.md, "Performance idioms"); orjson is faster,
and lets a message worded in a worker travel as the JSON it will be sent as
(blocks_to_send), so the loop never rebuilds its blocks. Estimates and tips are posted by
post_message, a shorter road than slack_sdk's for the one method called five times a command.
"""

from __future__ import annotations

import functools
import re
import weakref
from typing import Any

import aiohttp
import orjson
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest as RetryHttpRequest
from slack_sdk.http_retry.response import HttpResponse as RetryHttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.message import Message

_ours: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


class _Response(aiohttp.ClientResponse):
    """Reads JSON answers with orjson. Its decode errors subclass json.JSONDecodeError, which is
    what slack_sdk catches to report a body that is not JSON."""

    async def json(self, *, loads: Any = orjson.loads, **kwargs: Any) -> Any:
        return await super().json(loads=loads, **kwargs)


def web_api_session() -> aiohttp.ClientSession:
    """One pooled session for every Web API call (the client otherwise opens one per request)."""
    session = aiohttp.ClientSession(json_serialize=_json_text, response_class=_Response)
    _ours.add(session)
    return session


def blocks_to_send(client: AsyncWebClient, message: Message) -> Any:
    """`message`'s blocks for a Web API call by `client`: the JSON a worker made of them, as it
    is, where the client's session writes bodies with orjson (which embeds it); else the blocks."""
    encoded = message.encoded
    if encoded is not None and client.session in _ours:
        return orjson.Fragment(encoded)
    return message.blocks


async def post_message(client: AsyncWebClient, **args: Any) -> AsyncSlackResponse:
    """chat.postMessage on `client`'s session, token and retry handlers, as
    `client.chat_postMessage(**args)` would post it, by a shorter road: five of these a command
    made slack_sdk's generic request building (URL joining, argument rewriting, header merging)
    a large share of the event loop's CPU ("Performance idioms" in docs/architecture.md).
    Retries are decided by the client's own handlers; a reply that is not ok raises SlackApiError
    as slack_sdk's does. The answer to a post Slack took holds its ok, channel and ts, not the
    message Slack echoes (`_posted`). Other methods go through slack_sdk."""
    session = client.session
    if session is None or session.closed or session not in _ours:
        return await client.chat_postMessage(**args)
    url = _method_url(client.base_url, "chat.postMessage")
    headers = {**client.headers, **_auth_headers(client.token)}
    # The client's default parameters (an org-wide client's team_id) unless the call names them.
    fields = {**client.default_params, **{k: v for k, v in args.items() if v is not None}}
    body = orjson.dumps(fields)
    request = RetryHttpRequest(method="POST", url=url, headers=headers, data=body)
    state = RetryState()
    # The client's proxy (slack_sdk reads HTTPS_PROXY into it) and TLS context, as it would use.
    options = {
        "headers": headers,
        "timeout": _timeout(client.timeout),
        "proxy": client.proxy,
        "ssl": client.ssl if client.ssl is not None else True,
    }
    while True:
        state.next_attempt_requested = False
        try:
            async with session.post(url, data=body, **options) as res:
                raw = await res.read()
                status, res_headers = res.status, res.headers
            data = _posted(raw) if status == 200 else None
            if data is not None:
                break  # posted: no handler is asked, since a retry would post it twice
            data = _json(raw)
            answer = RetryHttpResponse(status_code=status, headers=res_headers, body=data)
            if not await _retried(client, state, request, answer, None):
                break
        except Exception as error:
            if not await _retried(client, state, request, None, error):
                raise
    response = AsyncSlackResponse(
        client=client,
        http_verb="POST",
        api_url=url,
        req_args={},
        data=data or {},
        headers=res_headers,
        status_code=status,
    )
    if data is None and status == 200:  # Slack said OK in something that is not JSON
        text = raw.decode(errors="replace")[:100]
        raise SlackApiError(f"Received a response in a non-JSON format: {text}", response)
    return response.validate()


async def _retried(
    client: AsyncWebClient,
    state: RetryState,
    request: RetryHttpRequest,
    response: RetryHttpResponse | None,
    error: Exception | None,
) -> bool:
    """True when one of the client's retry handlers takes this outcome (and has waited)."""
    for handler in client.retry_handlers:
        if await handler.can_retry_async(
            state=state, request=request, response=response, error=error
        ):
            await handler.prepare_for_next_attempt_async(
                state=state, request=request, response=response, error=error
            )
            break
    return state.next_attempt_requested


# How Slack's answer to a post it took begins: {"ok":true,"channel":"C…","ts":"…", and then the
# message it echoes. Anchored at the start, a match can only be the answer's own fields.
_POSTED = re.compile(
    rb'\{\s*"ok"\s*:\s*true\s*,\s*"channel"\s*:\s*"([A-Z0-9]+)"\s*,\s*"ts"\s*:\s*"([0-9.]+)"'
)


def _posted(raw: bytes) -> dict[str, Any] | None:
    """ok, channel and ts of a post Slack took, read from the start of its answer, not decoding
    the message it echoes back (the bot's own, blocks and all, which nothing reads; "Performance
    idioms" in docs/architecture.md); None for any other answer (then decoded whole)."""
    found = _POSTED.match(raw)
    if found is None:
        return None
    return {"ok": True, "channel": found[1].decode(), "ts": found[2].decode()}


def _json(raw: bytes) -> dict[str, Any] | None:
    """The answer's JSON object; None for a body that is not one (an error page from a proxy)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


@functools.lru_cache(maxsize=16)
def _timeout(seconds: int) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds)


@functools.lru_cache(maxsize=64)
def _method_url(base_url: str, method: str) -> str:
    return base_url.rstrip("/") + "/" + method


@functools.lru_cache(maxsize=1024)
def _auth_headers(token: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json;charset=utf-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers
