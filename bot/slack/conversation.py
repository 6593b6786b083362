"""One conversation turn against Slack: load the state, word the answer, post, save.

The listeners call in here after acknowledging; every slow step (estimates, Redis, Slack calls)
runs in a task this module tracks, so shutdown can wait for replies already acknowledged. The
answers themselves are worded by bot/slack/answers.py in a worker process (bot/slack/workers.py).
Redis being down never stops an estimate: the answer goes out with a note that follow-ups are
unavailable for now.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.advisor import ConversationState, ReplyKind
from bot.parsing import Command, parse
from bot.slack import answers, limits, pictures
from bot.slack.answers import Answer
from bot.slack.estimate_form import form_view, scenario_from_form
from bot.slack.fitting import with_note
from bot.slack.ids import Action
from bot.slack.jobs import ClientFor, EnqueueUndecided, Job, JobQueue, current_ledger
from bot.slack.message import Message
from bot.slack.messages.buttons import with_button_value
from bot.slack.messages.estimate import not_in_channel_message
from bot.slack.messages.files import chart_alt, chart_comment, comparison_chart_alt, export_comment
from bot.slack.messages.replies import (
    error_message,
    help_message,
    hint_message,
    info_message,
    store_unavailable_note,
)
from bot.slack.metadata import FormMetadata
from bot.slack.metrics import Metrics
from bot.slack.ratelimit import WINDOW_SECONDS, EstimateLimiter, limit_buckets, slow_down_text
from bot.slack.store.codec import settings_from
from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.protocols import Store, StoreUnavailable
from bot.slack.web_session import blocks_to_send, post_message
from bot.slack.workers import WorkerFailed, Workers, WorkerUnavailable
from bot.slack.workspace import WorkspaceSettings
from estimator.overrides import PriceOverrides
from estimator.scenario import Scenario

log = logging.getLogger(__name__)

STORE_DOWN_TEXT = "Follow-ups are unavailable for a moment."
THREAD_ONLY = "Reply “undo” or “reset” in the estimate's thread: they change that estimate."

# Replies in progress at once (each holds at most one Redis connection and one HTTP request at
# a time). Measured (docs/benchmarks.md): 32 left the event loop idle a fifth of the time waiting
# on Slack, Redis and the worker; once the estimate worker and the queue were cheaper, 96 gave
# 3 points (of the bare app's rate) more than 64 with p99 acknowledgement under 100 ms, and 128
# no more, its acknowledgements waiting longer behind the replies in progress.
MAX_CONCURRENT_REPLIES = 96
DUPLICATE_WINDOW_SECONDS = 600  # Slack retries within minutes; a key is remembered for ten
CHARTS_OFF = "Charts are turned off for this app (its CHARTS setting); Export still works."
CHARTS_BUSY = "I'm drawing a lot of charts right now: ask for this one again in a minute."
NO_FILES_PRIVATELY = (
    "Files can't be attached to a message only you can see. Invite me to the channel "
    "(`/invite @aicost`) and ask again there."
)

# Slash-command answers that count as an estimate against the fair-use limits (ratelimit.py).
CHARGED = frozenset(
    {
        ReplyKind.estimate,
        ReplyKind.comparison,
        ReplyKind.breakeven,
        ReplyKind.chart,
        ReplyKind.export,
    }
)

# What a queued job's post returns when it cannot tell whether an earlier delivery posted it.
STEP_UNKNOWN = ""

# Slack errors that mean "the bot cannot post here": answer privately instead.
NOT_IN_CHANNEL = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
# Slack errors that pass with time; any other refusal stays until someone changes something.
PASSING_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}
# A private estimate's scenario is remembered under this prefix and a random key, which its
# buttons carry as their value (a message only its reader sees has no thread in the channel).
PRIVATE_PREFIX = "private-"
# What an estimate's buttons carry: whose estimate it is ("w:T0123", "w:T0123.E0456" for a
# workspace of an organisation, "w:E0456" for an org-wide install), plus a private estimate's
# key. A click from the other side of a shared channel then acts on the same scenario, with the
# installing side's token.
_BUTTON_VALUE = re.compile(
    r"w:([A-Za-z0-9]{1,32})(?:\.([A-Za-z0-9]{1,32}))?(?::(private-[0-9a-f]{16}))?"
)


@dataclass(frozen=True)
class ButtonValue:
    owner: str  # a workspace (T…) or, org-wide, an organisation (E…)
    enterprise: str | None = None
    private_key: str | None = None

    @property
    def org_wide(self) -> bool:
        return self.owner.startswith("E")


def button_value(where: Where) -> str | None:
    if not where.team:
        return None
    value = f"w:{where.team}"
    if where.enterprise and where.enterprise != where.team:
        value += f".{where.enterprise}"
    if where.private and where.thread_ts:
        value += f":{where.thread_ts}"
    return value


def read_button_value(value: str) -> ButtonValue | None:
    """What an estimate's button carries; None for buttons posted before owners were stamped."""
    match = _BUTTON_VALUE.fullmatch(value)
    return ButtonValue(match.group(1), match.group(2), match.group(3)) if match else None


