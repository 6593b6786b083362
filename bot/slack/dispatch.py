"""Acknowledged work carried to its end: queued for any replica or run here, tracked for shutdown.

The listeners hand work in here after acknowledging; every slow step (estimates, Redis, Slack
calls) runs in a task this module tracks, so shutdown can wait for replies already acknowledged.
With Redis configured a job goes to the shared queue (bot/slack/job_queue.py), and the queue's
runner hands each job back with its step ledger; without Redis, or while it is unreachable, the
job is answered in this process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Coroutine
from typing import Any

import aiohttp
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError

from bot.slack.direct_message import is_person
from bot.slack.job import ClientFor, Job, JobDeferred
from bot.slack.job_queue import ENQUEUE_TIMEOUT_SECONDS, EnqueueUndecided, JobQueue
from bot.slack.message import Message
from bot.slack.messages.replies import DATABASE_DOWN, error_message
from bot.slack.metrics import Metrics
from bot.slack.posting import respond, slack_error
from bot.slack.ratelimit import WINDOW_SECONDS, limit_buckets
from bot.slack.step_ledger import StepLedger
from bot.slack.store.protocols import StoreUnavailable
from bot.slack.store_access import DUPLICATE_WINDOW_SECONDS, StoreAccess
from bot.slack.where import Where, job_where

log = logging.getLogger(__name__)

FAILED_ON_OUR_SIDE = (
    "Something went wrong on my side while answering that (the details are in my log). "
    "Please try again; if it keeps happening, tell whoever runs aicost."
)

# Replies in progress at once (each holds at most one Redis connection and one HTTP request at
# a time): fewer left the event loop idle waiting on Slack, Redis and the worker, more only made
# acknowledgements wait (docs/architecture.md, "Performance idioms").
MAX_CONCURRENT_REPLIES = 96

# Jobs charged against the fair-use limits as they are queued (a flood of replies is slowed down
# like a flood of commands).
CHARGED_KINDS = frozenset({"slash_command", "thread_reply", "mention"})

# Slack errors that pass with time; any other refusal stays until someone changes something.
PASSING_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}


class Dispatcher:
    """Runs jobs; what a job does is `perform`'s, defined by the conversation (conversation.py)."""

    def __init__(
        self,
        stored: StoreAccess,
        metrics: Metrics,
        webhook_logger: logging.Logger | None = None,
        client_for: ClientFor | None = None,
    ) -> None:
        self.stored = stored
        self.metrics = metrics
        self.webhook_logger = webhook_logger
        # The Web API client for a job's workspace (app.client_for); set by build_bot.
        self.client_for = client_for
        # The shared durable queue (bot/slack/job_queue.py) when Redis is configured, else None.
        self.queue: JobQueue | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Acknowledged work queues here under bursts rather than opening unbounded Redis and
        # HTTP connections at once; nothing is dropped.
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_REPLIES)
        self.accepting = True

    async def perform(self, job: Job, ledger: StepLedger | None = None) -> None:
        """Answer `job`; with a queued job's `ledger`, each of its posts at most once."""
        raise NotImplementedError

    # -- acknowledged work: queued for any replica, or run here ------------------------------

    async def submit(
        self,
        job: Job,
        once: str | None = None,
        once_seconds: int = DUPLICATE_WINDOW_SECONDS,
        wait: float = ENQUEUE_TIMEOUT_SECONDS,
    ) -> None:
        """Record an acknowledged job in the shared queue (any replica answers it); without Redis,
        or while it is unreachable, answer it in this process as before. The acknowledgement
        waits at most `wait` (or ENQUEUE_TIMEOUT_SECONDS) for Redis to say it recorded it."""
        if self.queue is not None and self.accepting:
            # A slash command or a follow-up is charged its estimate as it is recorded (one round
            # trip for both); the commands that turn out to cost nothing give it back.
            charge = limit_buckets(job.team_id, job.user) if job.kind in CHARGED_KINDS else None
            try:
                recorded = await self.queue.enqueue(
                    job, once, once_seconds, charge, WINDOW_SECONDS, wait
                )
                if not recorded:
                    self.metrics.requests.labels(kind="duplicate").inc()
                    log.info("dropped a duplicate %s", job.kind)
                return
            except EnqueueUndecided as undecided:
                # Acknowledged now, within Slack's 3 s; answered here only if it was not queued.
                work = self._unless_queued(job, undecided.outcome, once, once_seconds)
                self.spawn(work, job.kind, job_where(job), job=job)
                return
            except StoreUnavailable:
                self.metrics.redis_errors.inc()
                self.metrics.jobs.labels(event="run_locally").inc()
            except ValueError:  # IDs of unexpected characters: answered here, not queued
                once = None
        self.spawn(self.perform(job), job.kind, job_where(job), once, once_seconds, job)

    async def _unless_queued(
        self, job: Job, queued: Awaitable[bool], once: str | None, once_seconds: int
    ) -> None:
        """A job whose recording was slow: nothing more if Redis did record it (a replica answers
        it) or it was a duplicate; answered here if Redis did not, and now never will."""
        try:
            if not await queued:
                self.metrics.requests.labels(kind="duplicate").inc()
                log.info("dropped a duplicate %s", job.kind)
            return
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            self.metrics.jobs.labels(event="run_locally").inc()
        if once is not None and not await self.stored.first_time(once, once_seconds):
            return
        await self.perform(job)

    async def forget_jobs(self, team: str, channel: str | None = None) -> int:
        """Delete the queued jobs (what people wrote) of a workspace, or of one of its channels."""
        if self.queue is None:
            return 0
        return await self.queue.forget(team, channel)

    async def run_job(self, job: Job, ledger: StepLedger) -> None:
        """A job taken from the queue (bot/slack/job_queue.py), with the same error handling;
        its `ledger` keeps a job delivered again from posting a step twice."""
        work = self.perform(job, ledger)
        await self._guarded(work, job.kind, job_where(job), None, 0, ledger, job)

    async def tell_lost(self, job: Job) -> None:
        """A job given up on (dead-lettered): say so where the person will see it. Its
        response_url needs no token; without one, the job's workspace token reaches the person
        directly, unless the installation database that holds it is still down."""
        text = "Sorry, I couldn't finish that one. Please try again in a minute."
        client = None
        try:
            client = await self.client_for(job) if self.client_for is not None else None
        except JobDeferred:
            text = DATABASE_DOWN  # what it waited for, and still does
        message = error_message(text)
        where = job_where(job)
        if where.response_url:
            await respond(where, message, self.metrics, self.webhook_logger, None, client)
        elif client is not None:
            await client.chat_postMessage(
                channel=job.user, text=message.text, blocks=message.blocks
            )
        else:
            log.warning(
                "could not tell anyone that a %s was given up: it has no response_url and its "
                "workspace's token could not be looked up",
                job.kind,
            )

    # -- task tracking (graceful shutdown) --------------------------------------------------

    def spawn(
        self,
        work: Coroutine[Any, Any, None],
        kind: str,
        where: Where | None = None,
        once: str | None = None,
        once_seconds: int = DUPLICATE_WINDOW_SECONDS,
        job: Job | None = None,
    ) -> None:
        """Run acknowledged work in the background, tracked until it finishes. With `once`,
        work whose key was already claimed within `once_seconds` (a Slack retry, a double
        click) is dropped. With the `job` it does, a failure is told where it was asked even
        without a response_url."""
        guarded = self._guarded(work, kind, where, once, once_seconds, None, job)
        task = asyncio.create_task(guarded)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(
        self,
        work: Coroutine[Any, Any, None],
        kind: str,
        where: Where | None,
        once: str | None,
        once_seconds: int,
        ledger: StepLedger | None = None,
        job: Job | None = None,
    ) -> None:
        try:
            async with self._slots:
                if once is not None and not await self.stored.first_time(once, once_seconds):
                    work.close()  # never started: a duplicate of a request already answered
                    self.metrics.requests.labels(kind="duplicate").inc()
                    log.info("dropped a duplicate %s", kind)
                    return
                await work
        except JobDeferred as exc:
            if ledger is not None:
                raise  # a queued job: it stays in the queue, delivered again (job_queue.py)
            self.metrics.errors.labels(kind="installation_database").inc()
            log.warning("could not answer a %s: %s", kind, exc)
            await self._tell(where, DATABASE_DOWN, None)  # no token: the response_url only
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # The client already retried (429 after Retry-After, 5xx and dropped connections
            # with backoff): Slack is having trouble. Say so where we still can.
            self.metrics.errors.labels(kind="slack").inc()
            log.warning("Slack did not take a %s reply: %s", kind, slack_error(exc))
            await self._tell_slack_failed(where, _passes_with_time(exc), ledger, job)
        except Exception:
            self.metrics.errors.labels(kind=kind).inc()
            log.exception("failed to answer a %s", kind)
            await self._tell(where, FAILED_ON_OUR_SIDE, ledger, job)  # never silence

    def later(self, work: Coroutine[Any, Any, None], kind: str) -> None:
        """Run a step that may wait long (a chart being drawn) in the background, tracked for
        shutdown but holding none of the reply slots estimates need. Its failures are logged."""
        task = asyncio.create_task(self._logged(work, kind))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None], kind: str) -> None:
        try:
            await work
        except Exception:
            self.metrics.errors.labels(kind=kind).inc()
            log.exception("failed to post a %s", kind)

    async def _tell_slack_failed(
        self, where: Where | None, passes: bool, ledger: StepLedger | None, job: Job | None
    ) -> None:
        text = (
            "Slack didn't accept my answer just now. Please try again in a minute."
            if passes
            # Retrying would fail the same way: say what can change it instead.
            else "Slack doesn't let me answer here. Invite me to the channel "
            "(`/invite @aicost`) or ask in a channel I'm in."
        )
        await self._tell(where, text, ledger, job)

    async def _tell(
        self, where: Where | None, text: str, ledger: StepLedger | None, job: Job | None = None
    ) -> None:
        """`text` privately to whoever asked: through the response_url Slack gave (a command, a
        button), else, for a `job` (a thread reply, a mention, the form, a direct message), as
        a message only they see where they asked, with the job's workspace token."""
        if where is None:
            return
        message = error_message(text)
        try:
            if where.response_url:
                await self._respond_once(where, message, ledger)
            elif job is not None and self.client_for is not None and where.user:
                await self._tell_where_asked(await self.client_for(job), where, message)
        except Exception as exc:  # Slack too; nothing more to try
            log.warning("could not tell the user either: %s", type(exc).__name__)

    async def _respond_once(
        self, where: Where, message: Message, ledger: StepLedger | None
    ) -> None:
        """Through the response_url, once per job with its `ledger`; sent all the same when the
        ledger cannot be written (Redis failing may be why the job failed): an apology twice
        after a crash is better than none."""
        try:
            await respond(where, message, self.metrics, self.webhook_logger, ledger)
        except (RedisError, OSError) as exc:
            if ledger is None:
                raise
            log.warning("step ledger unavailable (%s); telling the user anyway", type(exc).__name__)
            await respond(where, message, self.metrics, self.webhook_logger, None)

    async def _tell_where_asked(self, client: Any, where: Where, message: Message) -> None:
        if not where.channel or is_person(where.channel):  # the form from Home: the app's DM
            await client.chat_postMessage(
                channel=where.user, text=message.text, blocks=message.blocks
            )
            return
        await client.chat_postEphemeral(
            channel=where.channel,
            user=where.user,
            thread_ts=where.thread_ts,
            text=message.text,
            blocks=message.blocks,
        )

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` for tracked replies; returns how many were still running."""
        self.accepting = False
        started = time.monotonic()
        left = 0
        if self.queue is not None:  # unfinished jobs stay pending: another replica takes them
            left = await self.queue.stop(timeout)
        pending = set(self._tasks)
        if pending:
            remaining = max(0.0, timeout - (time.monotonic() - started))
            _, still = await asyncio.wait(pending, timeout=remaining)
            left += len(still)
        return left

    @property
    def in_flight(self) -> int:
        return len(self._tasks) + (self.queue.running if self.queue is not None else 0)


def _passes_with_time(exc: Exception) -> bool:
    """True when trying again later may work: Slack overloaded or unreachable, not a refusal."""
    if not isinstance(exc, SlackApiError):
        return True  # connection errors and timeouts
    status = getattr(exc.response, "status_code", 200)
    return status >= 500 or status == 429 or exc.response.get("error", "") in PASSING_ERRORS
