"""The conversation store as a turn uses it: while it is down, answers go out without it.

Redis being down never stops an estimate: a read gives nothing (or the bundled prices), a write
reports it was not kept so the answer can say follow-ups are unavailable for now, and duplicate
claims fall back to this process's memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.advisor import ConversationState
from bot.slack import answers
from bot.slack.job import Job
from bot.slack.metrics import Metrics
from bot.slack.store.codec import settings_from
from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.protocols import Store, StoreUnavailable
from bot.slack.workspace import WorkspaceSettings
from estimator import (
    PriceOverrides,
    Scenario,
)

log = logging.getLogger(__name__)

DUPLICATE_WINDOW_SECONDS = 600  # Slack retries within minutes; a key is remembered for ten
# Pauses before a slow conversation save is made again: past the last, the answer says that
# follow-ups are unavailable. With Redis hung that takes about 2 s (each try gives up after the
# store's save timeout); a follow-up's answer waits for it, an estimate's tips do not.
SAVE_RETRY_SECONDS = (0.2, 0.5)

Reading = TypeVar("Reading", ConversationState, Scenario)
# answers.priced, run where the price tables are read (the estimate worker).
Priced = Callable[[ConversationState | Scenario], Awaitable[bool]]


async def _priced_here(reading: ConversationState | Scenario) -> bool:
    return answers.priced(reading)


class StoreAccess:
    """Reads, writes and duplicate claims that degrade instead of failing (see the module)."""

    def __init__(self, store: Store, metrics: Metrics, priced: Priced = _priced_here) -> None:
        self.store = store
        self.metrics = metrics
        self._priced = priced
        # Stands in for Redis (duplicate claims, rate limits) while it is unreachable.
        self.local = MemoryStore(ttl_seconds=3600, max_keys=10_000)

    async def load(
        self, loader: Callable[[], Awaitable[ConversationState | None]]
    ) -> tuple[ConversationState | None, bool]:
        """(state, store_ok); a state whose models are no longer priced reads as absent."""
        try:
            state = await loader()
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            log.warning("state store unavailable; answering without stored state")
            return None, False
        except ValueError:  # IDs the store refuses as keys: nothing was or can be remembered
            log.warning("unexpected Slack IDs; answering without stored state")
            return None, True
        return await self.priced(state), True

    async def priced(self, reading: Reading | None) -> Reading | None:
        """`reading` (read back without its models' prices: READ_BACK), or None when its models
        are no longer priced. The stores read states without the price tables, which stay out
        of the event loop; they are looked up where the answer is worded."""
        if reading is None:
            return None
        if not await self._priced(reading):
            log.warning(
                "ignoring a %s read back: its model is no longer priced", type(reading).__name__
            )
            return None
        return reading

    async def prices(self, team: str, job: Job | None = None) -> PriceOverrides | None:
        """The workspace's saved prices (None: the bundled ones), as a queued `job` carried them
        when it did. Storage down: the bundled ones, and the log says so; the estimate then
        names no workspace setting."""
        try:
            if job is not None and job.settings is not None:
                # Read with the queued job: no round trip of its own.
                data = settings_from(job.settings, "the job's settings")
            else:
                data = await self.store.load_settings(team)
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            log.warning("state store unavailable; estimating with the bundled prices")
            return None
        except ValueError:
            return None
        if not data:  # most workspaces: skip validating (and copying) the default settings
            return None
        overrides = WorkspaceSettings.load(data).overrides
        return None if overrides.is_default() else overrides

    async def save(self, write: Callable[[], Awaitable[None]]) -> bool:
        """Whether `write` (a conversation save, which may be made twice) was kept. One Redis
        was too slow for may have been made or not: it is made again, up to
        len(SAVE_RETRY_SECONDS) times, so a thread stays answerable through a slow moment (a
        thread reply is queued only while its conversation is kept). A refusal is final."""
        pauses = iter(SAVE_RETRY_SECONDS)
        while True:
            try:
                await write()
                return True
            except StoreUnavailable as exc:
                self.metrics.redis_errors.inc()
                pause = next(pauses, None) if exc.slow else None
                if pause is None:
                    log.warning("state store unavailable; this conversation will not be remembered")
                    return False
                log.info("a conversation save was too slow; saved again in %.1f s", pause)
                await asyncio.sleep(pause)
            except ValueError:
                log.warning("unexpected Slack IDs; this conversation will not be remembered")
                return False

    async def first_time(self, key: str, ttl_seconds: int = DUPLICATE_WINDOW_SECONDS) -> bool:
        """True the first time `key` is seen (across processes through Redis)."""
        try:
            return await self.store.claim(key, ttl_seconds)
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            return await self.local.claim(key, ttl_seconds)
        except ValueError:
            log.warning("unexpected characters in a duplicate key; not deduplicated")
            return True

    async def forget_workspace(self, workspace: str) -> int:
        """Every conversation, history, duplicate claim and rate limit of a workspace (the app
        was uninstalled there). Returns how many keys were deleted."""
        deleted = await self.store.forget_workspace(workspace)
        deleted += await self.local.forget_workspace(workspace)
        return deleted
