"""Where conversations are kept between messages: one store protocol, a Redis and a memory backend.

Everything is stored per workspace and channel as JSON under keys built only from Slack IDs, so
user text never shapes a key, and two workspaces sharing a channel ID never see each other's state.
Redis failures surface as `StoreUnavailable` within a fraction of a second, so callers can answer
without memory instead of hanging.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from bot.advisor import ConversationState
from bot.slack.redis_batch import ScriptBatch

log = logging.getLogger(__name__)

KEY_PREFIX = "aicost"
ESTIMATE_HISTORY = 20  # estimates kept per channel
WORKSPACE_RECENT = 20  # estimates kept per workspace, newest first, for the Home tab
SETTINGS_TTL_SECONDS = 10 * 365 * 24 * 3600  # kept until changed or the app is uninstalled
MAX_VALUE_BYTES = 64 * 1024  # per stored value; larger states lose their oldest history first
REDIS_TIMEOUT_SECONDS = 0.2
# Saving a conversation happens after its estimate is posted: nobody waits on it, and losing it
# costs the user their follow-ups. A busy event loop can take longer than 200 ms to read a
# reply Redis sent in time (on a slow 2-core machine, a burst's saves failed together while
# Redis was fine), so this budget is longer; a hung Redis still delays the tips by only this.
SAVE_TIMEOUT_SECONDS = 0.5
MAX_CONNECTIONS = 128  # per process; more than the replies that run at once (96), plus probes
FORGET_WORKSPACE_SECONDS = 30.0  # an uninstall scans the keyspace once; it may take a while
# Duplicate-claim kinds; each claim key names the workspace right after its kind.
CLAIM_KINDS = ("click", "view", "event")

# Slack team, channel and message-ts IDs only; anything else is a caller bug or user text.
_SLACK_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Idempotency keys are composed from Slack IDs, so a colon separator is allowed too.
_CLAIM_KEY = re.compile(r"[A-Za-z0-9._:-]{1,200}")

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The backend did not answer (in time); the caller should carry on without stored state."""


