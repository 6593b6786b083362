"""The aiohttp session every Web API call goes through, with orjson both ways.

A command's five posts carry about 16 KB of blocks to Slack, and Slack's answer to each echoes the
message back, blocks included: encoding the one and decoding the other with the json module took
a tenth of the event loop's CPU under load. orjson does the same work in a fraction of the time,
and lets a message worded in a worker travel as the JSON it will be sent as
(blocks.Message.for_slack), so the loop never rebuilds its blocks.
"""

from __future__ import annotations

import weakref
from typing import Any

import aiohttp
import orjson
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import Message

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
