"""Recording one acknowledged job in its partition's stream: one script on one Redis (or the
primary Sentinel names), two on a Redis Cluster, where a workspace's keys and a partition's live in
different slots. The keys and scripts are bot/slack/job_stream.py's; the queue (job_queue.py)
decides what an answer, a failure or a slow Redis means for the job.

On a cluster the first script (the workspace's slot) checks the deadline and the thread's owner,
reads the settings and takes the rate-limit tokens; the second (the partition's slot) claims the
duplicate key and adds the entry together. Between the two nothing is promised: a process that
dies there has taken tokens for a job never recorded (the sender's own budget, refilled within a
minute), and a retry of the same Slack request takes tokens again before its duplicate claim says
"seen"; neither records or answers anything twice, since the claim and the entry are one script.

A reply in a thread its estimate's conversation is not saved for yet (the estimate was posted a
moment ago and its save, which runs beside the tips and waits for replicas, has not landed) is
found "not ours"; within THREAD_SAVE_SECONDS of the estimate it is recorded again as the save
lands, so it is answered like any other (`once_kept`).

When the primary goes away mid-call (a failover), whether the script ran is unknown: it may have
run, reached the replica that is now primary, and lost only its answer. Answering such a job here
would answer it twice, so with replicas (Sentinel, a cluster, or REDIS_WAIT_REPLICAS) the sender
waits for a primary and asks it: the duplicate claim is written with the entry, in one script, so
it says whether the entry is there. The script records nothing past its deadline, so the answer
asked after the deadline is final.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

from redis.asyncio.sentinel import MasterNotFoundError
from redis.exceptions import RedisError

from bot.slack.direct_message import is_direct
from bot.slack.job import Job
from bot.slack.job_stream import (
    ENQUEUE,
    ENQUEUE_PARTITION,
    ENQUEUE_WORKSPACE,
    FOLLOW_UPS,
    JOB_MAX_AGE_SECONDS,
    STREAM_MAX_LEN,
    oldest_id,
    owner_key,
    queue_claim_key,
)
from bot.slack.redis_batch import ScriptBatch
from bot.slack.store.keys import bucket_key, settings_key

# A job whose recording met a failover is settled by asking the new primary, waiting this long for
# one (Sentinel's and the clouds' failovers take seconds to tens of seconds); no primary by then:
# answered here, as when Redis is down.
FAILOVER_WAIT_SECONDS = 30.0
FAILOVER_POLL_SECONDS = 0.25
# A thread's conversation is saved within this long of its estimate being posted: the save is
# one round trip, made again while Redis is slow (about 2 s, bot/slack/store_access.py) and
# across a failover's first seconds. A reply found "not ours" this soon is recorded again, with
# pauses doubling from THREAD_POLL_SECONDS to a second, until the thread is kept or the time is up.
THREAD_SAVE_SECONDS = 10.0
THREAD_POLL_SECONDS = 0.1


class Recording:
    """What the caller asked for, with its keys in `stream`'s partition and its workspace's; built
    once per job (the acknowledgement's path), ValueError when an ID is not Slack's (nothing can
    be keyed by it)."""

    __slots__ = (
        "buckets",
        "charge",
        "claims",
        "deadline",
        "job",
        "now",
        "once",
        "once_seconds",
        "owners",
        "per_seconds",
        "stream",
    )  # fmt: skip

    def __init__(
        self,
        job: Job,
        stream: str,
        once: str | None,
        once_seconds: int,
        charge: list[tuple[str, int]],
        per_seconds: float,
        now: float,
        deadline: float,
    ) -> None:
        self.job, self.stream, self.once, self.once_seconds = job, stream, once, once_seconds
        self.charge, self.per_seconds, self.now, self.deadline = charge, per_seconds, now, deadline
        # In a Slack Connect channel the thread's conversation may be kept under the other
        # organisation's installation (bot/slack/shared_threads.py finds it when the job runs),
        # so the owner check by this team's keys would drop a reply the bot owes. In the app's
        # DM every thread is answered (a new chat's first message starts its estimate).
        owned_here = job.kind == "thread_reply" and not job.shared and not is_direct(job.channel)
        self.owners = [owner_key(job)] if owned_here else []
        self.claims = [queue_claim_key(stream, once)] if once else []
        self.buckets = [bucket_key(key) for key, _ in charge]

    @property
    def capacities(self) -> list[int]:
        return [capacity for _, capacity in self.charge]

    def again(self, deadline_seconds: float) -> Recording:
        """The same job recorded anew: now, with its deadline `deadline_seconds` later."""
        now = time.time()
        return Recording(
            self.job, self.stream, self.once, self.once_seconds, self.charge, self.per_seconds,
            now, now + deadline_seconds,
        )  # fmt: skip

    def unsaved_for(self) -> float:
        """Seconds a thread reply found "not ours" may still find its thread kept: its
        estimate was posted less than THREAD_SAVE_SECONDS ago (Slack's ts is its time)."""
        if not self.owners:
            return 0.0
        try:
            posted = float(self.job.thread_ts or "")
        except ValueError:
            return 0.0
        return min(THREAD_SAVE_SECONDS, posted + THREAD_SAVE_SECONDS - time.time())


class Recorder:
    """Runs the enqueue scripts on `redis`; `cluster`: split per slot; `replicated`: a failover
    may keep what a dying primary wrote (see `was_recorded`)."""

    def __init__(self, redis: Any, cluster: bool, scripts: ScriptBatch, replicated: bool) -> None:
        self.redis = redis
        self.cluster = cluster
        self.replicated = replicated
        self._scripts = scripts
        if cluster:
            self._workspace = redis.register_script(ENQUEUE_WORKSPACE)
            self._partition = redis.register_script(ENQUEUE_PARTITION)
        else:
            self._one = redis.register_script(ENQUEUE)

    def record(self, rec: Recording) -> asyncio.Future[Any]:
        """The entry's ID; None for a duplicate; 'not_ours' or 'late' (nothing recorded)."""
        if self.cluster:
            return asyncio.ensure_future(self._in_two(rec))
        return self._in_one(rec)

    def _in_one(self, rec: Recording) -> asyncio.Future[Any]:
        owners, claims = rec.owners, rec.claims
        keys = [rec.stream, settings_key(rec.job.team_id), *owners, *claims]
        keys += rec.buckets
        args = [STREAM_MAX_LEN, rec.job.dump(), rec.once_seconds, len(claims), rec.per_seconds]
        args += [rec.now, rec.deadline, len(owners), oldest_id(rec.now, JOB_MAX_AGE_SECONDS)]
        args += rec.capacities
        args.append(int(rec.job.kind in FOLLOW_UPS))
        return self._scripts.call(self._one, keys, args)

    async def _in_two(self, rec: Recording) -> Any:
        owners = rec.owners
        keys = [settings_key(rec.job.team_id), *owners, *rec.buckets]
        args = [rec.per_seconds, rec.now, rec.deadline, len(owners), *rec.capacities]
        # Only the entry waits for replicas (REDIS_WAIT_REPLICAS): the tokens are not worth it.
        workspace = self._scripts.call(self._workspace, keys, args, replicate=False)
        status, settings, wait = await workspace
        if status != "ok":
            return status
        job = rec.job
        if wait not in ("", "0") and job.kind in FOLLOW_UPS:
            job = dataclasses.replace(job, text="")  # answered "slow down": its text not kept
        fields = ["job", job.dump(), "settings", settings]
        if wait != "":
            fields += ["wait", wait]
        args = [STREAM_MAX_LEN, rec.once_seconds, rec.deadline]
        args += [oldest_id(rec.now, JOB_MAX_AGE_SECONDS), *fields]
        return await self._scripts.call(self._partition, [rec.stream, *rec.claims], args)

    async def once_kept(self, rec: Recording, deadline_seconds: float, patience: float) -> Any:
        """`rec`, found "not ours" in a thread whose estimate is new, recorded again until its
        thread is kept (`unsaved_for`); the last answer ('not_ours' still when the time is up).
        Each try records nothing after `deadline_seconds` and is waited for `patience`; raises
        what a try raises (the job's duplicate claim says whether it was recorded)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + rec.unsaved_for()
        pause = THREAD_POLL_SECONDS
        entry: Any = "not_ours"
        while entry == "not_ours" and loop.time() + pause < until:
            await asyncio.sleep(pause)
            pause = min(2 * pause, 1.0)
            async with asyncio.timeout(patience):
                entry = await self.record(rec.again(deadline_seconds))
        return entry

    def uncertain(self, rec: Recording, exc: BaseException) -> bool:
        """Whether a failed call may have recorded the job all the same (asked by `was_recorded`).
        One Redis that dies takes its unsaved writes with it; no primary known: nothing was sent."""
        return self.replicated and rec.once is not None and not isinstance(exc, MasterNotFoundError)

    async def was_recorded(self, rec: Recording, after: float) -> bool | None:
        """Whether the job is in its stream, asked once the loop's clock passes `after` (the
        script's deadline with its margin), of whichever primary answers within
        FAILOVER_WAIT_SECONDS; None when none does."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, after - loop.time()))
        give_up = loop.time() + FAILOVER_WAIT_SECONDS
        while True:
            try:
                return bool(await self.redis.exists(rec.claims[0]))
            except (RedisError, OSError):
                if loop.time() > give_up:
                    return None
                await asyncio.sleep(FAILOVER_POLL_SECONDS)
