"""What the bot keeps in Redis, and for how long: the README's promises ("every key expires",
"forget deletes everything") checked against a real Redis, and the job stream's bounds (issue 23).

The module's bot gets a Redis of its own, so a scan after a run sees only what this bot wrote.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from bot.parsing.text import MAX_TEXT
from bot.slack.job import Job
from bot.slack.job_queue import DEAD_STREAM, STREAM, JobQueue
from bot.slack.job_stream import JOB_MAX_AGE_SECONDS, STREAM_MAX_LEN
from bot.slack.metrics import Metrics
from bot.slack.ratelimit import limit_buckets
from bot.slack.store.keys import channel_keys
from tests.e2e.test_workspaces import answer_in_thread, estimate
from tests.support.reading import channel_id, new_team, posts
from tests.support.redis_server import RedisServer
from tests.support.slack_shapes import app_uninstalled, event_envelope, thread_message

pytestmark = pytest.mark.asyncio(loop_scope="module")

STREAMS = {STREAM: STREAM_MAX_LEN, DEAD_STREAM: 1_000}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with RedisServer() as private:
        yield private.url


@pytest_asyncio.fixture(loop_scope="module")
async def raw(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


async def _everything(raw: aioredis.Redis) -> dict[str, str]:
    """Every key and, as text, everything stored under it."""
    found: dict[str, str] = {}
    async for key in raw.scan_iter(count=1000):
        kind = await raw.type(key)
        if kind == "string":
            value = await raw.get(key)
        elif kind == "hash":
            value = await raw.hgetall(key)
        elif kind == "list":
            value = await raw.lrange(key, 0, -1)
        elif kind == "zset":
            value = await raw.zrange(key, 0, -1)
        elif kind == "stream":
            value = await raw.xrange(key)
        else:
            value = kind
        found[key] = json.dumps(value, ensure_ascii=False)
    return found


async def _stream_drained(raw: aioredis.Redis) -> None:
    for _ in range(100):
        if await raw.xlen(STREAM) == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{await raw.xlen(STREAM)} entries left in {STREAM}")


async def test_every_key_expires_and_stray_replies_are_never_kept(slack, bot, raw):
    team, channel = new_team(), channel_id()
    ts = (await estimate(slack, bot, team=team, channel=channel)).response["ts"]
    follow_up = bot.post(
        event_envelope(
            thread_message("what if 50k users?", channel=channel, thread_ts=ts, team=team),
            installed_team=team,
        )
    )
    assert "50,000" in await answer_in_thread(slack, ts, follow_up)
    # People talking in a thread the bot did not start, in a channel it is in.
    secret = "stray-" + uuid.uuid4().hex
    for _ in range(5):
        stray = thread_message(secret + " 😀" * 20_000, channel=channel, thread_ts="1.000001",
                               team=team)  # fmt: skip
        status, _, _ = await bot.post(event_envelope(stray, installed_team=team))
        assert status == 200
    await _stream_drained(raw)
    everything = await _everything(raw)
    assert not [key for key, value in everything.items() if secret in value]
    assert "50k users" not in everything.get(STREAM, "")  # answered: its entry is gone
    for key in everything:
        if key in STREAMS:
            assert await raw.xlen(key) <= STREAMS[key]
        else:
            assert await raw.ttl(key) > 0, f"{key} never expires"
    assert posts(slack, channel, "1.000001") == []


async def test_uninstall_deletes_the_workspaces_dead_letters(slack, bot, raw):
    """Jobs kept for an operator (dead letters) go with their workspace; entries not yet read
    are deleted the same way (test_forget_deletes_a_channels_then_a_workspaces_entries)."""
    gone, stays = new_team(), new_team()
    for team in (gone, stays):
        job = Job(kind="mention", team_id=team, channel="C1", user="U1", text=f"secret {team}")
        await raw.xadd(DEAD_STREAM, {"job": job.dump(), "entry": "0-1"})
    status, _, _ = await bot.post(app_uninstalled(team_id=gone))
    assert status == 200
    for _ in range(100):
        if gone not in json.dumps(await _everything(raw)):
            break
        await asyncio.sleep(0.05)
    everything = json.dumps(await _everything(raw))
    assert gone not in everything
    assert f"secret {stays}" in everything  # the other workspace's dead letter stays


# --- the queue itself, against a Redis of its own (no consumer runs these) ------------------


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as private:
        yield private


@pytest_asyncio.fixture(loop_scope="module")
async def queue(server: RedisServer) -> AsyncIterator[JobQueue]:
    async def unused(*_: object) -> None:
        raise AssertionError("not consuming in this test")

    queue = JobQueue(server.url, unused, unused, Metrics(), capacity=8, claim_idle_seconds=30,
                     max_deliveries=3)  # fmt: skip
    yield queue
    await queue.close()


def _reply(team: str, text: str = "what if 50k users?", channel: str = "C1") -> Job:
    return Job(kind="thread_reply", team_id=team, channel=channel, user="U1",
               thread_ts="1700000000.000100", text=text)  # fmt: skip


async def _jobs(queue: JobQueue, stream: str = STREAM) -> list[dict]:
    return [
        {**json.loads(fields["job"]), "wait": fields.get("wait")}
        for _, fields in await queue.redis.xrange(stream)
    ]


async def test_only_replies_in_our_threads_are_queued_and_text_is_cut(queue):
    team = new_team()
    assert await queue.enqueue(_reply(team), once=f"event:{team}:Ev1")  # nothing owed
    assert await queue.redis.xlen(STREAM) == 0
    assert await queue.redis.keys(f"*{team}*") == []  # no claim, no bucket either
    thread = channel_keys(team, "C1").thread("1700000000.000100")
    await queue.redis.set(thread, "{}", ex=60)  # the bot's conversation in that thread
    assert await queue.enqueue(_reply(team, "😀" * 40_000), once=f"event:{team}:Ev2")
    (job,) = await _jobs(queue)
    assert len(job["text"]) == MAX_TEXT


async def test_follow_ups_over_the_limit_are_charged_and_keep_no_text(queue):
    team = new_team()
    await queue.redis.set(channel_keys(team, "C1").thread("1700000000.000100"), "{}", ex=60)
    for n in range(12):
        await queue.enqueue(_reply(team, f"question {n}"), charge=limit_buckets(team, "U1"))
    jobs = await _jobs(queue)
    assert [job["wait"] == "0" for job in jobs] == [True] * 10 + [False] * 2
    assert [job["text"] for job in jobs[10:]] == ["", ""]


async def test_entries_older_than_an_hour_are_trimmed(queue):
    old = int((time.time() - JOB_MAX_AGE_SECONDS - 60) * 1000)
    for n in range(3):
        await queue.redis.xadd(STREAM, {"job": _reply("TOLD").dump()}, id=f"{old}-{n}")
    await queue.enqueue(Job(kind="mention", team_id=new_team(), channel="C1", user="U1"))
    assert [job["team_id"] for job in await _jobs(queue)] != ["TOLD"] * 3
    assert await queue.redis.xlen(STREAM) == 1


async def test_forget_deletes_a_channels_then_a_workspaces_entries(queue):
    team, other = new_team(), new_team()
    for who, channel in ((team, "C1"), (team, "C2"), (other, "C1")):
        job = Job(kind="mention", team_id=who, channel=channel, user="U1", text="secret")
        await queue.enqueue(job)
        await queue.redis.xadd(DEAD_STREAM, {"job": job.dump(), "entry": "0-1"})
    assert await queue.forget(team, "C1") == 2
    assert [(j["team_id"], j["channel"]) for j in await _jobs(queue)] == [
        (team, "C2"),
        (other, "C1"),
    ]
    assert await queue.forget(team) == 2
    for stream in (STREAM, DEAD_STREAM):
        assert [j["team_id"] for j in await _jobs(queue, stream)] == [other]


async def test_finished_jobs_leave_the_stream_with_their_ledgers(server):
    done: list[str] = []

    async def run(job: Job, ledger) -> None:
        await ledger.keep("answer", "kept")  # a ledger written, as a follow-up's is
        done.append(job.text)

    async def lost(job: Job) -> None:
        raise AssertionError("nothing is lost here")

    queue = JobQueue(server.url, run, lost, Metrics(), capacity=8, claim_idle_seconds=30,
                     max_deliveries=3)  # fmt: skip
    await queue.start()
    try:
        for n in range(5):
            await queue.enqueue(Job(kind="mention", team_id=new_team(), channel="C1", user="U1",
                                    text=f"job {n}"))  # fmt: skip
        for _ in range(100):
            if len(done) == 5 and await queue.redis.xlen(STREAM) == 0:
                break
            await asyncio.sleep(0.05)
        assert sorted(done) == [f"job {n}" for n in range(5)]
        assert await queue.redis.xlen(STREAM) == 0
        assert await queue.redis.keys(f"{STREAM}:steps:*") == []
    finally:
        await queue.stop(1)
        await queue.close()
