"""The Redis backend: shared by every bot process, so replicas answer each other's threads.

Every call gives up within its budget with `StoreUnavailable` (a fraction of a second; an
uninstall's keyspace scan, longer), so a Redis that is down or hung costs a reply its memory,
never its answer. Writes that belong together go
in one round trip: a transaction, or a server-side script batched with the loop turn's others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.advisor import ConversationState
from bot.slack.redis_batch import ScriptBatch
from bot.slack.store.codec import (
    decode_entries,
    decode_state,
    encode_entry,
    encode_state,
    other_channels,
    settings_from,
    workspace_entry,
)
from bot.slack.store.connect import SINGLE, connect, parse_redis_url, primaries_answer
from bot.slack.store.keys import (
    SLACK_ID,
    ChannelKeys,
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
    StoreUnavailable,
    positive_ttl,
)
from bot.slack.store.redis_scripts import (
    GIVE_BACK_TOKENS,
    SAVE_CONVERSATION,
    SAVE_THREAD,
    TAKE_TOKENS,
)

log = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.2
# Saving a conversation happens after its estimate is posted: nobody waits on it, and losing it
# costs the user their follow-ups. A busy event loop can take longer than 200 ms to read a
# reply Redis sent in time (on a slow 2-core machine, a burst's saves failed together while
# Redis was fine), so this budget is longer. A save that still times out is made again
# (StoreAccess.save), so a hung Redis delays an estimate's tips by a few seconds.
SAVE_TIMEOUT_SECONDS = 0.5
MAX_CONNECTIONS = 128  # per process; more than the replies that run at once (96), plus probes
FORGET_WORKSPACE_SECONDS = 30.0  # an uninstall scans the keyspace once; it may take a while
# With replicas (Sentinel, a cluster) a primary that goes away is replaced within seconds: the
# calls an acknowledged job cannot do without (its thread's conversation, the workspace's
# settings, saving the answer) are tried again for this long, each try within its own budget,
# rather than answering without them. One Redis that is down is not waited for.
FAILOVER_RETRY_SECONDS = 8.0
FAILOVER_RETRY_PAUSE = 0.25

T = TypeVar("T")


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
        client: Any = None,
        wait_replicas: int = 0,
    ) -> None:
        self._ttl = positive_ttl(ttl_seconds)
        self._timeout = timeout
        self._save_timeout = max(timeout, save_timeout)
        # No retries: a retry with backoff would outlast the caller's patience. The pool drops a
        # broken connection and dials again on the next call, so the store recovers by itself.
        # A bounded pool that waits (briefly) for a free connection: the default pool raises
        # MaxConnectionsError under bursts instead of queueing.
        # (A cluster client retries briefly all the same: bot/slack/store/connect.py.)
        target = parse_redis_url(url)
        self._failover_seconds = 0.0 if target.kind == SINGLE else FAILOVER_RETRY_SECONDS
        # A miss is not proof the thread was never kept: a primary that died before its replica
        # had a save took it along (shared_threads.py then reads the thread back from Slack).
        self.replicated = target.kind != SINGLE or wait_replicas > 0
        self._cluster = target.cluster
        self._redis = client or connect(
            target,
            max_connections=MAX_CONNECTIONS,
            pool_timeout=timeout,
            # Each call is bounded by its own budget (_call); the socket allows the longest.
            socket_timeout=self._save_timeout,
            connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._save_script = self._redis.register_script(SAVE_CONVERSATION)
        self._save_thread_script = self._redis.register_script(SAVE_THREAD)
        self._take_script = self._redis.register_script(TAKE_TOKENS)
        self._give_back_script = self._redis.register_script(GIVE_BACK_TOKENS)
        # The scripts of one loop turn, sent together; with `wait_replicas` (REDIS_WAIT_REPLICAS)
        # a conversation save (an estimate's, or a question's thread) is answered once that many
        # replicas hold it, as a queued job is: a thread answered before a failover is kept after.
        self._scripts = ScriptBatch(self._redis, wait_replicas, target.cluster, "conversation")

    async def _call(
        self,
        operation: str,
        run: Callable[[], Awaitable[T]],
        timeout: float | None = None,
        *,
        across_failover: bool = False,
    ) -> T:
        loop = asyncio.get_running_loop()
        until = loop.time() + (self._failover_seconds if across_failover else 0.0)
        while True:
            try:
                # The socket timeouts miss some waits (pool, DNS); this bounds the whole call.
                async with asyncio.timeout(timeout or self._timeout):
                    return await run()
            except (RedisError, OSError, TimeoutError) as exc:
                # OSError covers ConnectionError; TimeoutError is asyncio.TimeoutError on 3.11+.
                if loop.time() + FAILOVER_RETRY_PAUSE < until:
                    await asyncio.sleep(FAILOVER_RETRY_PAUSE)
                    continue
                log.warning("redis %s failed: %s", operation, type(exc).__name__)
                raise StoreUnavailable(f"redis {operation} failed", slow=_slow(exc)) from exc

    async def _get(self, operation: str, key: str, across_failover: bool = False) -> str | None:
        return await self._call(
            operation, lambda: self._redis.get(key), across_failover=across_failover
        )

    async def load_thread(
        self, team: str, channel: str, thread_ts: str
    ) -> ConversationState | None:
        key = channel_keys(team, channel).thread(thread_ts)
        return decode_state(await self._get("load_thread", key, across_failover=True), key)

    def _queue_estimate(self, pipe: Any, keys: ChannelKeys, data: str) -> None:
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
        keys = channel_keys(team, channel)
        thread = keys.thread(thread_ts)  # validates the ts before anything is sent
        data = encode_state(state)
        # As save_conversation: batched, waiting for REDIS_WAIT_REPLICAS, saved again across a
        # failover (writing the same state twice is harmless).
        await self._call(
            "save_thread",
            lambda: self._scripts.call(
                self._save_thread_script,
                [thread, keys.threads],
                [data, thread_ts, time.time(), self._ttl],
            ),
            timeout=self._save_timeout,
            across_failover=True,
        )

    async def load_latest(self, team: str, channel: str) -> ConversationState | None:
        key = channel_keys(team, channel).latest
        return decode_state(await self._get("load_latest", key), key)

    async def save_latest(self, team: str, channel: str, state: ConversationState) -> None:
        key = channel_keys(team, channel).latest
        data = encode_state(state)
        await self._call("save_latest", lambda: self._redis.set(key, data, ex=self._ttl))

    async def record_estimate(self, team: str, channel: str, entry: dict[str, Any]) -> None:
        keys = channel_keys(team, channel)
        data = encode_entry(entry)
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
        keys = channel_keys(team, channel)
        recent = workspace_keys(team).recent
        data = encode_state(state)
        entry = encode_entry(estimate) if estimate is not None else ""
        shared = encode_entry(workspace_entry(channel, estimate)) if estimate is not None else ""
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
            # Across a failover: a save that ran but lost its answer with the old primary is
            # saved again (the same state; its history entry may then show twice).
            across_failover=True,
        )

    async def estimates(self, team: str, channel: str) -> list[dict[str, Any]]:
        key = channel_keys(team, channel).estimates
        items = await self._call(
            "estimates", lambda: self._redis.lrange(key, 0, ESTIMATE_HISTORY - 1)
        )
        return decode_entries(items, key)

    async def recent_estimates(self, team: str) -> list[dict[str, Any]]:
        key = workspace_keys(team).recent
        items = await self._call(
            "recent_estimates", lambda: self._redis.lrange(key, 0, WORKSPACE_RECENT - 1)
        )
        return decode_entries(items, key)

    async def load_settings(self, team: str) -> dict[str, Any] | None:
        key = workspace_keys(team).settings
        data = await self._get("load_settings", key, across_failover=True)
        return settings_from(data or "", key)

    async def count_feedback(self, team: str, verdict: str) -> None:
        key = workspace_keys(team).feedback
        await self._call("count_feedback", lambda: self._redis.hincrby(key, verdict, 1))

    async def feedback(self, team: str) -> dict[str, int]:
        key = workspace_keys(team).feedback
        counts = await self._call("feedback", lambda: self._redis.hgetall(key))
        return {str(k): int(v) for k, v in (counts or {}).items()}

    async def save_settings(self, team: str, settings: dict[str, Any]) -> None:
        key = workspace_keys(team).settings
        data = encode_entry(settings)
        await self._call(
            "save_settings", lambda: self._redis.set(key, data, ex=SETTINGS_TTL_SECONDS)
        )

    async def forget(self, team: str, channel: str) -> int:
        keys = channel_keys(team, channel)
        recent = workspace_keys(team).recent

        async def run() -> int:
            thread_ts = await self._redis.zrange(keys.threads, 0, -1)
            # Index entries were validated when written; re-check so a tampered index can't
            # make us delete outside this channel.
            threads = [keys.thread(ts) for ts in thread_ts if SLACK_ID.fullmatch(ts)]
            doomed = [keys.latest, keys.estimates, keys.threads, *threads]
            # The workspace's recent list keeps the other channels' estimates only.
            kept = other_channels(await self._redis.lrange(recent, 0, -1), channel)
            index = workspace_keys(team).pages
            pages = pages_of(await self._redis.zrange(index, 0, -1), channel)
            doomed += [page_keys(team, page_id).record for _, page_id in pages]
            # The pages' pointers have no workspace tag: on a cluster they live in other slots,
            # deleted after the workspace's keys (a pointer left alone finds no page).
            pointers = [page_pointer(page_id) for _, page_id in pages]
            together = not self._cluster
            async with self._redis.pipeline(transaction=True) as pipe:
                if pages:
                    pipe.zrem(index, *(member for member, _ in pages))
                pipe.delete(*doomed, *(pointers if together else []))
                pipe.delete(recent)
                if kept:
                    pipe.rpush(recent, *kept)
                    pipe.expire(recent, self._ttl)
                results = await pipe.execute()
            deleted = int(results[1 if pages else 0])
            if pointers and not together:
                deleted += int(await self._redis.delete(*pointers))
            return deleted

        deleted = await self._call("forget", run)
        log.debug("forgot %d keys under %s", deleted, keys.prefix)
        return deleted

    async def forget_workspace(self, team: str) -> int:
        patterns = workspace_patterns(team)

        async def run() -> int:
            # Pointers to the workspace's pages are not under its prefix: deleted by its index.
            index = workspace_keys(team).pages
            pages = pages_of(await self._redis.zrange(index, 0, -1))
            pointers = [page_pointer(page_id) for _, page_id in pages]
            deleted = int(await self._redis.delete(*pointers)) if pointers else 0
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

    async def save_page(
        self, team: str, channel: str, page_id: str, record: dict[str, Any], ttl_seconds: int
    ) -> None:
        keys = page_keys(team, page_id)
        member = page_member(page_id, channel)
        data = encode_entry(record)
        ttl = positive_ttl(ttl_seconds)
        now = time.time()

        def queue(pipe: Any) -> None:
            pipe.set(keys.record, data, ex=ttl)
            if not self._cluster:
                pipe.set(keys.pointer, team, ex=ttl)
            # The index is scored by expiry, so expired pages are pruned from it; it lives as
            # long as its longest-lived page.
            pipe.zadd(keys.index, {member: now + ttl})
            pipe.zremrangebyscore(keys.index, "-inf", now)
            pipe.expire(keys.index, ttl, nx=True)
            pipe.expire(keys.index, ttl, gt=True)

        await self._transaction("save_page", queue)
        if self._cluster:  # the pointer is in another slot: after its page, which it finds
            await self._call("save_page", lambda: self._redis.set(keys.pointer, team, ex=ttl))

    async def load_page(self, page_id: str) -> dict[str, Any] | None:
        pointer = page_pointer(page_id)
        team = await self._get("load_page", pointer)
        if not team or not SLACK_ID.fullmatch(team):
            return None
        key = page_keys(team, page_id).record
        record = settings_from(await self._get("load_page", key) or "", key)
        return record if record is not None and record.get("team") == team else None

    async def revoke_page(self, team: str, page_id: str, at: int) -> dict[str, Any] | None:
        key = page_keys(team, page_id).record
        record = settings_from(await self._get("revoke_page", key) or "", key)
        if record is None:
            return None
        record["revoked_at"] = record.get("revoked_at") or at
        data = encode_entry(record)
        await self._call("revoke_page", lambda: self._redis.set(key, data, keepttl=True))
        return record

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        claimed = claim_key(key)
        ttl = positive_ttl(ttl_seconds)
        result = await self._call("claim", lambda: self._redis.set(claimed, "1", nx=True, ex=ttl))
        return bool(result)

    async def take_tokens(self, buckets: list[tuple[str, int]], per_seconds: float) -> float:
        keys = [bucket_key(key) for key, _ in buckets]
        args = [per_seconds, time.time(), *(capacity for _, capacity in buckets)]
        # One script for every bucket: one round trip per estimate, however many limits apply.
        wait = await self._call(
            "take_tokens",
            lambda: self._scripts.call(self._take_script, keys, args, replicate=False),
        )
        return float(wait)

    async def give_back_tokens(self, buckets: list[tuple[str, int]]) -> None:
        keys = [bucket_key(key) for key, _ in buckets]
        args = [capacity for _, capacity in buckets]
        await self._call(
            "give_back_tokens",
            lambda: self._scripts.call(self._give_back_script, keys, args, replicate=False),
        )

    async def ping(self) -> bool:
        try:
            # Every primary: on a cluster, one shard without a primary is not ready either.
            return bool(await self._call("ping", lambda: primaries_answer(self._redis)))
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        try:
            await self._redis.aclose()
        except (RedisError, OSError) as exc:
            log.debug("redis close failed: %s", type(exc).__name__)


def _slow(exc: BaseException) -> bool:
    """Redis did not answer in time, or no pooled connection came free in time (the pool raises
    ConnectionError from a timeout): a write may have been made, and may be tried again."""
    if isinstance(exc, TimeoutError | RedisTimeoutError):
        return True
    return isinstance(exc.__cause__, TimeoutError)
