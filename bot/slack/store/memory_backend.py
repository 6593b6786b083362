"""The in-process backend: for development and a single instance without Redis, and the fallback
the bot keeps claims and rate limits in while Redis is down. Lost on restart.

It mirrors the Redis backend key for key (the same keys and stored strings), so `forget` counts,
TTL refreshes and the workspace's key patterns match.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.advisor import ConversationState
from bot.slack.store.codec import (
    decode_entries,
    decode_state,
    encode_entry,
    encode_state,
    other_channels,
    settings_from,
    workspace_entry,
)
from bot.slack.store.keys import (
    bucket_key,
    channel_keys,
    claim_key,
    page_keys,
    page_member,
    page_pointer,
    pages_of,
    workspace_keys,
    workspace_patterns,
)
from bot.slack.store.protocols import (
    ESTIMATE_HISTORY,
    SETTINGS_TTL_SECONDS,
    WORKSPACE_RECENT,
    positive_ttl,
)

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any  # str for states and claims, list[str] for estimates, dict[str, float] for the index
    expires_at: float


class MemoryStore:
    """In-process backend: LRU-bounded, entries expire."""

    kind = "memory"
    replicated = False  # what it confirmed it has, until it expires or the process ends

    def __init__(
        self,
        ttl_seconds: int,
        max_keys: int = 10_000,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_keys <= 0:
            raise ValueError("max_keys must be positive")
        self._ttl = positive_ttl(ttl_seconds)
        self._max_keys = max_keys
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        now = self._clock()
        return sum(1 for entry in self._entries.values() if entry.expires_at > now)

    def _get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry.value

    def _put(self, key: str, value: Any, ttl: int | None = None) -> None:
        self._entries[key] = _Entry(value, self._clock() + (ttl or self._ttl))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_keys:
            evicted, _ = self._entries.popitem(last=False)
            log.debug("memory store full: evicted %s", evicted)

    async def load_thread(
        self, team: str, channel: str, thread_ts: str
    ) -> ConversationState | None:
        key = channel_keys(team, channel).thread(thread_ts)
        return decode_state(self._get(key), key)

    async def save_thread(
        self, team: str, channel: str, thread_ts: str, state: ConversationState
    ) -> None:
        keys = channel_keys(team, channel)
        key = keys.thread(thread_ts)
        data = encode_state(state)
        now = self._clock()
        index = {
            ts: written
            for ts, written in (self._get(keys.threads) or {}).items()
            if written > now - self._ttl
        }
        index[thread_ts] = now
        self._put(key, data)
        self._put(keys.threads, index)

    async def load_latest(self, team: str, channel: str) -> ConversationState | None:
        key = channel_keys(team, channel).latest
        return decode_state(self._get(key), key)

    async def save_latest(self, team: str, channel: str, state: ConversationState) -> None:
        self._put(channel_keys(team, channel).latest, encode_state(state))

    async def record_estimate(self, team: str, channel: str, entry: dict[str, Any]) -> None:
        key = channel_keys(team, channel).estimates
        data = encode_entry(entry)
        history = [data, *(self._get(key) or [])][:ESTIMATE_HISTORY]
        self._put(key, history)

    async def save_conversation(
        self,
        team: str,
        channel: str,
        thread_ts: str,
        state: ConversationState,
        estimate: dict[str, Any] | None = None,
    ) -> None:
        await self.save_thread(team, channel, thread_ts, state)
        await self.save_latest(team, channel, state)
        if estimate is not None:
            await self.record_estimate(team, channel, estimate)
            key = workspace_keys(team).recent
            shared = encode_entry(workspace_entry(channel, estimate))
            self._put(key, [shared, *(self._get(key) or [])][:WORKSPACE_RECENT])

    async def estimates(self, team: str, channel: str) -> list[dict[str, Any]]:
        key = channel_keys(team, channel).estimates
        return decode_entries(list(self._get(key) or []), key)

    async def recent_estimates(self, team: str) -> list[dict[str, Any]]:
        key = workspace_keys(team).recent
        return decode_entries(list(self._get(key) or []), key)

    async def load_settings(self, team: str) -> dict[str, Any] | None:
        key = workspace_keys(team).settings
        return settings_from(self._get(key) or "", key)

    async def count_feedback(self, team: str, verdict: str) -> None:
        key = workspace_keys(team).feedback
        counts = json.loads(self._get(key) or "{}")
        counts[verdict] = counts.get(verdict, 0) + 1
        self._put(key, json.dumps(counts), SETTINGS_TTL_SECONDS)

    async def feedback(self, team: str) -> dict[str, int]:
        return {
            k: int(v)
            for k, v in json.loads(self._get(workspace_keys(team).feedback) or "{}").items()
        }

    async def save_settings(self, team: str, settings: dict[str, Any]) -> None:
        self._put(workspace_keys(team).settings, encode_entry(settings), SETTINGS_TTL_SECONDS)

    def _pages(self, team: str, channel: str | None = None) -> list[tuple[str, str]]:
        index = workspace_keys(team).pages
        return pages_of(list(self._get(index) or {}), channel)

    async def forget(self, team: str, channel: str) -> int:
        keys = channel_keys(team, channel)
        now = self._clock()
        # A prefix scan (cheap in memory) also catches threads whose index entry was evicted.
        doomed = [key for key in self._entries if key.startswith(keys.prefix)]
        index = self._get(workspace_keys(team).pages) or {}
        for member, page_id in self._pages(team, channel):  # the channel's shareable pages
            index.pop(member, None)
            doomed += [page_keys(team, page_id).record, page_pointer(page_id)]
        doomed = [key for key in doomed if key in self._entries]
        deleted = sum(1 for key in doomed if self._entries.pop(key).expires_at > now)
        recent = workspace_keys(team).recent
        kept = other_channels(list(self._get(recent) or []), channel)
        if kept:
            self._put(recent, kept)
        else:
            self._entries.pop(recent, None)
        log.debug("forgot %d keys under %s", deleted, keys.prefix)
        return deleted

    async def forget_workspace(self, team: str) -> int:
        patterns = workspace_patterns(team)
        now = self._clock()
        doomed = [
            key for key in self._entries if any(fnmatch.fnmatchcase(key, p) for p in patterns)
        ]
        # Pointers to the workspace's pages are not under its prefix: found through its index.
        pointers = [page_pointer(page_id) for _, page_id in self._pages(team)]
        doomed += [key for key in pointers if key in self._entries]
        return sum(1 for key in doomed if self._entries.pop(key).expires_at > now)

    async def save_page(
        self, team: str, channel: str, page_id: str, record: dict[str, Any], ttl_seconds: int
    ) -> None:
        keys = page_keys(team, page_id)
        member = page_member(page_id, channel)
        ttl = positive_ttl(ttl_seconds)
        now = self._clock()
        index = {m: until for m, until in (self._get(keys.index) or {}).items() if until > now}
        index[member] = now + ttl
        self._put(keys.record, encode_entry(record), ttl)
        self._put(keys.pointer, team, ttl)
        self._put(keys.index, index, math.ceil(max(index.values()) - now))

    async def load_page(self, page_id: str) -> dict[str, Any] | None:
        team = self._get(page_pointer(page_id))
        if not team:
            return None
        key = page_keys(team, page_id).record
        record = settings_from(self._get(key) or "", key)
        return record if record is not None and record.get("team") == team else None

    async def revoke_page(self, team: str, page_id: str, at: int) -> dict[str, Any] | None:
        key = page_keys(team, page_id).record
        record = settings_from(self._get(key) or "", key)
        if record is None:
            return None
        record["revoked_at"] = record.get("revoked_at") or at
        self._entries[key].value = encode_entry(record)  # keeps its expiry
        return record

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        claimed = claim_key(key)
        ttl = positive_ttl(ttl_seconds)
        if self._get(claimed) is not None:
            return False
        self._put(claimed, "1", ttl)
        return True

    async def take_tokens(self, buckets: list[tuple[str, int]], per_seconds: float) -> float:
        now = self._clock()
        for key, capacity in buckets:
            bucket = bucket_key(key)
            rate = capacity / per_seconds
            tokens, at = self._get(bucket) or (float(capacity), now)
            tokens = min(float(capacity), tokens + max(0.0, now - at) * rate)
            if tokens < 1:
                return (1 - tokens) / rate
            self._put(bucket, (tokens - 1, now), math.ceil(per_seconds) + 1)
        return 0.0

    async def give_back_tokens(self, buckets: list[tuple[str, int]]) -> None:
        for key, capacity in buckets:
            bucket = bucket_key(key)
            if (held := self._get(bucket)) is not None:  # an expired bucket is full anyway
                tokens, at = held
                self._entries[bucket].value = (min(float(capacity), tokens + 1), at)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._entries.clear()