class ConversationStore(Protocol):
    kind: str  # "redis" or "memory"

    async def load_thread(
        self, team: str, channel: str, thread_ts: str
    ) -> ConversationState | None: ...

    async def save_thread(
        self, team: str, channel: str, thread_ts: str, state: ConversationState
    ) -> None: ...

    async def load_latest(self, team: str, channel: str) -> ConversationState | None: ...

    async def save_latest(self, team: str, channel: str, state: ConversationState) -> None: ...

    async def record_estimate(self, team: str, channel: str, entry: dict[str, Any]) -> None: ...

    async def save_conversation(
        self,
        team: str,
        channel: str,
        thread_ts: str,
        state: ConversationState,
        estimate: dict[str, Any] | None = None,
    ) -> None:
        """The thread's state, the channel's latest and (optionally) a history entry, at once."""
        ...

    async def estimates(self, team: str, channel: str) -> list[dict[str, Any]]: ...

    async def recent_estimates(self, team: str) -> list[dict[str, Any]]:
        """The workspace's newest estimates across channels (each entry names its channel)."""
        ...

    async def load_settings(self, team: str) -> dict[str, Any] | None: ...

    async def save_settings(self, team: str, settings: dict[str, Any]) -> None: ...

    async def forget(self, team: str, channel: str) -> int: ...

    async def forget_workspace(self, team: str) -> int:
        """Every key of a workspace: conversations, histories, claims, rate limits."""
        ...

    async def claim(self, key: str, ttl_seconds: int) -> bool: ...

    async def take_tokens(self, buckets: list[tuple[str, int]], per_seconds: float) -> float:
        """Token buckets: take one token from each (key, capacity) bucket, each refilling its
        capacity every `per_seconds`, stopping at the first that is empty. Returns 0 when all
        were taken, else the seconds until that bucket has a token."""
        ...

    async def give_back_tokens(self, buckets: list[tuple[str, int]]) -> None:
        """One token back to each bucket (a request charged up front that cost nothing)."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


# --- keys and values (shared by both backends so they cannot drift apart) ---


def _slack_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SLACK_ID.fullmatch(value):
        raise ValueError(f"{what} is not a Slack ID")
    return value


@dataclass(frozen=True)
class _ChannelKeys:
    prefix: str
    latest: str
    threads: str
    estimates: str

    def thread(self, thread_ts: str) -> str:
        return f"{self.prefix}thread:{_slack_id(thread_ts, 'thread ts')}"


def _channel_keys(team: str, channel: str) -> _ChannelKeys:
    prefix = f"{KEY_PREFIX}:{_slack_id(team, 'team')}:{_slack_id(channel, 'channel')}:"
    return _ChannelKeys(
        prefix=prefix,
        latest=f"{prefix}latest",
        threads=f"{prefix}threads",
        estimates=f"{prefix}estimates",
    )


@dataclass(frozen=True)
class _WorkspaceKeys:
    recent: str
    settings: str


def workspace_keys(team: str) -> _WorkspaceKeys:
    """Keys kept per workspace rather than per channel (uninstall deletes these too)."""
    prefix = f"{KEY_PREFIX}:{_slack_id(team, 'team')}:"
    return _WorkspaceKeys(recent=f"{prefix}recent", settings=f"{prefix}settings")


def _workspace_entry(channel: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "channel": channel}


def _other_channels(items: list[str], channel: str) -> list[str]:
    """Workspace history entries not from `channel` (what forgetting a channel leaves)."""
    kept = []
    for item in items:
        try:
            entry = json.loads(item)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("channel") != channel:
            kept.append(item)
    return kept


def _workspace_patterns(team: str) -> list[str]:
    """Glob patterns covering every key a workspace owns (Slack IDs hold no glob characters)."""
    team = _slack_id(team, "team")
    return [
        f"{KEY_PREFIX}:{team}:*",
        f"{KEY_PREFIX}:bucket:user:{team}:*",
        f"{KEY_PREFIX}:bucket:team:{team}",
        *(f"{KEY_PREFIX}:claim:{kind}:{team}:*" for kind in CLAIM_KINDS),
    ]


def bucket_key(key: str) -> str:
    # Same alphabet as claim keys: Slack IDs joined by ':'.
    return f"{KEY_PREFIX}:bucket:{_claim_key(key).split(':', 2)[2]}"


def _claim_key(key: str) -> str:
    if not isinstance(key, str) or not _CLAIM_KEY.fullmatch(key):
        raise ValueError("claim key may only contain Slack ID characters and ':'")
    return f"{KEY_PREFIX}:claim:{key}"


def _positive_ttl(ttl_seconds: int) -> int:
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    return int(ttl_seconds)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _encode_state(state: ConversationState) -> str:
    """JSON under MAX_VALUE_BYTES, dropping the oldest undo steps if needed (never the scenario)."""
    data = state.model_dump_json()
    if _size(data) <= MAX_VALUE_BYTES:
        return data
    # Binary search for the most recent history that fits: size grows with what is kept.
    history = state.history
    fits, too_many = 0, len(history)
    while too_many - fits > 1:
        keep = (fits + too_many) // 2
        if _size(_with_recent_history(state, keep).model_dump_json()) <= MAX_VALUE_BYTES:
            fits = keep
        else:
            too_many = keep
    data = _with_recent_history(state, fits).model_dump_json()
    if _size(data) > MAX_VALUE_BYTES:
        raise ValueError("conversation state is too large to store even without history")
    log.warning(
        "state over %d bytes: dropped %d oldest history entries",
        MAX_VALUE_BYTES,
        len(history) - fits,
    )
    return data


def _with_recent_history(state: ConversationState, keep: int) -> ConversationState:
    recent = state.history[len(state.history) - keep :] if keep else ()
    return state.model_copy(update={"history": recent})


def _decode_state(data: str | None, key: str) -> ConversationState | None:
    if data is None:
        return None
    try:
        return ConversationState.model_validate_json(data)
    except ValidationError:
        # Usually a schema change since it was written: start afresh rather than fail the reply.
        log.warning("ignoring unreadable stored state at %s", key)
        return None


def _encode_entry(entry: dict[str, Any]) -> str:
    try:
        data = json.dumps(entry, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError("estimate entry is not JSON-serialisable") from exc
    if _size(data) > MAX_VALUE_BYTES:
        raise ValueError(f"estimate entry is larger than {MAX_VALUE_BYTES} bytes")
    return data


def _decode_entries(items: list[str], key: str) -> list[dict[str, Any]]:
    entries = []
    for item in items:
        try:
            entry = json.loads(item)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            log.warning("skipping unreadable estimate entry at %s", key)
    return entries


def settings_from(data: str, key: str) -> dict[str, Any] | None:
    """A workspace's settings record as stored at `key` ("": none)."""
    entries = _decode_entries([data] if data else [], key)
    return entries[0] if entries else None


