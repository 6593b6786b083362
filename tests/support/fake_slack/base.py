"""What every API family of the fake Slack shares: its address, recordings, channels, polling."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from aiohttp import web

from .records import ApiError, Call, ChannelState, Fault, Installed, ResponsePost, UploadedFile


class ApiFamily:
    """One family of Web API methods (chat, files, views...); FakeSlack composes them.

    A family lists the methods it answers in METHODS (API method -> handler name); its handlers
    take the call's arguments and return Slack's answer, or raise ApiError. The state below is
    set up by FakeSlack and shared by all families, as one Slack workspace shares it.
    """

    METHODS: ClassVar[dict[str, str]] = {}

    strict_message_ts: bool
    validate: bool
    refuse_data_tables: bool
    assistant_threads: set[tuple[str, str]]
    refused_data_tables: int
    calls: list[Call]
    responses: list[ResponsePost]
    violations: list[str]
    scopes: list[str]
    installs: dict[str, Installed]
    revoked: set[str]
    files: list[UploadedFile]
    socket_envelopes: list[dict[str, Any]]
    socket_acks: list[dict[str, Any]]
    _faults: dict[str, deque[Fault]]
    _channels: dict[str, ChannelState]
    _messages: dict[tuple[str, str], dict[str, Any]]
    _delays: dict[str, float]
    _views: dict[str, dict[str, Any]]
    _admin_roles: dict[str, str]
    _last_micros: int
    _id_counter: itertools.count[int]
    _port: int | None
    _tickets: set[str]
    _sockets: list[web.WebSocketResponse]
    _codes: dict[str, Installed]
    _refresh_tokens: dict[str, Installed]
    _caller_token: str
    _uploads: dict[str, dict[str, Any]]

    def summary(self) -> str:
        raise NotImplementedError

    def calls_to(self, method: str) -> list[Call]:
        raise NotImplementedError

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started; call await start() first")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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

    def _invalid(self, problems: list[str]) -> bool:
        self.violations.extend(problems)
        return bool(problems)

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):010d}"

    def _writable_channel(self, args: dict[str, Any]) -> str:
        channel = dm_of(str(args.get("channel") or ""))
        if not channel:
            raise ApiError("channel_not_found")
        state = self._channels.get(channel)
        if state is not None and state.not_found:
            raise ApiError("channel_not_found")
        if state is not None and state.not_in_channel:
            raise ApiError("not_in_channel")
        return channel


def is_user_id(channel: str) -> bool:
    return channel[:1] in ("U", "W")


def dm_of(channel: str) -> str:
    """chat.postMessage to a person's user id posts in the app's DM with them and answers
    with that DM's conversation id (D…), which is what Slack then sends with their clicks."""
    return "D" + channel[1:] if is_user_id(channel) else channel
