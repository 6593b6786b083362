"""The step ledger: each visible step of a queued job posted at most once (docs/queue.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from bot.slack.job import Job
from bot.slack.redis_batch import ScriptBatch

LEDGER_TTL_SECONDS = 3600  # takeovers come within minutes (idle timeout x deliveries)
CLAIMED = "?"  # a private reply's ledger value between its claim and its sending
STEP_EVENT = "aicost_step"  # message metadata event type that names a job's step
RETRY_PAUSE_SECONDS = 0.25

# KEYS[1]: a job's ledger. ARGV: its TTL, a name and the value to keep under it unless one is
# kept already, then the posted steps not written yet (step, ts pairs). Returns {1 when this call
# kept the value (0 when one was kept before), the value kept}. One script, not a pipeline of
# four or five commands: it goes out with the other scripts of its loop turn (redis_batch.py).
KEEP = """
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
local fresh = redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3])
local kept = redis.call('HGET', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return {fresh, kept}
"""


class StepLedger:
    """Per job, what it has shown people: a Redis hash, step number -> the posted message's ts
    (or "sent" for a private reply). Steps are numbered in the order the turn posts them, which
    is the same on every delivery of the same job.

    Slack itself is the record of channel posts (each carries its job and step in its message
    metadata): a delivery writes their ts only along with a round trip it makes anyway, and a
    later delivery reads the hash and asks Slack about any step it does not name. Private
    replies (`response_url`) leave no record Slack can be asked about: they are claimed in the
    hash before they are sent. A job that needs neither writes nothing. See docs/queue.md."""

    def __init__(
        self,
        redis: aioredis.Redis,
        key: str,
        job: Job,
        deliveries: int,
        failover_seconds: float = 0.0,
        scripts: ScriptBatch | None = None,
    ) -> None:
        self.redis = redis
        self.scripts = scripts or ScriptBatch(redis)  # the queue's: KEEP goes out with its calls
        self._keep: AsyncScript | None = None  # KEEP, registered once a step needs it
        # With replicas, a primary that goes away mid-job is replaced within seconds: the
        # ledger's writes are tried again for this long rather than failing the job's answer.
        self.failover_seconds = failover_seconds
        self.job = job
        self.key = key  # the queue names it (job_queue.ledger_key)
        self.retaken = deliveries > 1
        self._count = 0
        self.unrecorded: dict[str, str] = {}  # posted steps, written with the next round trip
        self._recorded: dict[str, str] | None = None  # what earlier deliveries wrote
        self._in_slack: dict[tuple[str, str | None], list[dict[str, Any]]] = {}

    def next_step(self) -> str:
        self._count += 1
        return str(self._count)

    def metadata(self, step: str) -> dict[str, Any]:
        """Message metadata naming the job and step, so a later owner can find the message."""
        return {"event_type": STEP_EVENT, "event_payload": {"job": self.job.id, "step": step}}

    async def posted_earlier(
        self, client: Any, channel: str, thread_ts: str | None, step: str
    ) -> str | None:
        """For a job delivered again: the ts of the message an earlier delivery posted as
        `step` (from the hash, else from Slack), or None when it was not posted. Raises the
        client's errors when Slack cannot be asked."""
        if not self.retaken:
            return None
        if self._recorded is None:
            self._recorded = await self.redis.hgetall(self.key)
        if step in self._recorded:
            return self._recorded[step]
        where = (channel, thread_ts)
        if where not in self._in_slack:
            self._in_slack[where] = await _messages_since(client, self.job, channel, thread_ts)
        for message in self._in_slack[where]:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("job") == self.job.id and str(payload.get("step")) == step:
                return str(message["ts"])
        return None

    async def claim(self, step: str) -> bool:
        """For a private reply: True when no delivery has claimed `step` before (send it). A
        claim whose answer a failover lost reads as taken: that reply is not sent (at most once)."""

        fresh, _ = await self._with_unrecorded(step, CLAIMED)
        return bool(fresh)

    async def _with_unrecorded(self, name: str, value: str) -> tuple[int, str]:
        """One round trip: the posted steps not yet written, then `value` kept under `name`
        unless one is (KEEP's answer); tried again within `failover_seconds` (every write here
        may be repeated)."""
        loop = asyncio.get_running_loop()
        until = loop.time() + self.failover_seconds
        if self._keep is None:
            self._keep = self.redis.register_script(KEEP)
        while True:
            writes = dict(self.unrecorded)
            args: list[Any] = [LEDGER_TTL_SECONDS, name, value]
            for step, posted in writes.items():
                args += (step, posted)
            try:
                # Not waited for by replicas (REDIS_WAIT_REPLICAS): the ledger never was.
                fresh, kept = await self.scripts.call(self._keep, [self.key], args, replicate=False)
            except (RedisError, OSError):
                if loop.time() + RETRY_PAUSE_SECONDS >= until:
                    raise
                await asyncio.sleep(RETRY_PAUSE_SECONDS)
                continue
            for step in writes:
                self.unrecorded.pop(step, None)
            return fresh, kept

    def done(self, step: str, value: str) -> None:
        """`step` was posted (its ts, or "sent"); written with the next round trip."""
        self.unrecorded[step] = value

    async def keep(self, name: str, value: str) -> str:
        """`value` stored under `name` unless an earlier delivery stored one; the stored one."""

        _, kept = await self._with_unrecorded(name, value)
        return str(kept if kept is not None else value)


async def _messages_since(
    client: Any, job: Job, channel: str, thread_ts: str | None
) -> list[dict[str, Any]]:
    """The channel's messages since the job was recorded (or the thread's), with metadata."""
    if thread_ts:
        response = await client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
        )
    else:
        response = await client.conversations_history(
            channel=channel,
            oldest=f"{job.enqueued_at - 1:.6f}",
            include_all_metadata=True,
            limit=200,
        )
    return list(response.get("messages") or [])