# --- Redis ---


# KEYS: thread, thread index, latest, estimates, workspace recent. ARGV: state JSON, thread ts,
# now, ttl, history entry JSON ("" for none), history cap, workspace entry JSON, workspace cap.
# The index is scored by write time so threads that have expired can be pruned from it.
_SAVE_CONVERSATION = """
local ttl = tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('SET', KEYS[3], ARGV[1], 'EX', ttl)
if ARGV[5] ~= '' then
  redis.call('LPUSH', KEYS[4], ARGV[5])
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[6]) - 1)
  redis.call('EXPIRE', KEYS[4], ttl)
  redis.call('LPUSH', KEYS[5], ARGV[7])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
  redis.call('EXPIRE', KEYS[5], ttl)
end
return 1
"""


# Token buckets, as a Lua function: the store's own script runs it, and so does the job queue's
# enqueue (bot/slack/jobs.py), which charges a slash command in the round trip that records it.
# Buckets are KEYS[first_key..], their capacities ARGV[first_capacity..]; stops at the first empty
# one and returns the seconds until it has a token, "0" when every bucket gave one.
TOKEN_BUCKETS_LUA = """
local function take_tokens(first_key, window, now, first_capacity)
  for i = first_key, #KEYS do
    local key = KEYS[i]
    local capacity = tonumber(ARGV[first_capacity + i - first_key])
    local rate = capacity / window
    local state = redis.call('HMGET', key, 'tokens', 'at')
    local tokens = tonumber(state[1]) or capacity
    local at = tonumber(state[2]) or now
    tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
    if tokens < 1 then
      return tostring((1 - tokens) / rate)
    end
    redis.call('HSET', key, 'tokens', tokens - 1, 'at', now)
    redis.call('EXPIRE', key, math.ceil(window) + 1)
  end
  return "0"
end
"""
_TAKE_TOKENS = TOKEN_BUCKETS_LUA + "return take_tokens(1, tonumber(ARGV[1]), tonumber(ARGV[2]), 3)"
# One token back to each bucket that still exists (capped at its capacity).
_GIVE_BACK_TOKENS = """
for i, key in ipairs(KEYS) do
  local tokens = tonumber(redis.call('HGET', key, 'tokens'))
  if tokens then
    redis.call('HSET', key, 'tokens', math.min(tonumber(ARGV[i]), tokens + 1))
  end
end
return 1
"""


