"""Replicas sharing one Redis: a command acknowledged by one bot process may be answered by
another, and nothing acknowledged is lost or answered twice when a process is killed outright
(SIGKILL, as the OOM killer or a node failure would) or restarted in turn (SIGTERM, a rollout).

Three real `python -m bot` processes, one real Redis, the fake Slack Web API answering
chat.postMessage late (after posting) so deaths land between a post and its record.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest
import pytest_asyncio
import redis
import redis.asyncio as aioredis

from bot import advisor
from bot.advisor import ConversationState
from bot.slack import answers
from bot.slack.job import Job
from bot.slack.job_queue import DEAD_STREAM, GROUP, STREAM, JobQueue
from bot.slack.metrics import Metrics
from bot.slack.step_ledger import StepLedger
from bot.slack.store import make_store
from bot.slack.store.keys import workspace_keys
from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack
from tests.support.reading import STANDARD, new_team, text_of, tips_for
from tests.support.signing import slash_command_body

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIPS = tips_for(STANDARD)
CLAIM_IDLE_SECONDS = 2
REPLICA_ENV = {
    "JOB_CLAIM_IDLE_SECONDS": str(CLAIM_IDLE_SECONDS),
    "ESTIMATE_WORKERS": "0",  # three bots on two cores: word estimates in-process
    "SHUTDOWN_GRACE_SECONDS": "1",  # shorter than a slowed job: some are left for the others
    "STATE_TTL_SECONDS": "600",
}
POST_DELAY_SECONDS = 0.25  # Slack posts, then answers this late


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(validate=False) as fake:  # test_blocks and the e2e tests validate
        yield fake


@pytest.fixture(scope="module")
def queue_redis(redis_url: str) -> str:
    """A database of its own: no other test's bot takes these replicas' jobs (and no job an
    earlier run left pending there is taken by these replicas)."""
    url = urlsplit(redis_url)._replace(path="/6").geturl()
    with redis.Redis.from_url(url) as client:
        client.delete(STREAM, DEAD_STREAM)
    return url


async def fresh_queue(redis: aioredis.Redis) -> None:
    """An empty job queue in this test's database, whatever an earlier run left in it (a Redis
    kept between runs holds the last run's streams and consumer group)."""
    await redis.delete(STREAM, DEAD_STREAM)
    await redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)


async def replicas(slack: FakeSlack, redis_url: str, count: int) -> list[BotProcess]:
    bots = [BotProcess(slack.base_url, redis_url, extra_env=REPLICA_ENV) for _ in range(count)]
    return list(await asyncio.gather(*(bot.start() for bot in bots)))


def kill(bot: BotProcess) -> None:
    """SIGKILL the bot and anything it started: no drain, no goodbye."""
    for pid in bot.family():
        with contextlib.suppress(ProcessLookupError):  # gone already
            os.kill(pid, signal.SIGKILL)
    assert bot.process is not None
    bot.process.wait()


async def command(bot: BotProcess, channel: str, session: aiohttp.ClientSession) -> bool:
    """One signed /aicost in its own workspace and channel; True when acknowledged (200)."""
    team = "T" + uuid.uuid4().hex[:10].upper()
    body = slash_command_body(STANDARD, team_id=team, channel_id=channel, user_id="U" + team[1:])
    try:
        status, _, seconds = await bot.post(body, session=session)
    except (aiohttp.ClientError, OSError):
        return False  # the replica is gone: Slack shows the person an error; nothing promised
    return status == 200 and seconds < 3.0


def answers_in(slack: FakeSlack, channel: str) -> tuple[int, int]:
    """(estimates posted in `channel`, replies in their threads), as the channel shows them."""
    messages = [m for m in slack.messages if m.get("channel") == channel]
    estimates = {m["ts"] for m in messages if "thread_ts" not in m}
    tips = [m for m in messages if m.get("thread_ts") in estimates]
    return len(estimates), len(tips)


