"""A queued job delivered again (its first delivery waited for the installation database, or
its replica died) answers as the first delivery would have: a follow-up queued over the fair-use
limit, kept without its text, is told to slow down, never answered as an empty message.

Real Redis for the step ledger, the fake Slack; the job is handed in as the queue hands it."""

from __future__ import annotations

import json
import uuid

import redis.asyncio as aioredis

from bot.slack import answers
from bot.slack.conversation import Conversations
from bot.slack.job import Job
from bot.slack.job_stream import STREAM, ledger_key
from bot.slack.metrics import Metrics
from bot.slack.posting import Posting
from bot.slack.step_ledger import StepLedger
from bot.slack.store import make_store
from bot.slack.where import job_where
from bot.slack.workers import Workers
from tests.support.fake_slack import FakeSlack
from tests.support.reading import channel_id, new_team, posts


async def test_a_follow_up_queued_over_the_limit_and_delivered_again_is_told_to_slow_down(
    redis_url,
) -> None:
    team, channel = new_team(), channel_id()
    # As the queue recorded it: over the limit (wait > 0), so without its text.
    job = Job(kind="thread_reply", team_id=team, channel=channel, user="U1", text="",
              id=uuid.uuid4().hex)  # fmt: skip
    job.wait = 12.0
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    conversations = Conversations(make_store(None, 3600), Metrics(), Workers(count=0))
    async with FakeSlack() as slack:
        client = slack.client()
        root = await client.chat_postMessage(channel=channel, text="an estimate")
        job.thread_ts = str(root["ts"])
        try:
            ledger = StepLedger(redis, ledger_key(STREAM, job), job, deliveries=2)  # taken over
            post = Posting(client, conversations.metrics, None, ledger)
            assert await conversations.slowed_down(post, job_where(job), in_thread=True)
        finally:
            await redis.delete(ledger_key(STREAM, job))
            await redis.aclose()
        (told,) = posts(slack, channel, job.thread_ts)
    assert "try again in" in told.args["text"].lower()


async def test_a_follow_up_whose_answer_an_earlier_version_kept_still_saves_its_change(
    redis_url,
) -> None:
    """The first delivery kept its answer (written by an earlier version of the bot, as the json
    module writes it) and died before saving; delivered again, the same answer is not taken
    for another one: the change is saved and the answer posted once."""
    team, channel = new_team(), channel_id()
    store = make_store(None, 3600)
    conversations = Conversations(store, Metrics(), Workers(count=0))
    estimate = answers.request("10000 users startup")
    text = "what if 100k users"
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    async with FakeSlack() as slack:
        client = slack.client()
        root = await client.chat_postMessage(channel=channel, text="an estimate")
        thread_ts = str(root["ts"])
        await store.save_conversation(team, channel, thread_ts, estimate.state, {"ts": thread_ts})
        job = Job(kind="thread_reply", team_id=team, channel=channel, user="U1", text=text,
                  thread_ts=thread_ts, id=uuid.uuid4().hex)  # fmt: skip
        (message,) = answers.follow_up(text, estimate.state).messages
        key = ledger_key(STREAM, job)
        await redis.hset(key, "answer", json.dumps([message.text, message.blocks]))
        try:
            ledger = StepLedger(redis, key, job, deliveries=2)
            await conversations.thread_reply(client, job_where(job), text, ledger)
        finally:
            await redis.delete(key)
            await redis.aclose()
        (answered,) = posts(slack, channel, thread_ts)
    assert answered.args["text"] == message.text
    saved = await store.load_thread(team, channel, thread_ts)
    assert saved is not None and saved.scenario.users == 100_000