class RedisStore:
    """Redis backend; every call gives up after `timeout` seconds with StoreUnavailable."""

    kind = "redis"

    def __init__(
        self,
        url: str,
        ttl_seconds: int,
        timeout: float = REDIS_TIMEOUT_SECONDS,
        *,
        save_timeout: float = SAVE_TIMEOUT_SECONDS,
        client: aioredis.Redis | None = None,
    ) -> None:
        self._ttl = _positive_ttl(ttl_seconds)
        self._timeout = timeout
        self._save_timeout = max(timeout, save_timeout)
        # No retries: a retry with backoff would outlast the caller's patience. The pool drops a
        # broken connection and dials again on the next call, so the store recovers by itself.
        # A bounded pool that waits (briefly) for a free connection: the default pool raises
        # MaxConnectionsError under bursts instead of queueing.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=timeout,
            decode_responses=True,
            # Each call is bounded by its own budget (_call); the socket allows the longest.
            socket_timeout=self._save_timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        self._redis = client or aioredis.Redis(connection_pool=pool)
        self._save_script = self._redis.register_script(_SAVE_CONVERSATION)
        self._take_script = self._redis.register_script(_TAKE_TOKENS)
        self._give_back_script = self._redis.register_script(_GIVE_BACK_TOKENS)
        self._scripts = ScriptBatch(self._redis)  # the scripts of one loop turn, sent together

    async def _call(
        self, operation: str, run: Callable[[], Awaitable[T]], timeout: float | None = None
    ) -> T:
        try:
            # The socket timeouts miss some waits (pool, DNS); this bounds the whole call.
            async with asyncio.timeout(timeout or self._timeout):
                return await run()
        except (RedisError, OSError, TimeoutError) as exc:
            # OSError covers ConnectionError; TimeoutError is asyncio.TimeoutError on 3.11+.
            log.warning("redis %s failed: %s", operation, type(exc).__name__)
            raise StoreUnavailable(f"redis {operation} failed") from exc

    async def _get(self, operation: str, key: str) -> str | None:
        return await self._call(operation, lambda: self._redis.get(key))

    async def load_thread(
        self, team: str, channel: str, thread_ts: str
    ) -> ConversationState | None:
        key = _channel_keys(team, channel).thread(thread_ts)
        return _decode_state(await self._get("load_thread", key), key)

    def _queue_thread(self, pipe: Any, keys: _ChannelKeys, thread_ts: str, data: str) -> None:
        now = time.time()
        pipe.set(keys.thread(thread_ts), data, ex=self._ttl)
        # Scored by write time so threads that have expired can be pruned from the index.
        pipe.zadd(keys.threads, {thread_ts: now})
        pipe.zremrangebyscore(keys.threads, "-inf", now - self._ttl)
        pipe.expire(keys.threads, self._ttl)

    def _queue_estimate(self, pipe: Any, keys: _ChannelKeys, data: str) -> None:
        pipe.lpush(keys.estimates, data)
        pipe.ltrim(keys.estimates, 0, ESTIMATE_HISTORY - 1)
        pipe.expire(keys.estimates, self._ttl)

    async def _transaction(self, operation: str, queue: Callable[[Any], None]) -> None:
        async def run() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                queue(pipe)
                await pipe.execute()

        await self._call(operation, run)

    async def save_thread(
        self, team: str, channel: str, thread_ts: str, state: ConversationState
    ) -> None:
        keys = _channel_keys(team, channel)
        keys.thread(thread_ts)  # validates the ts before anything is queued
        data = _encode_state(state)
        await self._transaction(
            "save_thread", lambda pipe: self._queue_thread(pipe, keys, thread_ts, data)
        )

    async def load_latest(self, team: str, channel: str) -> ConversationState | None:
        key = _channel_keys(team, channel).latest
        return _decode_state(await self._get("load_latest", key), key)

    async def save_latest(self, team: str, channel: str, state: ConversationState) -> None:
        key = _channel_keys(team, channel).latest
        data = _encode_state(state)
        await self._call("save_latest", lambda: self._redis.set(key, data, ex=self._ttl))

    async def record_estimate(self, team: str, channel: str, entry: dict[str, Any]) -> None:
        keys = _channel_keys(team, channel)
        data = _encode_entry(entry)
        await self._transaction(
            "record_estimate", lambda pipe: self._queue_estimate(pipe, keys, data)
        )

    async def save_conversation(
        self,
        team: str,
        channel: str,
        thread_ts: str,
        state: ConversationState,
        estimate: dict[str, Any] | None = None,
    ) -> None:
        keys = _channel_keys(team, channel)
        recent = workspace_keys(team).recent
        data = _encode_state(state)
        entry = _encode_entry(estimate) if estimate is not None else ""
        shared = _encode_entry(_workspace_entry(channel, estimate)) if estimate is not None else ""
        # One server-side script: a single round trip on the hot path of every estimate, and a
        # reply is remembered whole or not at all.
        await self._call(
            "save_conversation",
            lambda: self._scripts.call(
                self._save_script,
                [keys.thread(thread_ts), keys.threads, keys.latest, keys.estimates, recent],
                [
                    data,
                    thread_ts,
                    time.time(),
                    self._ttl,
                    entry,
                    ESTIMATE_HISTORY,
                    shared,
                    WORKSPACE_RECENT,
                ],
            ),
            timeout=self._save_timeout,
        )

    async def estimates(self, team: str, channel: str) -> list[dict[str, Any]]:
        key = _channel_keys(team, channel).estimates
        items = await self._call(
            "estimates", lambda: self._redis.lrange(key, 0, ESTIMATE_HISTORY - 1)
        )
        return _decode_entries(items, key)

    async def recent_estimates(self, team: str) -> list[dict[str, Any]]:
        key = workspace_keys(team).recent
        items = await self._call(
            "recent_estimates", lambda: self._redis.lrange(key, 0, WORKSPACE_RECENT - 1)
        )
        return _decode_entries(items, key)

    async def load_settings(self, team: str) -> dict[str, Any] | None:
        key = workspace_keys(team).settings
        return settings_from(await self._get("load_settings", key) or "", key)

    async def save_settings(self, team: str, settings: dict[str, Any]) -> None:
        key = workspace_keys(team).settings
        data = _encode_entry(settings)
        await self._call(
            "save_settings", lambda: self._redis.set(key, data, ex=SETTINGS_TTL_SECONDS)
        )

    async def forget(self, team: str, channel: str) -> int:
        keys = _channel_keys(team, channel)
        recent = workspace_keys(team).recent

        async def run() -> int:
            thread_ts = await self._redis.zrange(keys.threads, 0, -1)
            # Index entries were validated when written; re-check so a tampered index can't
            # make us delete outside this channel.
            threads = [keys.thread(ts) for ts in thread_ts if _SLACK_ID.fullmatch(ts)]
            doomed = [keys.latest, keys.estimates, keys.threads, *threads]
            # The workspace's recent list keeps the other channels' estimates only.
            kept = _other_channels(await self._redis.lrange(recent, 0, -1), channel)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(*doomed)
                pipe.delete(recent)
                if kept:
                    pipe.rpush(recent, *kept)
                    pipe.expire(recent, self._ttl)
                deleted, *_ = await pipe.execute()
            return int(deleted)

        deleted = await self._call("forget", run)
        log.debug("forgot %d keys under %s", deleted, keys.prefix)
        return deleted

    async def forget_workspace(self, team: str) -> int:
        patterns = _workspace_patterns(team)

        async def run() -> int:
            deleted = 0
            for pattern in patterns:
                batch: list[str] = []
                async for key in self._redis.scan_iter(match=pattern, count=1000):
                    batch.append(key)
                    if len(batch) >= 500:
                        deleted += int(await self._redis.delete(*batch))
                        batch = []
                if batch:
                    deleted += int(await self._redis.delete(*batch))
            return deleted

        try:
            async with asyncio.timeout(FORGET_WORKSPACE_SECONDS):
                return await run()
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("redis forget_workspace failed: %s", type(exc).__name__)
            raise StoreUnavailable("redis forget_workspace failed") from exc

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        claim_key = _claim_key(key)
        ttl = _positive_ttl(ttl_seconds)
        result = await self._call("claim", lambda: self._redis.set(claim_key, "1", nx=True, ex=ttl))
        return bool(result)

    async def take_tokens(self, buckets: list[tuple[str, int]], per_seconds: float) -> float:
        keys = [bucket_key(key) for key, _ in buckets]
        args = [per_seconds, time.time(), *(capacity for _, capacity in buckets)]
        # One script for every bucket: one round trip per estimate, however many limits apply.
        wait = await self._call(
            "take_tokens", lambda: self._scripts.call(self._take_script, keys, args)
        )
        return float(wait)

    async def give_back_tokens(self, buckets: list[tuple[str, int]]) -> None:
        keys = [bucket_key(key) for key, _ in buckets]
        args = [capacity for _, capacity in buckets]
        await self._call(
            "give_back_tokens", lambda: self._scripts.call(self._give_back_script, keys, args)
        )

    async def ping(self) -> bool:
        try:
            return bool(await self._call("ping", self._redis.ping))
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        try:
            await self._redis.aclose()
        except (RedisError, OSError) as exc:
            log.debug("redis close failed: %s", type(exc).__name__)


