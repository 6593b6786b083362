"""Fair use: at most so many estimates a minute per person and per workspace, and so many
requests a minute per client of the shared estimate pages (token buckets in the shared store, so
every bot process counts the same; in process memory while Redis is down)."""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Protocol

from bot.slack.store.protocols import ClaimStore, StoreUnavailable, TokenBucketStore

log = logging.getLogger(__name__)

PER_USER = 10  # estimates a minute per person
PER_WORKSPACE = 100  # estimates a minute per workspace
WINDOW_SECONDS = 60.0


class EstimateLimiter:
    def __init__(self, store: TokenBucketStore, fallback: TokenBucketStore) -> None:
        self.store = store
        self.fallback = fallback

    async def wait_seconds(self, team: str, user: str) -> float:
        """0 when this person may have another estimate now, else how long to wait."""
        buckets = limit_buckets(team, user)
        try:
            return await self.store.take_tokens(buckets, WINDOW_SECONDS)
        except StoreUnavailable:
            return await self.fallback.take_tokens(buckets, WINDOW_SECONDS)
        except ValueError:  # IDs that are not Slack's: nothing to count them by
            log.warning("rate limit skipped for an unexpected ID")
            return 0.0

    async def give_back(self, team: str, user: str) -> None:
        """Return the estimate a request was charged up front (bot/slack/job_queue.py) when its
        answer turned out to cost nothing (help, a hint, an error)."""
        try:
            await self.store.give_back_tokens(limit_buckets(team, user))
        except (StoreUnavailable, ValueError):
            log.info("could not give back an estimate's rate-limit token")


def limit_buckets(team: str, user: str) -> list[tuple[str, int]]:
    """The (bucket, estimates a minute) pairs a person's estimate is counted in."""
    return [(f"user:{team}:{user}", PER_USER), (f"team:{team}", PER_WORKSPACE)]


def slow_down_text(wait: float) -> str:
    seconds = max(1, math.ceil(wait))
    unit = "second" if seconds == 1 else "seconds"
    return (
        f"That's a lot of estimates at once: I answer up to {PER_USER} a minute per person and "
        f"{PER_WORKSPACE} per workspace. Try again in {seconds} {unit}."
    )


class PageLimitStore(TokenBucketStore, ClaimStore, Protocol):
    """The page limiter's buckets, and its claim of the one log line a window."""


class PageLimiter:
    """Shared estimate pages' requests per client (an IPv4 address, an IPv6 /64: client_address.py),
    `per_minute` of them (the setting ESTIMATE_PAGE_REQUESTS_PER_MINUTE). Every request is charged
    the same, before its page is looked up, so an unknown ID costs what a known one does."""

    def __init__(self, store: PageLimitStore, fallback: PageLimitStore, per_minute: int) -> None:
        self.store = store
        self.fallback = fallback
        self.per_minute = per_minute

    async def wait_seconds(self, address: str | None) -> float:
        """0 when this client may have another page now, else how long to wait. The first
        request refused in a window is logged (as a digest of the address, never an ID)."""
        client = client_digest(address)
        bucket = [(f"page:{client}", self.per_minute)]
        try:
            wait = await self.store.take_tokens(bucket, WINDOW_SECONDS)
        except StoreUnavailable:
            wait = await self.fallback.take_tokens(bucket, WINDOW_SECONDS)
        if wait > 0 and await self._first_refusal(client):
            log.warning(
                "estimate pages: client %s is over %d requests a minute; answering 429 for now",
                client,
                self.per_minute,
            )
        return wait

    async def _first_refusal(self, client: str) -> bool:
        key, ttl = f"page:{client}:limited", math.ceil(WINDOW_SECONDS)
        try:
            return await self.store.claim(key, ttl)
        except StoreUnavailable:
            return await self.fallback.claim(key, ttl)


def client_digest(address: str | None) -> str:
    """A short digest of a client's address: its bucket's name and what the log shows, so
    neither the store's keys nor the log hold anyone's address."""
    raw = (address or "unknown").encode()
    return hashlib.blake2b(raw, digest_size=8, person=b"aicost-pages").hexdigest()