@dataclass(frozen=True)
class Where:
    """Where a turn happens and how to answer privately."""

    team: str
    channel: str
    user: str
    thread_ts: str | None = None
    response_url: str | None = None
    private: bool = False  # a private estimate: answers go back through the response_url
    # The installation's organisation when `team` is one of its workspaces (Enterprise Grid).
    enterprise: str | None = None


class Conversations:
    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        workers: Workers,
        webhook_logger: logging.Logger | None = None,
        client_for: ClientFor | None = None,
        charts: Workers | None = None,
    ) -> None:
        self.store = store
        # The Web API client for a job's workspace (app.client_for); set by build_bot.
        self.client_for = client_for
        # The shared durable queue (bot/slack/jobs.py) when Redis is configured, else None.
        self.queue: JobQueue | None = None
        self.metrics = metrics
        self.workers = workers
        # Low-priority chart workers; None (CHARTS=off) posts no charts.
        self.charts = charts
        self.webhook_logger = webhook_logger
        # Stands in for Redis (duplicate claims, rate limits) while it is unreachable.
        self.local = MemoryStore(ttl_seconds=3600, max_keys=10_000)
        self.limiter = EstimateLimiter(store, self.local)
        self._tasks: set[asyncio.Task[None]] = set()
        # Acknowledged work queues here under bursts rather than opening unbounded Redis and
        # HTTP connections at once; nothing is dropped.
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_REPLIES)
        self.accepting = True

    # -- acknowledged work: queued for any replica, or run here ------------------------------

    async def submit(
        self, job: Job, once: str | None = None, once_seconds: int = DUPLICATE_WINDOW_SECONDS
    ) -> None:
        """Record an acknowledged job in the shared queue (any replica answers it); without Redis,
        or while it is unreachable, answer it in this process as before."""
        if self.queue is not None and self.accepting:
            # A slash command is charged its estimate as it is recorded (one round trip for
            # both); the few that turn out to cost nothing give it back (slash_command).
            charge = limit_buckets(job.team_id, job.user) if job.kind == "slash_command" else None
            try:
                if not await self.queue.enqueue(job, once, once_seconds, charge, WINDOW_SECONDS):
                    self.metrics.requests.labels(kind="duplicate").inc()
                    log.info("dropped a duplicate %s", job.kind)
                return
            except EnqueueUndecided as undecided:
                # Acknowledged now, within Slack's 3 s; answered here only if it was not queued.
                work = self._unless_queued(job, undecided.outcome, once, once_seconds)
                self.spawn(work, job.kind, job_where(job))
                return
            except StoreUnavailable:
                self.metrics.redis_errors.inc()
                self.metrics.jobs.labels(event="run_locally").inc()
            except ValueError:  # IDs of unexpected characters: answered here, not queued
                once = None
        self.spawn(self.perform(job), job.kind, job_where(job), once, once_seconds)

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
        if once is not None and not await self.first_time(once, once_seconds):
            return
        await self.perform(job)

    async def run_job(self, job: Job) -> None:
        """A job taken from the queue (bot/slack/jobs.py), with the same error handling."""
        await self._guarded(self.perform(job), job.kind, job_where(job), None, 0)

    async def perform(self, job: Job) -> None:
        assert self.client_for is not None
        client = await self.client_for(job)
        where = job_where(job)
        if job.kind == "slash_command":
            await self.slash_command(client, where, job.text, None)
        elif job.kind == "form":
            await self.form_submitted(client, where, job.values)
        elif job.kind == "button":
            await self.button(client, where, Action(job.action), None)
        elif job.kind == "thread_reply":
            await self.thread_reply(client, where, job.text)
        elif job.kind == "mention":
            await self.mention(client, where, job.text, job.ts)
        else:
            log.warning("unknown job kind %r", job.kind)

    async def tell_lost(self, job: Job) -> None:
        """A job given up on (dead-lettered): say so where the person will see it."""
        message = error_message("Sorry, I couldn't finish that one. Please try again in a minute.")
        where = job_where(job)
        if where.response_url:
            await self._respond(where, message)
        elif self.client_for is not None:
            client = await self.client_for(job)
            await client.chat_postMessage(
                channel=job.user, text=message.text, blocks=message.blocks
            )

    # -- task tracking (graceful shutdown) --------------------------------------------------

    def spawn(
        self,
        work: Coroutine[Any, Any, None],
        kind: str,
        where: Where | None = None,
        once: str | None = None,
        once_seconds: int = DUPLICATE_WINDOW_SECONDS,
    ) -> None:
        """Run acknowledged work in the background, tracked until it finishes. With `once`,
        work whose key was already claimed within `once_seconds` (a Slack retry, a double
        click) is dropped."""
        task = asyncio.create_task(self._guarded(work, kind, where, once, once_seconds))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(
        self,
        work: Coroutine[Any, Any, None],
        kind: str,
        where: Where | None,
        once: str | None,
        once_seconds: int,
    ) -> None:
        try:
            async with self._slots:
                if once is not None and not await self.first_time(once, once_seconds):
                    work.close()  # never started: a duplicate of a request already answered
                    self.metrics.requests.labels(kind="duplicate").inc()
                    log.info("dropped a duplicate %s", kind)
                    return
                await work
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # The client already retried (429 after Retry-After, 5xx and dropped connections
            # with backoff): Slack is having trouble. Say so where we still can.
            self.metrics.errors.labels(kind="slack").inc()
            log.warning("Slack did not take a %s reply: %s", kind, _slack_error(exc))
            await self._tell_slack_failed(where, _passes_with_time(exc))
        except Exception:
            self.metrics.errors.labels(kind=kind).inc()
            log.exception("failed to answer a %s", kind)

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

    async def first_time(self, key: str, ttl_seconds: int = DUPLICATE_WINDOW_SECONDS) -> bool:
        """True the first time `key` is seen (across processes through Redis)."""
        try:
            return await self.store.claim(key, ttl_seconds)
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            return await self.local.claim(key, ttl_seconds)
        except ValueError:
            log.warning("unexpected characters in a duplicate key; not deduplicated")
            return True

    async def _tell_slack_failed(self, where: Where | None, passes: bool) -> None:
        if where is None or not where.response_url:
            return
        text = (
            "Slack didn't accept my answer just now. Please try again in a minute."
            if passes
            # Retrying would fail the same way: say what can change it instead.
            else "Slack doesn't let me answer here. Invite me to the channel "
            "(`/invite @aicost`) or ask in a channel I'm in."
        )
        try:
            await self._respond(where, error_message(text))
        except Exception as exc:  # the response_url is Slack too; nothing more to try
            log.warning("could not tell the user either: %s", type(exc).__name__)

    async def _slowed_down(self, client: AsyncWebClient, where: Where, in_thread: bool) -> bool:
        """True (and the user told why) when this person or workspace is over the limit."""
        ledger = current_ledger.get()
        if ledger is not None and ledger.retaken:
            # Counted when it was first taken; half of it may be posted already.
            return False
        if ledger is not None and ledger.job.wait is not None:
            wait = ledger.job.wait  # charged as it was queued
        else:
            wait = await self.limiter.wait_seconds(where.team, where.user)
        if wait <= 0:
            return False
        self.metrics.requests.labels(kind="rate_limited").inc()
        message = info_message(slow_down_text(wait))
        if in_thread:
            await self._in_thread(client, where, message)
        elif where.response_url:
            await self._respond(where, message)
        else:  # the form: the app's DM with the user
            await self._chat_post(client, message, where.user)
        return True

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

    # -- state, degrading gracefully ---------------------------------------------------------

    async def _load(
        self, loader: Callable[[], Awaitable[ConversationState | None]]
    ) -> tuple[ConversationState | None, bool]:
        """(state, store_ok)."""
        try:
            return await loader(), True
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            log.warning("state store unavailable; answering without stored state")
            return None, False
        except ValueError:  # IDs the store refuses as keys: nothing was or can be remembered
            log.warning("unexpected Slack IDs; answering without stored state")
            return None, True

    async def _prices(self, where: Where) -> PriceOverrides | None:
        """The workspace's saved prices (None: the bundled ones). Storage down: the bundled ones,
        and the log says so; the estimate then names no workspace setting."""
        ledger = current_ledger.get()
        try:
            if ledger is not None and ledger.job.settings is not None:
                # Read with the queued job: no round trip of its own.
                data = settings_from(ledger.job.settings, "the job's settings")
            else:
                data = await self.store.load_settings(where.team)
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            log.warning("state store unavailable; estimating with the bundled prices")
            return None
        except ValueError:
            return None
        if not data:  # most workspaces: skip validating (and copying) the default settings
            return None
        overrides = WorkspaceSettings.load(data).overrides
        return None if overrides.is_default() else overrides

    async def _save(self, write: Callable[[], Awaitable[None]]) -> bool:
        try:
            await write()
            return True
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            log.warning("state store unavailable; this conversation will not be remembered")
            return False
        except ValueError:
            log.warning("unexpected Slack IDs; this conversation will not be remembered")
            return False

    # -- entry points ------------------------------------------------------------------------

    async def slash_command(
        self, client: AsyncWebClient, where: Where, text: str, trigger_id: str | None
    ) -> None:
        # A new estimate needs nothing stored; only the form (prefill) reads the channel's latest.
        answer = await self.workers.run(answers.request, text, await self._prices(where))
        if answer.kind not in CHARGED:
            await self._give_back_charge(where)
        if answer.kind is ReplyKind.estimate:
            if await self._slowed_down(client, where, in_thread=False):
                return
            await self._publish(client, where, answer)
        elif answer.kind is ReplyKind.form:
            await self.open_form(client, where, trigger_id, answer.scenario)
        elif answer.kind is ReplyKind.forget:
            await self._forget(where)
        elif answer.kind is ReplyKind.help:
            await self._respond(where, help_message())
        elif answer.kind in (ReplyKind.hint, ReplyKind.error):
            message = (
                hint_message(answer.text)
                if answer.kind is ReplyKind.hint
                else error_message(answer.text)
            )
            await self._respond(where, message)
        elif answer.kind in (ReplyKind.comparison, ReplyKind.breakeven):
            if await self._slowed_down(client, where, in_thread=False):
                return
            await self._publish_question(client, where, answer)
        elif answer.kind in (ReplyKind.chart, ReplyKind.export):
            if await self._slowed_down(client, where, in_thread=False):
                return
            await self._files_for_latest(client, where, answer.kind)
        else:  # undo or reset: they act on one estimate, so they belong in its thread
            await self._respond(where, info_message(THREAD_ONLY))

    async def _give_back_charge(self, where: Where) -> None:
        """A queued slash command was charged an estimate up front (submit); its answer costs
        none, so the estimate goes back (once: a job delivered again was handled the first time)."""
        ledger = current_ledger.get()
        if ledger is not None and ledger.job.wait == 0 and not ledger.retaken:
            await self.limiter.give_back(where.team, where.user)

    async def form_submitted(
        self, client: AsyncWebClient, where: Where, state_values: dict[str, Any]
    ) -> None:
        """A valid form: post its estimate to the channel it was opened from. Choices the form
        does not show (daily share, records, growth) carry over from the scenario it edited."""
        if where.thread_ts:
            base, _ = await self._load(
                lambda: self.store.load_thread(where.team, where.channel, where.thread_ts or "")
            )
        else:
            base, _ = await self._load(lambda: self.store.load_latest(where.team, where.channel))
        if await self._slowed_down(client, where, in_thread=False):
            return
        scenario = scenario_from_form(state_values, base.scenario if base else None)
        if isinstance(scenario, dict):  # checked before the ack; cannot fail here
            log.warning("form values rejected after acknowledgement: %s", sorted(scenario))
            return
        answer = await self.workers.run(answers.from_form, scenario, await self._prices(where))
        # A new estimate: a new thread.
        here = replace(where, thread_ts=None, response_url=None)
        await self._publish(client, here, answer)

    async def open_form(
        self,
        client: AsyncWebClient,
        where: Where,
        trigger_id: str | None,
        prefill: Scenario | None,
    ) -> None:
        if not trigger_id:
            return
        if prefill is None:
            latest, _ = await self._load(lambda: self.store.load_latest(where.team, where.channel))
            prefill = latest.scenario if latest else None
        metadata = FormMetadata(channel=where.channel, thread_ts=where.thread_ts).dump()
        await client.views_open(trigger_id=trigger_id, view=form_view(prefill, metadata))

    async def button(
        self, client: AsyncWebClient, where: Where, action: Action, trigger_id: str | None
    ) -> None:
        """A button under an estimate: acts on that thread's stored scenario."""
        assert where.thread_ts is not None
        state, store_ok = await self._load(
            lambda: self.store.load_thread(where.team, where.channel, where.thread_ts or "")
        )
        if action is Action.edit_in_form:
            await self.open_form(client, where, trigger_id, state.scenario if state else None)
            return
        if state is None or state.scenario is None:
            text = (
                "I can't reach my memory of this estimate right now; try again in a minute."
                if not store_ok
                else "I no longer remember this estimate. Start a new one with /aicost."
            )
            await self._in_thread(client, where, info_message(text))
            return
        if await self._slowed_down(client, where, in_thread=True):
            return
        if action is Action.chart:
            await self.post_chart(client, where, state.scenario, asked=True)
            return
        if action is Action.export:
            await self.post_export(client, where, state.scenario)
            return
        answer = await self.workers.run(answers.button, action, state, await self._prices(where))
        await self._answer_in_thread(client, where, answer)

    async def thread_reply(self, client: AsyncWebClient, where: Where, text: str) -> None:
        """A message in a thread: answered only in threads the bot started."""
        assert where.thread_ts is not None
        state, _ = await self._load(
            lambda: self.store.load_thread(where.team, where.channel, where.thread_ts or "")
        )
        if state is None:
            return  # not a thread of ours (or its memory expired)
        if await self._slowed_down(client, where, in_thread=True):
            return
        answer = await self.workers.run(answers.follow_up, text, state, await self._prices(where))
        await self._answer_in_thread(client, where, answer)

    async def mention(self, client: AsyncWebClient, where: Where, text: str, ts: str) -> None:
        """An @mention: a follow-up in one of our threads, else on the channel's latest scenario
        (answered in a thread under the mention), else a fresh request."""
        here = replace(where, thread_ts=where.thread_ts or ts, response_url=None)
        if await self._slowed_down(client, here, in_thread=True):
            return
        if where.thread_ts:
            state, _ = await self._load(
                lambda: self.store.load_thread(where.team, where.channel, where.thread_ts or "")
            )
            if state is not None:
                answer = await self.workers.run(
                    answers.follow_up, text, state, await self._prices(where)
                )
                await self._answer_in_thread(client, where, answer)
                return
        latest, _ = await self._load(lambda: self.store.load_latest(where.team, where.channel))
        answer = await self.workers.run(
            answers.follow_up, text, latest or ConversationState(), await self._prices(where)
        )
        await self._answer_in_thread(client, here, answer)

    # -- answering -----------------------------------------------------------------------------

    async def _answer_in_thread(self, client: AsyncWebClient, where: Where, answer: Answer) -> None:
        if answer.kind is ReplyKind.chart and answer.scenario is not None:
            await self.post_chart(client, where, answer.scenario, asked=True)
            return
        if answer.kind is ReplyKind.export and answer.scenario is not None:
            await self.post_export(client, where, answer.scenario)
            return
        saved = True
        (message,) = answer.messages
        ledger = current_ledger.get()
        if ledger is not None and (answer.changed or ledger.retaken):
            # The answer is kept with the job before the state is saved: a replica taking the
            # job over (after the save) posts this answer rather than applying the change twice
            # (worded from the changed state, its own answer would differ, even say "nothing
            # changed").
            ours = json.dumps([message.text, message.blocks])
            kept = await ledger.keep("answer", ours)
            if kept != ours:
                text, earlier_blocks = json.loads(kept)
                await self._in_thread(client, where, Message(text, earlier_blocks))
                return
        if answer.changed:
            saved = await self._save(
                lambda: self.store.save_conversation(
                    where.team, where.channel, where.thread_ts or "", answer.state
                )
            )
        if not saved:
            message = with_note(message, store_unavailable_note())
        await self._in_thread(client, where, message)
        if answer.kind is ReplyKind.estimate:
            self.metrics.requests.labels(kind="follow_up_estimate").inc()
        elif answer.options and not where.private:
            self.later(self.post_chart(client, where, options=answer.options), "chart")

    async def _publish(self, client: AsyncWebClient, where: Where, answer: Answer) -> None:
        """Post an estimate to the channel, its tips in its thread, and remember the thread."""
        started = time.perf_counter()
        main, *tips = answer.messages
        ts = await self._post(client, where, main)
        if ts == STEP_UNKNOWN:
            return  # a job taken over that cannot tell whether its estimate is up: at most once
        if ts is None:
            await self._publish_privately(client, where, answer)
            return
        entry = {"ts": ts, **(answer.summary or {}), "at": int(time.time()), "user": where.user}
        saved = await self._save(
            lambda: self.store.save_conversation(where.team, where.channel, ts, answer.state, entry)
        )
        thread = replace(where, thread_ts=ts)
        for tip in tips:
            await self._in_thread(client, thread, tip)
        if not saved:
            note = Message(STORE_DOWN_TEXT, [store_unavailable_note()])
            await self._in_thread(client, thread, note)
        self.metrics.estimate_seconds.observe(time.perf_counter() - started)
        # Last, and on its own: drawing takes far longer than everything above.
        if answer.state.scenario is not None:
            self.later(self.post_chart(client, thread, answer.state.scenario), "chart")

    async def _publish_question(self, client: AsyncWebClient, where: Where, answer: Answer) -> None:
        """A comparison or a break-even asked with /aicost: posted to the channel like an
        estimate (privately where the bot cannot post), a comparison's chart in its thread."""
        (message,) = answer.messages
        ts = await self._post(client, where, message)
        if ts is None:
            await self._respond(where, not_in_channel_message(message))
            return
        if answer.options:
            thread = replace(where, thread_ts=ts)
            self.later(self.post_chart(client, thread, options=answer.options), "chart")

    # -- pictures and files (each a step of its own, after the messages it belongs to) ------------

    async def post_chart(
        self,
        client: AsyncWebClient,
        where: Where,
        scenario: Scenario | None = None,
        options: tuple[tuple[str, Scenario], ...] = (),
        asked: bool = False,
    ) -> None:
        """An estimate's chart (or, given `options`, a comparison's) uploaded into `where`'s
        thread. Drawn by a chart worker, never here: without one ready (CHARTS=off, a burst
        keeping it busy, a crash) the chart is skipped, and so is an upload Slack refuses. A
        chart someone `asked` for (button, "chart") gets a sentence instead when skipped."""
        if where.private or where.thread_ts is None:
            # A message only its reader sees has no thread to attach a file to.
            if asked:
                await self._respond(where, info_message(NO_FILES_PRIVATELY))
            return
        if self.charts is None:
            if asked:
                await self._in_thread(client, where, info_message(CHARTS_OFF))
            return
        started = time.perf_counter()
        prices = await self._prices(where)
        try:
            if options:
                png = await self.charts.run_elsewhere(
                    pictures.comparison_chart, options, prices, max_owed=limits.CHARTS_OWED
                )
                title, comment = "Comparison chart", "The comparison above, as a chart."
                alt = comparison_chart_alt(tuple(label for label, _ in options))
            else:
                assert scenario is not None
                png = await self.charts.run_elsewhere(
                    pictures.estimate_chart, scenario, prices, max_owed=limits.CHARTS_OWED
                )
                title, comment = "Estimate chart", chart_comment(scenario)
                alt = chart_alt(scenario)
        except (WorkerUnavailable, WorkerFailed) as exc:
            self.metrics.errors.labels(kind="chart_skipped").inc()
            log.info("chart skipped: %s", type(exc).__name__)
            if asked:
                await self._in_thread(client, where, info_message(CHARTS_BUSY))
            return
        files = [{"content": png, "filename": "aicost-chart.png", "title": title, "alt_txt": alt}]
        if await self._upload(client, where, files, comment):
            self.metrics.chart_seconds.observe(time.perf_counter() - started)

    async def post_export(self, client: AsyncWebClient, where: Where, scenario: Scenario) -> None:
        """The estimate of `scenario` as a CSV and a JSON file in `where`'s thread."""
        if where.private:
            await self._respond(where, info_message(NO_FILES_PRIVATELY))
            return
        prices = await self._prices(where)
        csv_text, json_text = await self.workers.run(answers.export, scenario, prices)
        files = [
            {"content": csv_text, "filename": "aicost-estimate.csv", "title": "Estimate (CSV)"},
            {"content": json_text, "filename": "aicost-estimate.json", "title": "Estimate (JSON)"},
        ]
        if not await self._upload(client, where, files, export_comment(scenario)):
            message = error_message(
                "Slack didn't take the export files just now. Invite me to the channel if I'm "
                "not in it (`/invite @aicost`), or try again in a minute."
            )
            await self._in_thread(client, where, message)

    async def _upload(
        self, client: AsyncWebClient, where: Where, files: list[dict[str, Any]], comment: str
    ) -> bool:
        """files_upload_v2 into the thread; False (logged) when Slack refuses or fails."""
        try:
            await asyncio.wait_for(
                client.files_upload_v2(
                    file_uploads=files,
                    channel=where.channel,
                    thread_ts=where.thread_ts,
                    initial_comment=comment,
                ),
                limits.UPLOAD_SECONDS,
            )
            return True
        except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError) as exc:
            self.metrics.errors.labels(kind="upload").inc()
            log.warning("file upload skipped in %s: %s", where.channel, _slack_error(exc))
            return False

    async def _files_for_latest(
        self, client: AsyncWebClient, where: Where, kind: ReplyKind
    ) -> None:
        """`/aicost chart` or `/aicost export`: for the channel's latest estimate, in its thread
        (a slash command carries no thread, so the newest estimate is the one meant)."""
        try:
            entries = await self.store.estimates(where.team, where.channel)
        except (StoreUnavailable, ValueError):
            entries = []
        ts = str(entries[0].get("ts") or "") if entries else ""
        state = None
        if ts and not ts.startswith(PRIVATE_PREFIX):
            state, _ = await self._load(
                lambda: self.store.load_thread(where.team, where.channel, ts)
            )
        if state is None or state.scenario is None:
            await self._respond(
                where,
                info_message(
                    "There is no estimate in this channel to draw or export yet. Start one with "
                    "/aicost 10000 users startup, then use its Chart or Export button."
                ),
            )
            return
        thread = replace(where, thread_ts=ts)
        if kind is ReplyKind.chart:
            await self.post_chart(client, thread, state.scenario, asked=True)
        else:
            await self.post_export(client, thread, state.scenario)

    async def _post(self, client: AsyncWebClient, where: Where, message: Message) -> str | None:
        """chat.postMessage; None where the bot can't post (the caller answers privately)."""
        message = _stamped(message, where)
        try:
            return await self._chat_post(client, message, where.channel)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error not in NOT_IN_CHANNEL:
                raise
            log.info("cannot post in %s (%s); answering privately", where.channel, error)
            self.metrics.errors.labels(kind="not_in_channel").inc()
            return None

    async def _publish_privately(
        self, client: AsyncWebClient, where: Where, answer: Answer
    ) -> None:
        """The estimate for its asker alone, remembered like a thread so its buttons work."""
        private = not_in_channel_message(answer.messages[0])
        entry = {**(answer.summary or {}), "at": int(time.time())}
        if where.response_url:
            key = PRIVATE_PREFIX + secrets.token_hex(8)
            entry["ts"] = key
            saved = await self._save(
                lambda: self.store.save_conversation(
                    where.team, where.channel, key, answer.state, entry
                )
            )
            here = replace(where, thread_ts=key, private=True)
            await self._respond(where, _stamped(private, here) if saved else private)
            return
        # From the form: no response_url; the app's DM with the user still works, and is a
        # channel of its own where the estimate's thread lives.
        private = _stamped(private, where)
        response = await client.chat_postMessage(
            channel=where.user, text=private.text, blocks=private.blocks
        )
        dm, ts = str(response.get("channel") or ""), str(response.get("ts") or "")
        if dm and ts:
            entry["ts"] = ts
            await self._save(
                lambda: self.store.save_conversation(where.team, dm, ts, answer.state, entry)
            )

    async def _in_thread(self, client: AsyncWebClient, where: Where, message: Message) -> None:
        message = _stamped(message, where)
        if where.private:
            await self._respond(where, message)
            return
        await self._chat_post(client, message, where.channel, where.thread_ts)

    async def _chat_post(
        self,
        client: AsyncWebClient,
        message: Message,
        channel: str,
        thread_ts: str | None = None,
    ) -> str:
        """chat.postMessage; the message's ts. For a queued job, at most once per step: a job
        delivered again posts only the steps neither its ledger nor Slack (each message carries
        its job and step in its metadata) shows as posted, and STEP_UNKNOWN when it cannot tell."""
        ledger = current_ledger.get()
        if ledger is None:
            return await _posted(client, message, channel, thread_ts)
        step = ledger.next_step()
        try:
            earlier = await ledger.posted_earlier(client, channel, thread_ts, step)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("cannot tell whether step %s was posted: %s", step, _slack_error(exc))
            return STEP_UNKNOWN  # at most once: not knowing, post nothing
        if earlier is not None:
            self.metrics.jobs.labels(event="step_skipped").inc()
            return earlier
        ts = await _posted(client, message, channel, thread_ts, ledger.metadata(step))
        ledger.done(step, ts)
        return ts

    async def _respond(self, where: Where, message: Message) -> None:
        """A private reply through the response_url (slash commands and buttons). For a queued
        job at most once: Slack keeps no record to look an unrecorded reply up in."""
        if not where.response_url:
            log.warning("no response_url to answer privately")
            return
        ledger = current_ledger.get()
        if ledger is not None:
            step = ledger.next_step()
            if not await ledger.claim(step):
                self.metrics.jobs.labels(event="step_skipped").inc()
                return
        webhook = AsyncWebhookClient(where.response_url, logger=self.webhook_logger)
        # A new private message, never a replacement of the one whose button was clicked.
        await webhook.send(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
        if ledger is not None:
            ledger.done(step, "sent")

    async def forget_workspace(self, workspace: str) -> int:
        """Every conversation, history, duplicate claim and rate limit of a workspace (the app
        was uninstalled there). Returns how many keys were deleted."""
        deleted = await self.store.forget_workspace(workspace)
        deleted += await self.local.forget_workspace(workspace)
        return deleted

    async def _forget(self, where: Where) -> None:
        try:
            deleted = await self.store.forget(where.team, where.channel)
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            await self._respond(
                where,
                error_message(
                    "I couldn't reach my storage to forget this channel; nothing was deleted. "
                    "Please try again in a minute."
                ),
            )
            return
        await self._respond(
            where,
            info_message(
                "Forgotten: I deleted everything I stored for this channel "
                f"({deleted} item{'s' if deleted != 1 else ''}): scenarios, threads and history."
            ),
        )


async def _posted(
    client: AsyncWebClient,
    message: Message,
    channel: str,
    thread_ts: str | None,
    metadata: dict[str, Any] | None = None,
) -> str:
    """chat.postMessage (by the short road, web_session.post_message); the message's ts."""
    response = await post_message(
        client,
        channel=channel,
        thread_ts=thread_ts,
        text=message.text,
        blocks=blocks_to_send(client, message),
        metadata=metadata,
    )
    return str(response["ts"])


def _stamped(message: Message, where: Where) -> Message:
    value = button_value(where)
    return with_button_value(message, value) if value else message


def _passes_with_time(exc: Exception) -> bool:
    """True when trying again later may work: Slack overloaded or unreachable, not a refusal."""
    if not isinstance(exc, SlackApiError):
        return True  # connection errors and timeouts
    status = getattr(exc.response, "status_code", 200)
    return status >= 500 or status == 429 or exc.response.get("error", "") in PASSING_ERRORS


def job_where(job: Job) -> Where:
    return Where(
        team=job.team_id,
        channel=job.channel,
        user=job.user,
        thread_ts=job.thread_ts,
        response_url=job.response_url,
        private=job.private,
        enterprise=job.enterprise_id,
    )


def opens_form(text: str) -> bool:
    """`/aicost` asking for the form: opened inline, since its trigger_id expires in 3 s."""
    parsed = parse(text)
    if parsed.command is not None:
        return parsed.command is Command.form
    return not parsed.understood_anything and not parsed.unknown


def _slack_error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return type(exc).__name__