# --- memory ---


@dataclass
class _Entry:
    value: Any  # str for states and claims, list[str] for estimates, dict[str, float] for the index
    expires_at: float


class MemoryStore:
    """In-process backend for development and single-instance use: LRU-bounded, entries expire.

    Mirrors RedisStore key for key, so `forget` counts and TTL refreshes match.
    """

    kind = "memory"

    def __init__(
        self,
        ttl_seconds: int,
        max_keys: int = 10_000,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_keys <= 0:
            raise ValueError("max_keys must be positive")
        self._ttl = _positive_ttl(ttl_seconds)
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
        key = _channel_keys(team, channel).thread(thread_ts)
        return _decode_state(self._get(key), key)

    async def save_thread(
        self, team: str, channel: str, thread_ts: str, state: ConversationState
    ) -> None:
        keys = _channel_keys(team, channel)
        key = keys.thread(thread_ts)
        data = _encode_state(state)
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
        key = _channel_keys(team, channel).latest
        return _decode_state(self._get(key), key)

    async def save_latest(self, team: str, channel: str, state: ConversationState) -> None:
        self._put(_channel_keys(team, channel).latest, _encode_state(state))

    async def record_estimate(self, team: str, channel: str, entry: dict[str, Any]) -> None:
        key = _channel_keys(team, channel).estimates
        data = _encode_entry(entry)
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
            shared = _encode_entry(_workspace_entry(channel, estimate))
            self._put(key, [shared, *(self._get(key) or [])][:WORKSPACE_RECENT])

    async def estimates(self, team: str, channel: str) -> list[dict[str, Any]]:
        key = _channel_keys(team, channel).estimates
        return _decode_entries(list(self._get(key) or []), key)

    async def recent_estimates(self, team: str) -> list[dict[str, Any]]:
        key = workspace_keys(team).recent
        return _decode_entries(list(self._get(key) or []), key)

    async def load_settings(self, team: str) -> dict[str, Any] | None:
        key = workspace_keys(team).settings
        data = self._get(key)
        entries = _decode_entries([data] if data else [], key)
        return entries[0] if entries else None

    async def save_settings(self, team: str, settings: dict[str, Any]) -> None:
        self._put(workspace_keys(team).settings, _encode_entry(settings), SETTINGS_TTL_SECONDS)

    async def forget(self, team: str, channel: str) -> int:
        keys = _channel_keys(team, channel)
        now = self._clock()
        # A prefix scan (cheap in memory) also catches threads whose index entry was evicted.
        doomed = [key for key in self._entries if key.startswith(keys.prefix)]
        deleted = sum(1 for key in doomed if self._entries.pop(key).expires_at > now)
        recent = workspace_keys(team).recent
        kept = _other_channels(list(self._get(recent) or []), channel)
        if kept:
            self._put(recent, kept)
        else:
            self._entries.pop(recent, None)
        log.debug("forgot %d keys under %s", deleted, keys.prefix)
        return deleted

    async def forget_workspace(self, team: str) -> int:
        patterns = _workspace_patterns(team)
        now = self._clock()
        doomed = [
            key for key in self._entries if any(fnmatch.fnmatchcase(key, p) for p in patterns)
        ]
        return sum(1 for key in doomed if self._entries.pop(key).expires_at > now)

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        claim_key = _claim_key(key)
        ttl = _positive_ttl(ttl_seconds)
        if self._get(claim_key) is not None:
            return False
        self._put(claim_key, "1", ttl)
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


def make_store(redis_url: str | None, ttl_seconds: int) -> ConversationStore:
    """Redis when a URL is configured, otherwise memory (fine for one process, lost on restart)."""
    if redis_url:
        return RedisStore(redis_url, ttl_seconds)
    return MemoryStore(ttl_seconds)