async def settled(slack: FakeSlack, channels: list[str], timeout: float) -> dict[str, tuple]:
    """Waits until every channel has its estimate and tips (or `timeout`), then a takeover
    round longer, so a late duplicate would show; what each channel shows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = [answers_in(slack, c) for c in channels]
        if all(estimates >= 1 and tips >= TIPS for estimates, tips in shown):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(CLAIM_IDLE_SECONDS * 1.5)
    return {c: answers_in(slack, c) for c in channels}


async def metric(bots: list[BotProcess], name: str) -> float:
    total = 0.0
    for bot in bots:
        status, text = await bot.get("/metrics")
        assert status == 200
        total += sum(float(v) for v in re.findall(rf"^{re.escape(name)} (\S+)$", text, re.M))
    return total


async def test_a_replica_killed_mid_burst_loses_and_doubles_nothing(slack, queue_redis):
    slack.slow_down("chat.postMessage", POST_DELAY_SECONDS)
    bots = await replicas(slack, queue_redis, 3)
    victim, survivors = bots[1], [bots[0], bots[2]]
    prefix = "CK" + uuid.uuid4().hex[:5].upper()
    channels = [f"{prefix}{i}" for i in range(60)]
    acknowledged: list[str] = []
    try:
        async with aiohttp.ClientSession() as session:

            async def send(i: int, channel: str) -> None:
                if await command(bots[i % 3], channel, session):
                    acknowledged.append(channel)

            sends = [asyncio.create_task(send(i, c)) for i, c in enumerate(channels[:30])]
            await asyncio.gather(*sends)
            await asyncio.sleep(0.3)  # every replica is mid-way through its share
            kill(victim)
            rest = [send(i, c) for i, c in enumerate(channels[30:], start=30)]
            await asyncio.gather(*rest)
        by_channel = await settled(slack, acknowledged, timeout=40)
        taken_over = await metric(survivors, 'aicost_jobs_total{event="claimed"}')
        skipped = await metric(survivors, 'aicost_jobs_total{event="step_skipped"}')
    finally:
        slack.slow_down("chat.postMessage", 0)
        for bot in survivors:
            await bot.stop()
    # The victim acknowledged its share of the first 30, then refused its share of the rest.
    assert 40 <= len(acknowledged) <= 50, len(acknowledged)
    wrong = {c: got for c, got in by_channel.items() if got != (1, TIPS)}
    assert not wrong, f"expected one estimate and {TIPS} tips each: {wrong}"
    assert taken_over > 0, "the victim's jobs should have been finished by the survivors"
    assert skipped > 0, "what the victim had posted should have been left alone"


async def test_a_rolling_restart_loses_and_doubles_nothing(slack, queue_redis):
    slack.slow_down("chat.postMessage", POST_DELAY_SECONDS / 2)
    bots = await replicas(slack, queue_redis, 3)
    prefix = "CR" + uuid.uuid4().hex[:5].upper()
    numbers = itertools.count()
    acknowledged: list[str] = []
    refused = 0
    rolling = True
    try:
        async with aiohttp.ClientSession() as session:

            async def traffic(lane: int) -> None:
                nonlocal refused
                while rolling:
                    channel = f"{prefix}{next(numbers)}"
                    if await command(bots[lane % 3], channel, session):
                        acknowledged.append(channel)
                    else:
                        refused += 1
                    lane += 1
                    await asyncio.sleep(0.05)

            lanes = [asyncio.create_task(traffic(lane)) for lane in range(3)]
            for i, old in enumerate(list(bots)):
                await asyncio.sleep(1.0)
                assert await old.stop() == 0, old.logs()  # drains, leaves the rest pending
                bots[i] = await BotProcess(
                    slack.base_url, queue_redis, port=old.port, extra_env=REPLICA_ENV
                ).start()
            await asyncio.sleep(1.0)
            rolling = False
            await asyncio.gather(*lanes)
        by_channel = await settled(slack, acknowledged, timeout=40)
    finally:
        slack.slow_down("chat.postMessage", 0)
        for bot in bots:
            await bot.stop()
    assert len(acknowledged) >= 30, (len(acknowledged), refused)
    wrong = {c: got for c, got in by_channel.items() if got != (1, TIPS)}
    assert not wrong, f"expected one estimate and {TIPS} tips each: {wrong}"


async def test_queued_jobs_bring_their_workspace_settings_and_are_all_acknowledged(queue_redis):
    """Each entry carries its workspace's settings as they stood when it was queued (so the
    replica running it reads none); finished jobs, acknowledged in batches, leave nothing
    pending, before a shutdown or at it."""
    client = aioredis.Redis.from_url(queue_redis, decode_responses=True)
    await fresh_queue(client)
    priced, plain = new_team(), new_team()
    stored = json.dumps({"overrides": {"currency": {"code": "EUR", "per_usd": 0.9}}})
    await client.set(workspace_keys(priced).settings, stored)
    seen: dict[str, str | None] = {}

    async def run(job: Job, ledger: StepLedger) -> None:
        seen[job.text] = job.settings

    async def lost(job: Job) -> None:
        raise AssertionError(f"dead-lettered {job.id}")

    queue = JobQueue(queue_redis, run, lost, Metrics(), capacity=64, claim_idle_seconds=30,
                     max_deliveries=3)  # fmt: skip
    await queue.start()
    try:
        for i in range(40):
            team = priced if i % 2 else plain
            job = Job(kind="slash_command", team_id=team, channel="C1", user="U1", text=f"{i}")
            assert await queue.enqueue(job)
        deadline = time.monotonic() + 10
        while len(seen) < 40 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert seen == {f"{i}": stored if i % 2 else "" for i in range(40)}
        while (await client.xpending(STREAM, GROUP))["pending"] and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert (await client.xpending(STREAM, GROUP))["pending"] == 0
        assert await queue.enqueue(Job(kind="slash_command", team_id=plain, channel="C1",
                                       user="U1", text="last"))  # fmt: skip
        while "last" not in seen and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
    finally:
        assert await queue.stop(grace=1) == 0
        await queue.close()
    assert (await client.xpending(STREAM, GROUP))["pending"] == 0  # acknowledged at the stop
    await client.aclose()


async def test_a_command_whose_replicas_keep_dying_is_dead_lettered_and_its_person_told(
    slack, redis_url
):
    """Three replicas took the job and vanished without finishing it (as if it killed them):
    the next one does not try a fourth time; it sets the job aside in aicost:jobs:dead, logs
    it and tells the person privately."""
    url = urlsplit(redis_url)._replace(path="/7").geturl()
    redis = aioredis.Redis.from_url(url, decode_responses=True)
    channel = "CD" + uuid.uuid4().hex[:8].upper()
    job = Job(
        kind="slash_command",
        team_id="T" + uuid.uuid4().hex[:8].upper(),
        channel=channel,
        user="U1",
        response_url=slack.response_url(channel),
        text=STANDARD,
    )
    await fresh_queue(redis)
    await redis.xadd(STREAM, {"job": job.dump()})
    ((_, ((entry, _),)),) = await redis.xreadgroup(GROUP, "ghost-1", {STREAM: ">"})
    for ghost in ("ghost-2", "ghost-3"):  # each takes it over, then dies too
        await redis.xclaim(STREAM, GROUP, ghost, 0, [entry])
    (pending,) = await redis.xpending_range(STREAM, GROUP, min="-", max="+", count=10)
    assert pending["times_delivered"] == 3
    await asyncio.sleep(0.6)
    env = {**REPLICA_ENV, "JOB_CLAIM_IDLE_SECONDS": "0.5", "JOB_MAX_DELIVERIES": "3"}
    survivor = await BotProcess(slack.base_url, url, extra_env=env).start()
    try:
        deadline = time.monotonic() + 10
        while not slack.responses_to(channel) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        (told,) = slack.responses_to(channel)
        assert "couldn't finish that one" in text_of(told.body)
        assert told.body.get("response_type") == "ephemeral"
        dead = await redis.xrange(DEAD_STREAM)
        assert [Job.load(fields["job"]).id for _, fields in dead] == [job.id]
        assert await redis.xpending_range(STREAM, GROUP, min="-", max="+", count=10) == []
        assert answers_in(slack, channel) == (0, 0)  # not tried a fourth time
    finally:
        assert await survivor.stop() == 0
        await redis.aclose()
    assert f"job {entry} (slash_command) failed 3 deliveries" in survivor.logs()


async def test_a_follow_up_taken_over_after_its_save_is_not_applied_twice(slack, redis_url):
    """The first replica kept its answer, saved the changed conversation and died before
    posting: the replica taking over posts that kept answer once, and changes nothing more
    (worded again from the changed state, the answer would differ, and an "undo" would go two
    steps back)."""
    url = urlsplit(redis_url)._replace(path="/8").geturl()
    redis = aioredis.Redis.from_url(url, decode_responses=True)
    store = make_store(url, 600)
    team, channel = "T" + uuid.uuid4().hex[:8].upper(), "CF" + uuid.uuid4().hex[:8].upper()
    # The estimate the thread hangs under, as Slack holds it.
    estimate = await slack.client().chat_postMessage(channel=channel, text="the estimate")
    thread = str(estimate["ts"])
    text = "what if 50k users?"
    before = advisor.request(STANDARD, ConversationState()).state
    await store.save_conversation(team, channel, thread, before)
    job = Job(kind="thread_reply", team_id=team, channel=channel, user="U1", thread_ts=thread,
              text=text)  # fmt: skip
    # What the first replica did before it died: kept its answer, then saved.
    first = answers.follow_up(text, before)
    (kept,) = first.messages
    await redis.hset(f"{STREAM}:steps:{job.id}", "answer", json.dumps([kept.text, kept.blocks]))
    await store.save_conversation(team, channel, thread, first.state)
    (again,) = answers.follow_up(text, first.state).messages
    assert again.text != kept.text  # what a replica would say if it answered afresh
    await fresh_queue(redis)
    await redis.xadd(STREAM, {"job": job.dump()})
    await redis.xreadgroup(GROUP, "ghost", {STREAM: ">"})
    await asyncio.sleep(0.6)
    env = {**REPLICA_ENV, "JOB_CLAIM_IDLE_SECONDS": "0.5"}
    survivor = await BotProcess(slack.base_url, url, extra_env=env).start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not posted_in(slack, channel):
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # a second reply would show by now
        replies = posted_in(slack, channel)
        assert [m["text"] for m in replies] == [kept.text], survivor.logs()
        assert replies[0]["thread_ts"] == thread
        assert await store.load_thread(team, channel, thread) == first.state
    finally:
        assert await survivor.stop() == 0
        await store.close()
        await redis.aclose()


def posted_in(slack: FakeSlack, channel: str) -> list[dict]:
    """The bot's replies in `channel`'s threads."""
    return [m for m in slack.messages if m.get("channel") == channel and m.get("thread_ts")]
