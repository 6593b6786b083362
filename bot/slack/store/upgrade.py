"""Keys written before the hash tags, renamed once at start: a running deployment's conversations,
workspace settings (kept without expiry), feedback, claims, buckets and queued jobs carry over.

Before: `aicost:T123:...`, `aicost:claim:...`, `aicost:bucket:...`, `aicost:jobs...`. Now: the
workspace's keys under `aicost:{T123}:` and the queue's under its first partition `aicost:{jobs:0}`
(bot/slack/store/keys.py, bot/slack/job_stream.py). Each replica runs this as it starts; it is
idempotent and safe when several start at once: RENAMENX moves a key only where nothing is yet,
and a key another replica moved first is simply gone. On a Redis Cluster, where the old and the new
name may live in different slots, the key is copied (DUMP, RESTORE without REPLACE) and deleted.
A pass that leaves nothing behind sets DONE for a month, and starts meanwhile skip the scan (a
large keyspace is scanned once a month at most, not at every start); delete it to scan again.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ResponseError

from bot.slack.job_stream import dead_key, stream_key
from bot.slack.store.keys import (
    KEY_PREFIX,
    PAGE_ID,
    SLACK_ID,
    bucket_key,
    claim_key,
    workspace_prefix,
)

log = logging.getLogger(__name__)

OLD_KEYS = f"{KEY_PREFIX}:[^{{]*"  # every key of ours without a hash tag
_OLD_STREAM = f"{KEY_PREFIX}:jobs"
DONE = f"{KEY_PREFIX}:{{upgrade}}:hash-tags"  # tagged itself, so never taken for an old key
# Like every key, it expires: a month later one start scans again (and finds nothing).
DONE_SECONDS = 30 * 24 * 3600


def new_name(old: str) -> str | None:
    """The key `old` (an older version's) is now kept under; None for one that is not ours."""
    if not old.startswith(f"{KEY_PREFIX}:") or old.startswith(f"{KEY_PREFIX}:{{"):
        return None
    rest = old[len(KEY_PREFIX) + 1 :]
    head, _, tail = rest.partition(":")
    try:
        if rest == "jobs":
            return stream_key(0)
        if rest == "jobs:dead":
            return dead_key(stream_key(0))
        if head == "jobs" and tail.startswith("steps:"):
            return f"{stream_key(0)}:{tail}"
        if head == "claim":
            return claim_key(tail)
        if head == "bucket":
            return bucket_key(tail)
        if head == "page" and PAGE_ID.fullmatch(tail):
            return None  # a page's pointer keeps its name (no tag: pointers spread over slots)
        if SLACK_ID.fullmatch(head) and tail:
            return f"{workspace_prefix(head)}{tail}"
    except ValueError:
        return None
    return None


async def upgrade_keys(redis: Any) -> int:
    """Rename every older-format key; how many moved. Raises what the client raises."""
    if await redis.exists(DONE):
        return 0
    moved, left = 0, 0
    async for old in redis.scan_iter(match=OLD_KEYS, count=1000):
        new = new_name(old)
        if new is None:
            continue
        if await _move(redis, old, new):
            moved += 1
        elif old == _OLD_STREAM and await redis.exists(old):
            left += 1
    if moved:
        log.warning("renamed %d keys of an earlier version to their hash-tagged names", moved)
    if not left:
        await redis.set(DONE, "1", ex=DONE_SECONDS)
    return moved


async def _move(redis: Any, old: str, new: str) -> bool:
    if isinstance(redis, RedisCluster) and redis.keyslot(old) != redis.keyslot(new):
        return await _copy(redis, old, new)
    try:
        if await redis.renamenx(old, new):
            return True
    except ResponseError as exc:
        if "no such key" in str(exc).lower():
            return False  # another replica moved it first
        if "CROSSSLOT" not in str(exc):
            raise
        return await _copy(redis, old, new)
    return await _already_there(redis, old, new)


async def _copy(redis: Any, old: str, new: str) -> bool:
    """Across slots (a cluster): the value with its expiry and, for the job stream, its groups."""
    payload = await redis.dump(old)
    if payload is None:
        return False
    ttl = await redis.pttl(old)
    try:
        await redis.restore(new, max(ttl, 0), payload)
    except ResponseError as exc:
        if "BUSYKEY" not in str(exc):
            raise
        return await _already_there(redis, old, new)
    await redis.delete(old)
    return True


async def _already_there(redis: Any, old: str, new: str) -> bool:
    """The new name exists: the new version wrote it after the upgrade began, so it is the newer.
    The old job stream is the exception: its entries may still be owed an answer (an older
    replica of a rolling upgrade wrote them), so it is kept and named in the log."""
    if old == _OLD_STREAM:
        log.warning(
            "%s (an earlier version's job stream) is still written while %s exists: finish the "
            "upgrade of every replica, then restart one (docs/queue.md, 'Upgrading')",
            old,
            new,
        )
        return False
    await redis.delete(old)
    return False
