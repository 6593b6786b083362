"""Acknowledging finished jobs: together, and again across a failover.

Jobs that finish within ACK_BATCH_SECONDS of each other are acknowledged and deleted in one
transaction per partition (XACK, XDEL of the entries, DEL of their step ledgers): once no replica
can take a job over, its entry (what the person wrote) and its ledger have nothing left to do. A
replica killed inside that window leaves its finished jobs pending; whoever takes them over finds
every step posted. An acknowledgement Redis does not answer is tried again every
ACK_RETRY_INTERVAL for ACK_RETRY_SECONDS (a failover promotes a replica within seconds); later,
a takeover finds every step posted and acknowledges them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from redis.exceptions import RedisError

from bot.slack.job_stream import GROUP

log = logging.getLogger(__name__)

# Finished jobs are acknowledged together, one XACK per ACK_BATCH_SECONDS: a round trip a job
# fewer on the event loop (docs/benchmarks.md).
ACK_BATCH_SECONDS = 0.02
ACK_RETRY_SECONDS = 20.0
ACK_RETRY_INTERVAL = 0.5


class Acks:
    """This replica's finished jobs, waiting for their acknowledgement."""

    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self.stopping = False  # no more retries: what fails is left pending
        # Done, acknowledged with the next batch: (stream, entry ID, its ledger's key).
        self._finished: list[tuple[str, str, str]] = []
        self._failing_since: float | None = None
        self._batch: asyncio.Task[None] | None = None

    def soon(self, stream: str, entry_id: str, ledger: str, after: float = 0) -> None:
        """Acknowledge a finished job with the others that finish within ACK_BATCH_SECONDS."""
        self._finished.append((stream, entry_id, ledger))
        if self._batch is None:
            self._batch = asyncio.create_task(self._send(after or ACK_BATCH_SECONDS))

    async def now(self) -> None:
        """Acknowledge what finished at once (shutting down), not left pending."""
        if self._batch is not None:
            self._batch.cancel()
            self._batch = None
        await self._send(0)

    async def one(self, stream: str, entry_id: str, ledger: str | None = None) -> None:
        """Acknowledge one entry now (dropped, trimmed away or dead-lettered)."""
        try:
            await self.done(stream, [entry_id], [ledger] if ledger else [])
        except (RedisError, OSError) as exc:  # redelivered later; the ledger skips posted steps
            log.warning("could not acknowledge job %s: %s", entry_id, type(exc).__name__)

    async def done(self, stream: str, entries: list[str], ledgers: list[str]) -> None:
        """Acknowledge entries of one partition and delete them with their ledgers, in its slot."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(stream, GROUP, *entries)
            pipe.xdel(stream, *entries)
            if ledgers:
                pipe.delete(*ledgers)
            await pipe.execute()

    async def _send(self, after: float) -> None:
        await asyncio.sleep(after)
        finished, self._finished = self._finished, []
        self._batch = None
        failed: list[tuple[str, str, str]] = []
        for stream in {stream for stream, _, _ in finished}:
            mine = [(entry_id, ledger) for of, entry_id, ledger in finished if of == stream]
            try:
                await self.done(stream, [e for e, _ in mine], [ledger for _, ledger in mine])
            except (RedisError, OSError) as exc:
                log.warning("could not acknowledge %d jobs: %s", len(mine), type(exc).__name__)
                failed += [(stream, entry_id, ledger) for entry_id, ledger in mine]
        self._again(failed)

    def _again(self, failed: list[tuple[str, str, str]]) -> None:
        now = time.monotonic()
        if not failed:
            self._failing_since = None
            return
        self._failing_since = self._failing_since or now
        if now - self._failing_since > ACK_RETRY_SECONDS or self.stopping:
            log.warning("left %d finished jobs unacknowledged: taken over later", len(failed))
            return
        for stream, entry_id, ledger in failed:
            self.soon(stream, entry_id, ledger, after=ACK_RETRY_INTERVAL)
