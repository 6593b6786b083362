"""A reply that fails for a reason nobody foresaw still reaches the person: one private sentence
through the response_url (the fake Slack records it), or without one, where they asked; the
traceback in the log."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.dispatch import FAILED_ON_OUR_SIDE, Dispatcher
from bot.slack.job import Job, JobDeferred
from bot.slack.messages.replies import DATABASE_DOWN
from bot.slack.metrics import Metrics
from bot.slack.step_ledger import StepLedger
from bot.slack.where import Where, job_where
from tests.support.fake_slack import FakeSlack
from tests.support.reading import text_of


async def test_a_reply_that_raises_is_a_private_sentence_not_silence(caplog):
    async def fails() -> None:
        raise RuntimeError("a bug deep in wording")

    async with FakeSlack() as slack:
        name = uuid.uuid4().hex
        where = Where("T1", "C1", "U1", response_url=slack.response_url(name))
        dispatcher = Dispatcher(stored=None, metrics=Metrics())  # type: ignore[arg-type]
        dispatcher.spawn(fails(), "slash_command", where)
        (response,) = await slack.wait_for_response(name)
        await dispatcher.drain(5)
    assert response.body["response_type"] == "ephemeral"
    assert FAILED_ON_OUR_SIDE in text_of(response.body)
    assert "a bug deep in wording" not in text_of(response.body)
    assert "failed to answer a slash_command" in caplog.text


async def test_a_thread_reply_that_raises_is_told_in_its_thread_to_the_person_alone(caplog):
    """A thread reply (or a mention, the form, a direct message) has no response_url: the
    sentence goes where it was asked, as a message only the person sees."""

    async def fails() -> None:
        raise RuntimeError("a bug deep in wording")

    async with FakeSlack() as slack:
        job = Job(kind="thread_reply", team_id="T1", channel="C1", user="U1",
                  thread_ts="1700000000.000100", text="what if 50k users?")  # fmt: skip

        async def client_for(_: Job) -> AsyncWebClient:
            return slack.client()

        dispatcher = Dispatcher(stored=None, metrics=Metrics(), client_for=client_for)  # type: ignore[arg-type]
        dispatcher.spawn(fails(), job.kind, job_where(job), job=job)
        (told,) = await slack.wait_for("chat.postEphemeral")
        await dispatcher.drain(5)
    assert told.args["user"] == "U1" and told.args["thread_ts"] == "1700000000.000100"
    assert FAILED_ON_OUR_SIDE in told.args["text"]
    assert slack.calls_to("chat.postMessage") == []  # nobody else sees it
    assert "failed to answer a thread_reply" in caplog.text


async def test_a_queued_command_failing_while_redis_blinks_is_still_told(caplog):
    """The job's step ledger (in Redis) cannot be written, perhaps why the job failed: the
    sentence goes out all the same."""

    class Failing(Dispatcher):
        async def perform(self, job: Job, ledger: StepLedger | None = None) -> None:
            raise RuntimeError("Redis went away mid-answer")

    async with FakeSlack() as slack:
        name = uuid.uuid4().hex
        job = Job(kind="slash_command", team_id="T1", channel="C1", user="U1",
                  response_url=slack.response_url(name), text="help")  # fmt: skip
        nothing_listens = aioredis.Redis.from_url("redis://127.0.0.1:1/0")
        ledger = StepLedger(nothing_listens, "aicost:jobs:steps:test", job, deliveries=1)
        dispatcher = Failing(stored=None, metrics=Metrics())  # type: ignore[arg-type]
        await dispatcher.run_job(job, ledger)
        (response,) = await slack.wait_for_response(name)
        await nothing_listens.aclose()
    assert FAILED_ON_OUR_SIDE in text_of(response.body)
    assert "telling the user anyway" in caplog.text


async def test_a_reply_answered_here_while_the_installation_database_is_down_says_so(caplog):
    """Without the queue (no Redis, or Redis down) the job is answered in the process that took
    it: its token lookup failing is a sentence through the response_url, not a traceback."""

    async def no_token(job: Job) -> AsyncWebClient:
        raise JobDeferred("installation database unavailable (ConnectionRefusedError)")

    class LooksUp(Dispatcher):
        async def perform(self, job: Job, ledger: StepLedger | None = None) -> None:
            await self.client_for(job)

    async with FakeSlack() as slack:
        name = uuid.uuid4().hex
        job = Job(kind="slash_command", team_id="T1", channel="C1", user="U1",
                  response_url=slack.response_url(name), text="10000 users startup")  # fmt: skip
        dispatcher = LooksUp(stored=None, metrics=Metrics(), client_for=no_token)  # type: ignore[arg-type]
        dispatcher.spawn(dispatcher.perform(job), job.kind, job_where(job), job=job)
        (response,) = await slack.wait_for_response(name)
        await dispatcher.drain(5)
    assert DATABASE_DOWN in text_of(response.body)
    assert "Traceback" not in caplog.text
