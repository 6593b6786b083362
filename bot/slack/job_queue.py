"""The durable job queue: acknowledged work recorded in a Redis Stream, done by any replica.

A listener turns a Slack request into a `Job` (plain, serialisable fields) and `enqueue`s it in
one round trip (duplicate claim, a slash command's rate-limit charge, the workspace's settings
and XADD in one script; two on a Redis Cluster: bot/slack/job_recording.py) before Bolt sends the
acknowledgement, into its workspace's partition. Every replica reads each partition's stream
through one consumer group, runs at most `capacity` jobs at once, and XACKs finished jobs
(together: bot/slack/job_acks.py). A replica that dies leaves its jobs pending; live replicas
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

from redis.exceptions import RedisClusterException, RedisError, ResponseError

from bot.slack.job import Job, JobDeferred
from bot.slack.job_acks import Acks
from bot.slack.job_recording import Recorder, Recording
from bot.slack.job_stream import (
    DEAD_MAX_AGE_SECONDS,
    DEAD_MAX_LEN,
    DEAD_STREAM,
    GROUP,
    STREAM,
    dead_key,
    forget_jobs,
    ledger_key,
    oldest_id,
    partition_of,
    stream_key,
)
from bot.slack.metrics import Metrics
from bot.slack.redis_batch import ScriptBatch
from bot.slack.redis_outage import OutageLog, lost_with_a_primary
from bot.slack.step_ledger import StepLedger
from bot.slack.store.connect import SINGLE, connect, parse_redis_url
from bot.slack.store.keys import slack_id
from bot.slack.store.protocols import StoreUnavailable
from bot.slack.store.redis_backend import FAILOVER_RETRY_SECONDS
from bot.slack.store.upgrade import upgrade_keys

log = logging.getLogger(__name__)

__all__ = ["DEAD_STREAM", "GROUP", "STREAM", "EnqueueUndecided", "JobQueue"]

READ_BLOCK_MS = 500  # a reader notices shutdown within this long
# Under load the reader waits until this many jobs have room: one read per batch, not one per
# finished job (docs/benchmarks.md). Finished jobs are acknowledged together (job_acks.py).
READ_BATCH = 16
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
        partitions: int = 1,
        wait_replicas: int = 0,
    ) -> None:
        target = parse_redis_url(url)
        self.redis = connect(
            target,
            socket_timeout=REDIS_SOCKET_SECONDS,
            connect_timeout=ENQUEUE_TIMEOUT_SECONDS,
            max_connections=capacity * 2 + partitions,  # one blocked reader per partition
        )
        self.streams = [stream_key(partition) for partition in range(partitions)]
        # A burst's enqueues, sent together (then WAIT for replicas, when asked: on a cluster, of
        # each primary that recorded a job).
        self._scripts = ScriptBatch(self.redis, wait_replicas, target.cluster)
        replicated = target.kind != SINGLE or wait_replicas > 0
        self.failover_seconds = FAILOVER_RETRY_SECONDS if target.kind != SINGLE else 0.0
        self._recorder = Recorder(self.redis, target.cluster, self._scripts, replicated)
        self.run = run
        self.lost = lost
        self.capacity = capacity
        self.claim_idle_ms = int(claim_idle_seconds * 1000)
        self.read_block_ms = READ_BLOCK_MS  # set before start(); the in-process tests shorten it
        self.max_deliveries = max_deliveries
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.metrics = metrics
        self._enqueued = metrics.jobs.labels(event="enqueued")  # once: labels() takes a lock
        self.outage = OutageLog(url)  # the polling loops' failures, said once and rate-limited
        # With several partitions (a cluster: several shards) each reader reports its own, so one
        # shard down is not said and unsaid by the readers of the others every half second.
        self._read_outages = {
            stream: OutageLog(url, part=stream) if partitions > 1 else self.outage
            for stream in self.streams
        }
        self._outages = {self.outage, *self._read_outages.values()}
        # What runs, by (stream, entry ID): entry IDs are unique within a stream only.
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._room = asyncio.Event()
        self._stopping = False
        self.acks = Acks(self.redis)
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
        """Record the job; False when `once` was claimed before (a duplicate delivery). True too for
        a reply in a thread the bot keeps no conversation for: nothing owed, nothing recorded
        (stray talk; under an estimate posted moments ago, recorded once its conversation is saved:
        job_recording.py). With `charge` ((bucket, capacity) pairs refilling every `per_seconds`),
        take its rate-limit tokens in the same round trip. Raises StoreUnavailable when Redis
        fails, EnqueueUndecided when it has not answered in `wait` (at most
        ENQUEUE_TIMEOUT_SECONDS), ValueError for IDs that are not Slack's."""
        streams = self.streams
        if len(streams) > 1:  # one Redis: one partition, nothing to hash (the keys check the ID)
            stream = streams[partition_of(slack_id(job.team_id, "team"), len(streams))]
        else:
            stream = streams[0]
        now = time.time()
        # IDs that are not Slack's: ValueError here, before anything is sent.
        rec = Recording(
            job, stream, once, once_seconds, charge or [], per_seconds, now,
            deadline=now + ENQUEUE_DEADLINE_SECONDS,
        )  # fmt: skip
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + ENQUEUE_DEADLINE_SECONDS + CLOCK_MARGIN_SECONDS
        recording = self._recorder.record(rec)
        try:
            async with asyncio.timeout(min(wait, ENQUEUE_TIMEOUT_SECONDS)):
                # Shielded: the answer may still come, and it decides what happens to the job.
                entry = await asyncio.shield(recording)
        except TimeoutError:
            log.info("recording a %s is slow; acknowledged, its answer awaited", job.kind)
            raise EnqueueUndecided(self._decided(rec, recording, give_up_at)) from None
        except (RedisError, OSError) as exc:
            log.warning("could not queue a %s: %s", job.kind, type(exc).__name__)
            if self._recorder.uncertain(rec, exc):  # acknowledged; settled once a primary answers
                raise EnqueueUndecided(self._after_failover(rec, give_up_at)) from None
            raise StoreUnavailable("redis enqueue failed") from exc
        if entry == "not_ours" and rec.unsaved_for() > 0:  # its estimate's save may be landing
            raise EnqueueUndecided(self._decided(rec, recording, give_up_at))
        return self._recorded(job, entry)

    async def _decided(
        self, rec: Recording, recording: asyncio.Future[Any], give_up_at: float
    ) -> bool:
        loop, patience = asyncio.get_running_loop(), ENQUEUE_DEADLINE_SECONDS + CLOCK_MARGIN_SECONDS
        try:
            async with asyncio.timeout_at(give_up_at):
                entry = await recording
            if entry == "not_ours" and rec.unsaved_for() > 0:
                entry = await self._recorder.once_kept(rec, ENQUEUE_DEADLINE_SECONDS, patience)
        except (RedisError, OSError, TimeoutError) as exc:  # past the deadline: never recorded
            give_up_at = max(give_up_at, loop.time() + patience)  # a try made again: its deadline
            log.warning("could not queue a %s: %s", rec.job.kind, type(exc).__name__)
            if self._recorder.uncertain(rec, exc):
                return await self._after_failover(rec, give_up_at)
            raise StoreUnavailable("redis enqueue failed") from exc
        return self._recorded(rec.job, entry)

    async def _after_failover(self, rec: Recording, give_up_at: float) -> bool:
        """True: recorded after all (a replica answers it); else StoreUnavailable: run here."""
        if await self._recorder.was_recorded(rec, give_up_at):
            log.info("a %s met a failover and was recorded all the same", rec.job.kind)
            self._enqueued.inc()
            return True
        raise StoreUnavailable("redis enqueue failed")

    def _recorded(self, job: Job, entry: str | None) -> bool:
        if entry is None:
            return False
        if entry == "not_ours":  # stray talk, or a thread a primary took with it (run here)
            self.metrics.requests.labels(kind="not_ours").inc()
            if self.failover_seconds and lost_with_a_primary(job.thread_ts, self._outages):
                raise StoreUnavailable("its thread may have been lost with a primary")
            return True
        if entry == "late":
            log.warning("could not queue a %s: Redis ran it past its deadline", job.kind)
            raise StoreUnavailable("redis enqueue came too late")
        self._enqueued.inc()
        return True

    # -- consuming ------------------------------------------------------------------------------

    async def start(self) -> None:
        try:  # before the groups: an earlier version's stream becomes partition 0, groups and all
            await upgrade_keys(self.redis)
        except (RedisError, RedisClusterException, OSError) as exc:
            self.outage.failed("renaming an earlier version's keys", exc)
        for stream in self.streams:
            try:
                await self.redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            except (RedisError, OSError) as exc:  # made by the reader's first pass once it answers
                self.outage.failed("creating the job group", exc)
        self._loops = [  # the claimer last: stop() cancels it
            *(asyncio.create_task(self._read_loop(stream)) for stream in self.streams),
            asyncio.create_task(self._claim_loop()),
        ]

    @property
    def running(self) -> int:
        return len(self._running)

    async def _read_loop(self, stream: str) -> None:
        """Read one partition (its own shard on a cluster; one blocked connection each)."""
        batch = min(READ_BATCH, self.capacity)
        while not self._stopping:
            free = self.capacity - len(self._running)
            if free < batch:
                self._room.clear()
                await self._room.wait()
                continue
            try:
                replies = await self.redis.xreadgroup(
                    GROUP, self.consumer, {stream: ">"}, count=free, block=self.read_block_ms
                )
            except ResponseError as exc:
                if "NOGROUP" in str(exc):
                    await self._create_group(stream)
                else:
                    log.warning("reading jobs failed: %s", exc)
                    await asyncio.sleep(0.5)
                continue
            except (RedisError, OSError) as exc:
                self._read_outages[stream].failed("reading jobs", exc)
                await asyncio.sleep(0.5)
                continue
            self._read_outages[stream].answered()
            for _, entries in replies or []:
                for entry_id, fields in entries:
                    self._start(stream, entry_id, fields, deliveries=1)

    async def _create_group(self, stream: str) -> None:
        try:
            await self.redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                log.warning("could not create the job group: %s", exc)

    async def _claim_loop(self) -> None:
        """Take over jobs other consumers left idle (they died), and keep our own from looking
        idle while they run (a slow Slack must not make another replica start them again)."""
        interval = max(0.2, self.claim_idle_ms / 3000)
        while not self._stopping:
            await asyncio.sleep(interval)
            answered = True
            for stream in self.streams:
                try:
                    await self._heartbeat(stream)
                    await self._take_over(stream)
                except (RedisError, OSError) as exc:  # one shard down: the others go on
                    self.outage.failed("claiming idle jobs", exc)
                    answered = False
            try:
                await self._observe()
            except (RedisError, OSError) as exc:
                self.outage.failed("observing the queue", exc)
                answered = False
            if answered and len(self.streams) > 1:  # (one stream: its reader says it)
                self.outage.answered()

    async def _heartbeat(self, stream: str) -> None:
        mine = [entry_id for (of, entry_id) in self._running if of == stream]
        if mine:
            # JUSTID: resets the idle time without counting a delivery.
            await self.redis.xclaim(stream, GROUP, self.consumer, 0, mine, justid=True)

    async def _take_over(self, stream: str) -> None:
        free = self.capacity - len(self._running)
        if free <= 0 or self._stopping:
            return
        idle = await self.redis.xpending_range(
            stream, GROUP, min="-", max="+", count=free, idle=self.claim_idle_ms
        )
        for pending in idle:
            entry_id = pending["message_id"]
            if (stream, entry_id) in self._running:
                continue
            claimed = await self.redis.xclaim(
                stream, GROUP, self.consumer, self.claim_idle_ms, [entry_id]
            )
            for claimed_id, fields in claimed:
                if fields is None:  # trimmed away: nothing left to do
                    await self.acks.one(stream, claimed_id)
                    continue
                self.metrics.jobs.labels(event="claimed").inc()
                log.info("took over job %s from %s", claimed_id, pending["consumer"])
                deliveries = pending["times_delivered"] + 1
                self._start(stream, claimed_id, fields, deliveries)

    async def _observe(self) -> None:
        seen = {"pending": 0, "lag": 0}
        for stream in self.streams:
            for group in await self.redis.xinfo_groups(stream):
                if group["name"] == GROUP:
                    seen["pending"] += int(group.get("pending") or 0)
                    seen["lag"] += int(group.get("lag") or 0)
        self.last_seen = seen
        self.metrics.queue_pending.set(seen["pending"])
        self.metrics.queue_lag.set(seen["lag"])

    def _start(self, stream: str, entry_id: str, fields: dict[str, str], deliveries: int) -> None:
        try:
            job = Job.load(fields["job"])
            job.settings = fields.get("settings")
            job.wait = float(fields["wait"]) if "wait" in fields else None
        except (KeyError, TypeError, ValueError):
            log.warning("dropped an unreadable job %s", entry_id)
            task = asyncio.create_task(self._drop(stream, entry_id))
            self._running[(stream, entry_id)] = task
            return
        task = asyncio.create_task(self._perform(stream, entry_id, job, deliveries))
        self._running[(stream, entry_id)] = task

    async def _drop(self, stream: str, entry_id: str) -> None:
        try:
            await self.acks.one(stream, entry_id)
        finally:
            self._running.pop((stream, entry_id), None)

    async def _perform(self, stream: str, entry_id: str, job: Job, deliveries: int) -> None:
        try:
            if deliveries > self.max_deliveries:
                await self._dead_letter(stream, entry_id, job, deliveries)
                return
            ledger = StepLedger(self.redis, ledger_key(stream, job), job, deliveries,
                                self.failover_seconds, self._scripts)  # fmt: skip
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
            self.acks.soon(stream, entry_id, ledger.key)
        finally:
            self._running.pop((stream, entry_id), None)
            self._room.set()

    async def _dead_letter(self, stream: str, entry_id: str, job: Job, deliveries: int) -> None:
        self.metrics.jobs.labels(event="dead").inc()
        log.error(
            "job %s (%s) failed %d deliveries: moved to %s",
            entry_id,
            job.kind,
            deliveries - 1,
            dead_key(stream),
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(dead_key(stream), {"job": job.dump(), "entry": entry_id})
            pipe.xtrim(dead_key(stream), maxlen=DEAD_MAX_LEN, approximate=True)
            pipe.xtrim(dead_key(stream), minid=oldest_id(time.time(), DEAD_MAX_AGE_SECONDS))
            await pipe.execute()
        await self.acks.one(stream, entry_id, ledger_key(stream, job))
        try:
            await self.lost(job)
        except Exception as exc:  # Slack too may be the reason it failed
            log.warning("could not tell the user about job %s: %s", entry_id, type(exc).__name__)

    # -- shutting down --------------------------------------------------------------------------

    async def stop(self, grace: float) -> int:
        """Stop reading, give running jobs `grace` seconds, leave the rest pending for other
        replicas (not acknowledged). Returns how many were left."""
        self._stopping = True
        self.acks.stopping = True
        self._room.set()
        if self._loops:
            self._loops[-1].cancel()  # the claimer; the reader ends within read_block_ms
            await asyncio.wait(self._loops, timeout=self.read_block_ms / 1000 + 1)
        left = 0
        running = list(self._running.values())
        if running:
            _, still = await asyncio.wait(running, timeout=grace)
            left = len(still)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1)
        await self.acks.now()  # what finished is acknowledged now, not left pending
        return left

    async def forget(self, team: str, channel: str | None = None) -> int:
        """Delete a workspace's (or one channel's) entries; StoreUnavailable when Redis fails."""
        try:
            return await forget_jobs(self.redis, self.streams, team, channel)
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
