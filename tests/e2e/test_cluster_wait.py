"""REDIS_WAIT_REPLICAS on a Redis Cluster: a job's acknowledgement waits until the replica of the
primary holding its partition has it, and a replica that stops answering delays a recording by
the WAIT timeout, never loses it, and is said once in the log.

A real cluster of three primaries and three replicas on loopback ports
(tests/support/redis_topology.py); the replica is frozen with SIGSTOP, as a replica that lags.
The queue is the bot's own (`JobQueue.enqueue`, what a listener awaits before the acknowledgement).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import redis

from bot.slack.job import Job
from bot.slack.job_queue import EnqueueUndecided, JobQueue
from bot.slack.job_stream import partition_of, stream_key
from bot.slack.metrics import Metrics
from bot.slack.redis_batch import WAIT_TIMEOUT_MS
from bot.slack.store.keys import slack_id
from tests.support.reading import STANDARD, new_team
from tests.support.redis_topology import Cluster

PARTITIONS = 3
NOT_REPLICATED = "may not be replicated"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with Cluster() as started:
        yield started


@pytest.fixture
async def queue(cluster: Cluster) -> AsyncIterator[JobQueue]:
    async def unused(*_: object) -> None:
        raise AssertionError("nothing runs here")

    queue = JobQueue(cluster.url, unused, unused, Metrics(), capacity=8, claim_idle_seconds=30,
                     max_deliveries=3, partitions=PARTITIONS, wait_replicas=1)  # fmt: skip
    yield queue
    await queue.close()


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="bot.slack.redis_batch")
    return caplog


def _job(team: str) -> Job:
    # A marker in the text finds the entry on the replica.
    text = f"{STANDARD} ({uuid.uuid4().hex})"
    return Job(kind="slash_command", team_id=team, channel="C1", user="U1", text=text)


def _stream(team: str) -> str:
    return stream_key(partition_of(slack_id(team, "team"), PARTITIONS))


async def _record(queue: JobQueue, job: Job) -> tuple[bool, float]:
    """What the listener gets (recorded or not), and how long the acknowledgement waited."""
    started = time.monotonic()
    try:
        recorded = await queue.enqueue(job)
    except EnqueueUndecided as slow:  # a loaded machine: acknowledged, the answer awaited
        recorded = await slow.outcome
    return recorded, time.monotonic() - started


def _on_replica(port: int, stream: str, job: Job) -> bool:
    client = redis.Redis(port=port, socket_timeout=2, decode_responses=True)
    try:
        client.execute_command("READONLY")
        return any(job.text in fields["job"] for _, fields in client.xrange(stream))
    finally:
        client.close()


def _said(caplog: pytest.LogCaptureFixture, words: str) -> int:
    return sum(words in record.getMessage() for record in caplog.records)


async def test_an_acknowledged_job_is_already_on_the_replica_of_its_partition(
    cluster, queue, warnings
) -> None:
    for _ in range(5):
        team = new_team()
        job = _job(team)
        recorded, _ = await _record(queue, job)
        assert recorded
        # Read at once from the replica: the acknowledgement waited until it had the entry.
        assert _on_replica(cluster.replica_of(_stream(team)), _stream(team), job)
    assert _said(warnings, NOT_REPLICATED) == 0


async def test_a_frozen_replica_delays_recording_by_the_wait_timeout_and_is_said_once(
    cluster, queue, warnings
) -> None:
    team = new_team()
    stream = _stream(team)
    replica = cluster.replica_of(stream)
    cluster.pause(replica)
    try:
        waited = []
        for _ in range(3):
            recorded, seconds = await _record(queue, _job(team))
            assert recorded  # acknowledged, and on the primary
            waited.append(seconds)
        assert min(waited) >= WAIT_TIMEOUT_MS / 1000 * 0.9
        assert _said(warnings, NOT_REPLICATED) == 1
        line = next(r for r in warnings.records if NOT_REPLICATED in r.getMessage())
        assert line.levelno == logging.WARNING and "127.0.0.1:" in line.getMessage()
    finally:
        cluster.resume(replica)
    # Once the replica answers again, a recording says so, once.
    deadline = time.monotonic() + 20
    while _said(warnings, "replicas confirm recorded jobs again") == 0:
        assert time.monotonic() < deadline, "the replica never confirmed again"
        await asyncio.sleep(0.2)
        await _record(queue, _job(team))
    assert _said(warnings, "replicas confirm recorded jobs again") == 1
    assert _said(warnings, NOT_REPLICATED) == 1
    job = _job(team)
    recorded, seconds = await _record(queue, job)
    assert recorded and _on_replica(replica, stream, job)
