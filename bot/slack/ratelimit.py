"""Fair use: at most so many estimates a minute per person and per workspace (token buckets in
the shared store, so every bot process counts the same; in process memory while Redis is down)."""

from __future__ import annotations

import logging
import math

from bot.slack.store.protocols import StoreUnavailable, TokenBucketStore

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
