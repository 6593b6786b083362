"""Where the bot keeps what outlives one request: conversations, workspace settings, duplicate
claims and rate-limit buckets.

    protocols.py       what the store does, one small protocol per job (Store: all of them)
    keys.py            every key, built from Slack IDs only (the one place names are decided)
    codec.py           every stored value: JSON, capped in size, unreadable values read as absent
    redis_backend.py   RedisStore, shared by all bot processes
    memory_backend.py  MemoryStore, in process (development, one instance, fallback during outages)
"""

from __future__ import annotations

from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.protocols import Store
from bot.slack.store.redis_backend import RedisStore


def make_store(redis_url: str | None, ttl_seconds: int, wait_replicas: int = 0) -> Store:
    """Redis when a URL is configured, otherwise memory (fine for one process, lost on restart).
    `wait_replicas`: a conversation save waits for that many replicas to hold it (Redis WAIT)."""
    if redis_url:
        return RedisStore(redis_url, ttl_seconds, wait_replicas=wait_replicas)
    return MemoryStore(ttl_seconds)
