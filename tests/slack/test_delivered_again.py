"""A queued job delivered again (its first delivery waited for the installation database, or
its replica died) answers as the first delivery would have: a follow-up queued over the fair-use
limit, kept without its text, is told to slow down, never answered as an empty message.

Real Redis for the step ledger, the fake Slack; the job is handed in as the queue hands it."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

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
