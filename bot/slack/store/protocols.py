"""What the store does, one small protocol per job, and what every backend promises.

A caller asks for the narrowest protocol it uses (the rate limiter for token buckets, the Home
tab for the workspace's data); a backend implements them all (`Store`). Every method raises
`StoreUnavailable` when the backend did not answer in time, so the caller can answer without
stored state instead of hanging, and `ValueError` for IDs that are not Slack's.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.advisor import ConversationState

ESTIMATE_HISTORY = 20  # estimates kept per channel
WORKSPACE_RECENT = 20  # estimates kept per workspace, newest first, for the Home tab
SETTINGS_TTL_SECONDS = 10 * 365 * 24 * 3600  # kept until changed or the app is uninstalled


class StoreUnavailable(Exception):
    """The backend did not answer (in time); the caller should carry on without stored state.
    `slow`: it did not answer in time (or had no connection free in time), so a write may have
    been made, or be made yet, and trying again may succeed; else it refused or failed."""

    def __init__(self, message: str = "", *, slow: bool = False) -> None:
        super().__init__(message)
        self.slow = slow


def positive_ttl(ttl_seconds: int) -> int:
    """Seconds to keep a value, as every backend accepts them (ValueError unless positive)."""
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    return int(ttl_seconds)


class ConversationStore(Protocol):
    """Per channel: each thread's conversation, the channel's latest one, its estimate history."""

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
        """The thread's state, the channel's latest and (optionally) a history entry, at once;
        the entry also joins the workspace's recent estimates."""
        ...

    async def estimates(self, team: str, channel: str) -> list[dict[str, Any]]: ...

    async def forget(self, team: str, channel: str) -> int:
        """Everything of the channel, its entries in the workspace's recent estimates too;
        how many keys were deleted."""
        ...


class WorkspaceStore(Protocol):
    """Per workspace: what its Home tab shows (recent estimates, written by `save_conversation`)
    and its settings."""

    async def recent_estimates(self, team: str) -> list[dict[str, Any]]:
        """The workspace's newest estimates across channels (each entry names its channel)."""
        ...

    async def load_settings(self, team: str) -> dict[str, Any] | None: ...

    async def save_settings(self, team: str, settings: dict[str, Any]) -> None: ...

    async def count_feedback(self, team: str, verdict: str) -> None:
        """One more estimate found `verdict` (useful, not_useful) in the workspace."""
        ...

    async def feedback(self, team: str) -> dict[str, int]:
        """The workspace's feedback counts by verdict (none yet: empty)."""
        ...


class ClaimStore(Protocol):
    """Duplicate checks: a delivery Slack retries, a button clicked twice."""

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        """True the first time `key` is claimed within `ttl_seconds`, False after."""
        ...


class TokenBucketStore(Protocol):
    """Rate-limit buckets shared by every process using the backend."""

    async def take_tokens(self, buckets: list[tuple[str, int]], per_seconds: float) -> float:
        """Take one token from each (key, capacity) bucket, each refilling its capacity every
        `per_seconds`, stopping at the first that is empty. Returns 0 when all were taken, else
        the seconds until that bucket has a token."""
        ...

    async def give_back_tokens(self, buckets: list[tuple[str, int]]) -> None:
        """One token back to each bucket (a request charged up front that cost nothing)."""
        ...


class PageStore(Protocol):
    """Shareable estimate pages (bot/slack/estimate_pages.py): each under its workspace, found
    by its unguessable ID alone, expiring after `ttl_seconds`; `forget` and `forget_workspace`
    delete them with the channel or workspace they belong to."""

    async def save_page(
        self, team: str, channel: str, page_id: str, record: dict[str, Any], ttl_seconds: int
    ) -> None: ...

    async def load_page(self, page_id: str) -> dict[str, Any] | None:
        """The page's record (it names its team), or None: unknown, expired or forgotten."""
        ...

    async def revoke_page(self, team: str, page_id: str, at: int) -> dict[str, Any] | None:
        """The workspace's page marked revoked at `at` (kept until it expires, so its address
        says so); None when the workspace has no such page."""
        ...


class StoreLifecycle(Protocol):
    kind: str  # "redis" or "memory"
    # Whether a write it confirmed can still be lost (a replicated Redis whose primary died
    # before its replica had it): then a thread it has no conversation for may be one of ours.
    replicated: bool

    async def ping(self) -> bool:
        """Whether the backend answers now (never raises)."""
        ...

    async def close(self) -> None: ...


class Store(
    ConversationStore,
    WorkspaceStore,
    ClaimStore,
    TokenBucketStore,
    PageStore,
    StoreLifecycle,
    Protocol,
):
    """A whole backend: every job, and forgetting all of a workspace at once."""

    async def forget_workspace(self, team: str) -> int:
        """Every key of a workspace: conversations, histories, settings, claims, rate limits."""
        ...
