"""The durable job queue: acknowledged work recorded in a Redis Stream, done by any replica.

A listener turns a Slack request into a `Job` (plain, serialisable fields) and `enqueue`s it in
one round trip (duplicate claim, a slash command's rate-limit charge, the workspace's settings
and XADD in one script) before Bolt sends the acknowledgement. Every replica reads the stream
through one consumer group, runs at most `capacity` jobs at once, and XACKs finished jobs
(together, within ACK_BATCH_SECONDS). A replica that dies leaves its jobs pending; live replicas
XCLAIM jobs idle past JOB_CLAIM_IDLE_SECONDS and finish them; a job delivered more than
JOB_MAX_DELIVERIES times is dead-lettered. Each delivery runs with a `StepLedger`
(bot/slack/step_ledger.py), through which each visible step of a job is posted at most once (see
docs/queue.md for the order of record and post).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from bot.slack.direct_message import is_direct
from bot.slack.job import Job, JobDeferred
from bot.slack.job_stream import (
    DEAD_MAX_AGE_SECONDS,
    DEAD_MAX_LEN,
    DEAD_STREAM,
    ENQUEUE,
    FOLLOW_UPS,
    GROUP,
    JOB_MAX_AGE_SECONDS,
    STREAM,
    STREAM_MAX_LEN,
    forget_jobs,
    ledger_key,
    oldest_id,
    owner_key,
)
from bot.slack.metrics import Metrics
from bot.slack.redis_batch import ScriptBatch
from bot.slack.redis_outage import OutageLog
from bot.slack.step_ledger import StepLedger
from bot.slack.store.keys import bucket_key, claim_key, workspace_keys
from bot.slack.store.protocols import StoreUnavailable

log = logging.getLogger(__name__)

READ_BLOCK_MS = 500  # a reader notices shutdown within this long
# Under load the reader waits until this many jobs have room (one read per batch, not one per
# finished job) and finished jobs are acknowledged together, one XACK per ACK_BATCH_SECONDS: two
# round trips a job fewer on the event loop (docs/benchmarks.md). A replica killed inside that
# window leaves its finished jobs pending; whoever takes them over finds every step posted.
READ_BATCH = 16
ACK_BATCH_SECONDS = 0.02
ENQUEUE_TIMEOUT_SECONDS = 0.5  # the acknowledgement waits this long for Redis (Slack allows 3 s)
# A job whose recording Redis has not confirmed by then is acknowledged all the same, and Redis's
# answer awaited until ENQUEUE_DEADLINE_SECONDS after it was sent: the script records nothing
# later than that by Redis's clock, so a job the replica then answers itself is never also in
# the stream for another to answer. CLOCK_MARGIN_SECONDS allows for the two clocks' difference.
ENQUEUE_DEADLINE_SECONDS = 1.0
CLOCK_MARGIN_SECONDS = 0.25
REDIS_SOCKET_SECONDS = 5.0  # above READ_BLOCK_MS: a blocked read is not a dead connection


class EnqueueUndecided(Exception):
    """Redis has not answered within ENQUEUE_TIMEOUT_SECONDS (it is slow, or this process is).
    Awaiting `outcome` tells, by the deadline, whether the job was recorded (True), was a
    duplicate (False), or was not recorded and never will be (StoreUnavailable)."""

    def __init__(self, outcome: Awaitable[bool]) -> None:
        super().__init__("Redis has not answered yet")
        self.outcome = outcome


# --- the queue ------------------------------------------------------------------------------


class JobQueue:
    """The stream, its consumer group, and this process's consumer."""

    def __init__(
        self,
        url: str,
        run: Callable[[Job, StepLedger], Awaitable[None]],
        lost: Callable[[Job], Awaitable[None]],
        metrics: Metrics,
        capacity: int,
        claim_idle_seconds: float,
        max_deliveries: int,
    ) -> None:
        self.redis = aioredis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=REDIS_SOCKET_SECONDS,
            socket_connect_timeout=ENQUEUE_TIMEOUT_SECONDS,
            max_connections=capacity * 2,
        )
        self._enqueue = self.redis.register_script(ENQUEUE)
        self._scripts = ScriptBatch(self.redis)  # a burst's enqueues, sent together
        self.run = run
        self.lost = lost
        self.capacity = capacity
        self.claim_idle_ms = int(claim_idle_seconds * 1000)
        self.max_deliveries = max_deliveries
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.metrics = metrics
        self.outage = OutageLog(url)  # the polling loops' failures, said once and rate-limited
        self._running: dict[str, asyncio.Task[None]] = {}
        self._room = asyncio.Event()
        self._stopping = False
        # Done, acknowledged with the next batch: (entry ID, its ledger's key).
        self._finished: list[tuple[str, str]] = []
        self._acking: asyncio.Task[None] | None = None
        self._loops: list[asyncio.Task[None]] = []
        self.last_seen: dict[str, int] = {"pending": 0, "lag": 0}

    # -- producing ------------------------------------------------------------------------------

    async def enqueue(
        self,
        job: Job,
        once: str | None = None,
        once_seconds: int = 600,
        charge: list[tuple[str, int]] | None = None,
        per_seconds: float = 60.0,
        wait: float = ENQUEUE_TIMEOUT_SECONDS,
    ) -> bool:
        """Record the job; False when `once` was claimed before (a duplicate delivery). True too
        for a reply in a thread the bot keeps no conversation for: nothing is owed, nothing
        recorded (stray channel talk never enters the stream). With
        `charge` ((bucket, capacity) pairs refilling every `per_seconds`), take its rate-limit
        tokens in the same round trip. Raises StoreUnavailable when Redis fails, EnqueueUndecided
        when it has not answered in `wait` (at most ENQUEUE_TIMEOUT_SECONDS), ValueError for IDs
        that are not Slack's (nothing can be keyed by them)."""
        claims = [claim_key(once)] if once else []
        # In a Slack Connect channel the thread's conversation may be kept under the other
        # organisation's installation (bot/slack/shared_threads.py finds it when the job runs),
        # so the owner check by this team's keys would drop a reply the bot owes. In the app's
        # DM every thread is answered (a new chat's first message starts its estimate).
        owned_here = job.kind == "thread_reply" and not job.shared and not is_direct(job.channel)
        owners = [owner_key(job)] if owned_here else []
        buckets = [bucket_key(key) for key, _ in charge or []]
        keys = [STREAM, workspace_keys(job.team_id).settings, *owners, *claims, *buckets]
        now = time.time()
        args = [STREAM_MAX_LEN, job.dump(), once_seconds, len(claims), per_seconds, now]
        args += [now + ENQUEUE_DEADLINE_SECONDS, len(owners), oldest_id(now, JOB_MAX_AGE_SECONDS)]
        args += [capacity for _, capacity in charge or []]
        args.append(int(job.kind in FOLLOW_UPS))
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + ENQUEUE_DEADLINE_SECONDS + CLOCK_MARGIN_SECONDS
        recording = self._scripts.call(self._enqueue, keys, args)
        try:
            async with asyncio.timeout(min(wait, ENQUEUE_TIMEOUT_SECONDS)):
                # Shielded: the answer may still come, and it decides what happens to the job.
                entry = await asyncio.shield(recording)
        except TimeoutError:
            log.info("recording a %s is slow; acknowledged, its answer awaited", job.kind)
            raise EnqueueUndecided(self._decided(job, recording, give_up_at)) from None
        except (RedisError, OSError) as exc:
            log.warning("could not queue a %s: %s", job.kind, type(exc).__name__)
            raise StoreUnavailable("redis enqueue failed") from exc
        return self._recorded(job, entry)

    async def _decided(self, job: Job, recording: asyncio.Future[Any], give_up_at: float) -> bool:
        try:
            async with asyncio.timeout_at(give_up_at):
                entry = await recording
        except (RedisError, OSError, TimeoutError) as exc:  # past the deadline: never recorded
            log.warning("could not queue a %s: %s", job.kind, type(exc).__name__)
            raise StoreUnavailable("redis enqueue failed") from exc
        return self._recorded(job, entry)

    def _recorded(self, job: Job, entry: str | None) -> bool:
        if entry is None:
            return False
        if entry == "not_ours":
            self.metrics.requests.labels(kind="not_ours").inc()
            return True
        if entry == "late":
            log.warning("could not queue a %s: Redis ran it past its deadline", job.kind)
            raise StoreUnavailable("redis enqueue came too late")
        self.metrics.jobs.labels(event="enqueued").inc()
        return True

    # -- consuming ------------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        except (RedisError, OSError) as exc:  # made by the reader's first pass once Redis is up
            self.outage.failed("creating the job group", exc)
        self._loops = [  # the claimer last: stop() cancels it
            asyncio.create_task(self._read_loop()),
            asyncio.create_task(self._claim_loop()),
        ]

    @property
    def running(self) -> int:
        return len(self._running)

    async def _read_loop(self) -> None:
        batch = min(READ_BATCH, self.capacity)
        while not self._stopping:
            free = self.capacity - len(self._running)
            if free < batch:
                self._room.clear()
                await self._room.wait()
                continue
            try:
                replies = await self.redis.xreadgroup(
                    GROUP, self.consumer, {STREAM: ">"}, count=free, block=READ_BLOCK_MS
                )
            except ResponseError as exc:
                if "NOGROUP" in str(exc):
                    await self._create_group()
                else:
                    log.warning("reading jobs failed: %s", exc)
                    await asyncio.sleep(0.5)
                continue
            except (RedisError, OSError) as exc:
                self.outage.failed("reading jobs", exc)
                await asyncio.sleep(0.5)
                continue
            self.outage.answered()
            for _, entries in replies or []:
                for entry_id, fields in entries:
                    self._start(entry_id, fields, deliveries=1)

    async def _create_group(self) -> None:
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                log.warning("could not create the job group: %s", exc)

    async def _claim_loop(self) -> None:
        """Take over jobs other consumers left idle (they died), and keep our own from looking
        idle while they run (a slow Slack must not make another replica start them again)."""
        interval = max(0.2, self.claim_idle_ms / 3000)
        while not self._stopping:
            await asyncio.sleep(interval)
            try:
                await self._heartbeat()
                await self._take_over()
                await self._observe()
            except (RedisError, OSError) as exc:
                self.outage.failed("claiming idle jobs", exc)

    async def _heartbeat(self) -> None:
        if self._running:
            # JUSTID: resets the idle time without counting a delivery.
            await self.redis.xclaim(
                STREAM, GROUP, self.consumer, 0, list(self._running), justid=True
            )

    async def _take_over(self) -> None:
        free = self.capacity - len(self._running)
        if free <= 0 or self._stopping:
            return
        idle = await self.redis.xpending_range(
            STREAM, GROUP, min="-", max="+", count=free, idle=self.claim_idle_ms
        )
        for pending in idle:
            entry_id = pending["message_id"]
            if entry_id in self._running:
                continue
            claimed = await self.redis.xclaim(
                STREAM, GROUP, self.consumer, self.claim_idle_ms, [entry_id]
            )
            for claimed_id, fields in claimed:
                if fields is None:  # trimmed away: nothing left to do
                    await self._ack(claimed_id)
                    continue
                self.metrics.jobs.labels(event="claimed").inc()
                log.info("took over job %s from %s", claimed_id, pending["consumer"])
                self._start(claimed_id, fields, deliveries=pending["times_delivered"] + 1)

    async def _observe(self) -> None:
        for group in await self.redis.xinfo_groups(STREAM):
            if group["name"] == GROUP:
                self.last_seen = {
                    "pending": int(group.get("pending") or 0),
                    "lag": int(group.get("lag") or 0),
                }
                self.metrics.queue_pending.set(self.last_seen["pending"])
                self.metrics.queue_lag.set(self.last_seen["lag"])

    def _start(self, entry_id: str, fields: dict[str, str], deliveries: int) -> None:
        try:
            job = Job.load(fields["job"])
            job.settings = fields.get("settings")
            job.wait = float(fields["wait"]) if "wait" in fields else None
        except (KeyError, TypeError, ValueError):
            log.warning("dropped an unreadable job %s", entry_id)
            self._running[entry_id] = asyncio.create_task(self._drop(entry_id))
            return
        self._running[entry_id] = asyncio.create_task(self._perform(entry_id, job, deliveries))

    async def _drop(self, entry_id: str) -> None:
        try:
            await self._ack(entry_id)
        finally:
            self._running.pop(entry_id, None)

    async def _perform(self, entry_id: str, job: Job, deliveries: int) -> None:
        try:
            if deliveries > self.max_deliveries:
                await self._dead_letter(entry_id, job, deliveries)
                return
            ledger = StepLedger(self.redis, ledger_key(job), job, deliveries)
            try:
                await self.run(job, ledger)  # errors are handled (and the user told) inside
            except JobDeferred as exc:
                # Not acknowledged: the idle claim delivers it again, and past the last
                # delivery it is dead-lettered and the person told (docs/reliability.md).
                self.metrics.jobs.labels(event="deferred").inc()
                log.warning(
                    "job %s (%s) waits, delivery %d of %d: %s",
                    entry_id, job.kind, deliveries, self.max_deliveries, exc,
                )  # fmt: skip
                return
            self._ack_soon(entry_id, ledger.key)
        finally:
            self._running.pop(entry_id, None)
            self._room.set()

    def _ack_soon(self, entry_id: str, ledger: str) -> None:
        """Acknowledge a finished job with the others that finish within ACK_BATCH_SECONDS."""
        self._finished.append((entry_id, ledger))
        if self._acking is None:
            self._acking = asyncio.create_task(self._ack_batch(ACK_BATCH_SECONDS))

    async def _ack_batch(self, after: float) -> None:
        await asyncio.sleep(after)
        finished, self._finished = self._finished, []
        self._acking = None
        if not finished:
            return
        entries = [entry_id for entry_id, _ in finished]
        try:
            await self._done(entries, [ledger for _, ledger in finished])
        except (RedisError, OSError) as exc:  # redelivered later; the ledger skips posted steps
            log.warning("could not acknowledge %d jobs: %s", len(finished), type(exc).__name__)

    async def _ack(self, entry_id: str, ledger: str | None = None) -> None:
        try:
            await self._done([entry_id], [ledger] if ledger else [])
        except (RedisError, OSError) as exc:  # redelivered later; the ledger skips posted steps
            log.warning("could not acknowledge job %s: %s", entry_id, type(exc).__name__)

    async def _done(self, entries: list[str], ledgers: list[str]) -> None:
        """Acknowledge finished jobs and delete them: once no replica can take a job over, its
        entry (what the person wrote) and its step ledger have nothing left to do."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, *entries)
            pipe.xdel(STREAM, *entries)
            if ledgers:
                pipe.delete(*ledgers)
            await pipe.execute()

    async def _dead_letter(self, entry_id: str, job: Job, deliveries: int) -> None:
        self.metrics.jobs.labels(event="dead").inc()
        log.error(
            "job %s (%s) failed %d deliveries: moved to %s",
            entry_id,
            job.kind,
            deliveries - 1,
            DEAD_STREAM,
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_STREAM, {"job": job.dump(), "entry": entry_id})
            pipe.xtrim(DEAD_STREAM, maxlen=DEAD_MAX_LEN, approximate=True)
            pipe.xtrim(DEAD_STREAM, minid=oldest_id(time.time(), DEAD_MAX_AGE_SECONDS))
            await pipe.execute()
        await self._ack(entry_id, ledger_key(job))
        try:
            await self.lost(job)
        except Exception as exc:  # Slack too may be the reason it failed
            log.warning("could not tell the user about job %s: %s", entry_id, type(exc).__name__)

    # -- shutting down --------------------------------------------------------------------------

    async def stop(self, grace: float) -> int:
        """Stop reading, give running jobs `grace` seconds, leave the rest pending for other
        replicas (not acknowledged). Returns how many were left."""
        self._stopping = True
        self._room.set()
        if self._loops:
            self._loops[-1].cancel()  # the claimer; the reader ends within READ_BLOCK_MS
            await asyncio.wait(self._loops, timeout=READ_BLOCK_MS / 1000 + 1)
        left = 0
        running = list(self._running.values())
        if running:
            _, still = await asyncio.wait(running, timeout=grace)
            left = len(still)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1)
        if self._acking is not None:  # what finished is acknowledged now, not left pending
            self._acking.cancel()
            self._acking = None
        await self._ack_batch(0)
        return left

    async def forget(self, team: str, channel: str | None = None) -> int:
        """Delete a workspace's (or one channel's) entries; StoreUnavailable when Redis fails."""
        try:
            return await forget_jobs(self.redis, team, channel)
        except (RedisError, OSError) as exc:
            log.warning("could not delete queued jobs: %s", type(exc).__name__)
            raise StoreUnavailable("redis forget_jobs failed") from exc

    async def summary(self) -> dict[str, int]:
        """For /healthz: the group's backlog as last seen, and what this process runs."""
        return {**self.last_seen, "running": self.running}

    async def close(self) -> None:
        try:
            await self.redis.aclose()
        except (RedisError, OSError) as exc:
            log.debug("redis close failed: %s", type(exc).__name__)
