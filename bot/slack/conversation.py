"""One conversation turn against Slack: load the state, word the answer, post it, save it.

Each entry point (a slash command, the form, a button, a thread reply, a mention, forgetting a
channel) is one turn. The answers themselves are worded by bot/slack/answers.py in a worker
process (bot/slack/workers.py); messages go out through a `Posting` (bot/slack/posting.py), given
a queued job's step ledger by the job runner (bot/slack/dispatch.py); a new estimate or question
is posted and its thread remembered by bot/slack/publishing.py; charts and exports through
bot/slack/uploads.py; stored state through bot/slack/store_access.py, so Redis being down never
stops an estimate: the answer goes out with a note that follow-ups are unavailable for now.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

import orjson
from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ConversationState, ReplyKind
from bot.slack import answers
from bot.slack.agent_messages import direct_message
from bot.slack.answers import Answer
from bot.slack.button_value import on_button, scenario_of
from bot.slack.direct_message import dm_channel, is_direct, is_person
from bot.slack.dispatch import Dispatcher
from bot.slack.estimate_form import form_view, scenario_from_form
from bot.slack.estimate_pages import EstimatePages
from bot.slack.fitting import with_note
from bot.slack.forgetting import forget_channel
from bot.slack.ids import Action
from bot.slack.job import ClientFor, Job
from bot.slack.message import Message, message_json
from bot.slack.messages.replies import (
    error_message,
    greeting_message,
    help_message,
    hint_message,
    info_message,
    store_unavailable_note,
)
from bot.slack.metadata import FormMetadata
from bot.slack.metrics import Metrics
from bot.slack.page_offer import offer_page
from bot.slack.posting import Posting
from bot.slack.publishing import Publisher
from bot.slack.question_metadata import question_metadata
from bot.slack.ratelimit import EstimateLimiter, slow_down_text
from bot.slack.shared_threads import load_thread
from bot.slack.slack_text import is_greeting
from bot.slack.step_ledger import StepLedger
from bot.slack.store.protocols import Store
from bot.slack.store_access import StoreAccess
from bot.slack.uploads import Uploads
from bot.slack.where import Where, job_where
from bot.slack.workers import Workers
from estimator import (
    Scenario,
)

log = logging.getLogger(__name__)

THREAD_ONLY = "Reply “undo” or “reset” in the estimate's thread: they change that estimate."

# Answers that ask a thread's question (again): their message carries it (question_metadata.py).
ASKED = frozenset({ReplyKind.comparison, ReplyKind.breakeven})

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


class Conversations(Dispatcher):
    """The entry points of a turn; the base class (dispatch.py) runs them as jobs."""

    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        workers: Workers,
        webhook_logger: logging.Logger | None = None,
        client_for: ClientFor | None = None,
        charts: Workers | None = None,
        pages: EstimatePages | None = None,
    ) -> None:
        self.store = store
        # Shareable estimate pages (PUBLIC_URL); off by default: no link is offered.
        self.pages = pages or EstimatePages(store, None)
        # Stored states are read without the price tables; their models are looked up in the
        # estimate worker, which has the tables loaded anyway (the event loop's memory: no).
        self.stored = StoreAccess(store, metrics, partial(workers.run, answers.priced))
        super().__init__(self.stored, metrics, webhook_logger, client_for)
        self.workers = workers
        self.uploads = Uploads(workers, charts, metrics, self.stored)
        self.limiter = EstimateLimiter(store, self.stored.local)
        self.publisher = Publisher(
            store, self.stored, self.pages, self.uploads, metrics, self.later
        )

    def _posting(self, client: AsyncWebClient, ledger: StepLedger | None) -> Posting:
        return Posting(client, self.metrics, self.webhook_logger, ledger)

    async def perform(self, job: Job, ledger: StepLedger | None = None) -> None:
        assert self.client_for is not None
        client = await self.client_for(job)
        where = job_where(job)
        if job.kind == "slash_command":
            await self.slash_command(client, where, job.text, None, ledger)
        elif job.kind == "form":
            await self.form_submitted(client, where, job.values, ledger)
        elif job.kind == "button":
            await self.button(client, where, Action(job.action), None, ledger, job.scenario)
        elif job.kind == "thread_reply":
            await self.thread_reply(client, where, job.text, ledger, job.shared)
        elif job.kind == "mention":
            await self.mention(client, where, job.text, job.ts, ledger, job.shared)
        elif job.kind == "direct_message":
            await direct_message(self, client, where, job.text, job.ts, ledger)
        else:
            log.warning("unknown job kind %r", job.kind)

    async def forget_workspace(self, workspace: str) -> int:
        """Every conversation, history, duplicate claim and rate limit of a workspace (the app
        was uninstalled there). Returns how many keys were deleted."""
        deleted = await self.stored.forget_workspace(workspace)
        return deleted + await self.forget_jobs(workspace)

    # -- entry points ------------------------------------------------------------------------

    async def slash_command(
        self,
        client: AsyncWebClient,
        where: Where,
        text: str,
        trigger_id: str | None,
        ledger: StepLedger | None = None,
    ) -> None:
        post = self._posting(client, ledger)
        # A new estimate needs nothing stored; only the form (prefill) reads the channel's latest.
        prices = await self.stored.prices(where.team, post.job)
        answer = await self.workers.run(answers.request, text, prices)
        if answer.kind not in CHARGED:
            await self._give_back_charge(where, ledger)
        if answer.kind is ReplyKind.estimate:
            if await self.slowed_down(post, where, in_thread=False):
                return
            await self.publisher.publish(post, where, answer)
        elif answer.kind is ReplyKind.form:
            await self.open_form(client, where, trigger_id, answer.scenario)
        elif answer.kind is ReplyKind.forget:
            await forget_channel(self.store, self.forget_jobs, self.metrics, post, where)
        elif answer.kind is ReplyKind.help:
            await post.respond(where, help_message())
        elif answer.kind in (ReplyKind.hint, ReplyKind.error):
            message = (
                hint_message(answer.text)
                if answer.kind is ReplyKind.hint
                else error_message(answer.text)
            )
            await post.respond(where, message)
        elif answer.kind in (ReplyKind.comparison, ReplyKind.breakeven):
            if await self.slowed_down(post, where, in_thread=False):
                return
            await self.publisher.publish_question(post, where, answer)
        elif answer.kind in (ReplyKind.chart, ReplyKind.export):
            if await self.slowed_down(post, where, in_thread=False):
                return
            await self.uploads.for_latest(post, where, answer.kind)
        else:  # undo or reset: they act on one estimate, so they belong in its thread
            await post.respond(where, info_message(THREAD_ONLY))

    async def _give_back_charge(self, where: Where, ledger: StepLedger | None) -> None:
        """A queued slash command was charged an estimate up front (submit); its answer costs
        none, so the estimate goes back (once: a job delivered again was handled the first time)."""
        if ledger is not None and ledger.job.wait == 0 and not ledger.retaken:
            await self.limiter.give_back(where.team, where.user)

    async def form_submitted(
        self,
        client: AsyncWebClient,
        where: Where,
        state_values: dict[str, Any],
        ledger: StepLedger | None = None,
    ) -> None:
        """A valid form: post its estimate to the channel it was opened from. Choices the form
        does not show (daily share, records, growth) carry over from the scenario it edited."""
        post = self._posting(client, ledger)
        if is_person(where.channel):  # opened from Home: the estimate goes to the app's DM
            where = replace(where, channel=await dm_channel(client, where.user))
        if where.thread_ts:
            base, _ = await self.stored.load(
                lambda: self.store.load_thread(where.team, where.channel, where.thread_ts or "")
            )
        else:
            base, _ = await self.stored.load(
                lambda: self.store.load_latest(where.team, where.channel)
            )
        if await self.slowed_down(post, where, in_thread=False):
            return
        scenario = scenario_from_form(state_values, base.scenario if base else None)
        if isinstance(scenario, dict):  # checked before the ack; cannot fail here
            log.warning("form values rejected after acknowledgement: %s", sorted(scenario))
            return
        prices = await self.stored.prices(where.team, post.job)
        answer = await self.workers.run(answers.from_form, scenario, prices)
        # A new estimate: a new thread.
        here = replace(where, thread_ts=None, response_url=None)
        await self.publisher.publish(post, here, answer)

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
            latest, _ = await self.stored.load(
                lambda: self.store.load_latest(where.team, where.channel)
            )
            prefill = latest.scenario if latest else None
        metadata = FormMetadata(channel=where.channel, thread_ts=where.thread_ts).dump()
        await client.views_open(trigger_id=trigger_id, view=form_view(prefill, metadata))

    async def button(
        self,
        client: AsyncWebClient,
        where: Where,
        action: Action,
        trigger_id: str | None,
        ledger: StepLedger | None = None,
        scenario: str = "",
    ) -> None:
        """A button under an estimate or a follow-up: acts on the scenario of the message it is
        on (which it carries), in that message's thread."""
        assert where.thread_ts is not None
        post = self._posting(client, ledger)
        state, store_ok = await self.stored.load(
            lambda: self.store.load_thread(where.team, where.channel, where.thread_ts or "")
        )
        own = scenario_of(scenario)
        if own is not None and (state is None or own != state.scenario):
            own = await self.stored.priced(own)  # the state's own scenario is checked already
        state = on_button(state, own)
        if action is Action.edit_in_form:
            await self.open_form(client, where, trigger_id, state.scenario if state else None)
            return
        if state is None or state.scenario is None:
            text = (
                "I can't reach my memory of this estimate right now; try again in a minute."
                if not store_ok
                else "I no longer remember this estimate. Start a new one with /aicost."
            )
            await post.in_thread(where, info_message(text))
            return
        if await self.slowed_down(post, where, in_thread=True):
            return
        if action is Action.chart:
            await self.uploads.post_chart(post, where, state.scenario, asked=True)
            return
        if action is Action.export:
            await self.uploads.post_export(post, where, state.scenario)
            return
        prices = await self.stored.prices(where.team, post.job)
        answer = await self.workers.run(answers.button, action, state, prices)
        await self._answer_in_thread(post, where, answer)

    async def thread_reply(
        self,
        client: AsyncWebClient,
        where: Where,
        text: str,
        ledger: StepLedger | None = None,
        shared: bool = False,
    ) -> None:
        """A message in a thread: answered only in threads the bot started (in a shared
        channel, either organisation's installation of it). In the app's DM every thread is
        the person's with the bot: one with no estimate yet (a new chat in the Messages tab)
        takes the message as a request, answered in that thread."""
        assert where.thread_ts is not None
        post = self._posting(client, ledger)
        state, where = await load_thread(self.store, self.stored, client, where, shared)
        if state is None and is_direct(where.channel):
            await direct_message(self, client, where, text, where.thread_ts, ledger)
            return
        if state is None:
            return  # not a thread of ours (or its memory expired)
        if await self.slowed_down(post, where, in_thread=True):
            return
        prices = await self.stored.prices(where.team, post.job)
        answer = await self.workers.run(answers.follow_up, text, state, prices)
        await self._answer_in_thread(post, where, answer)

    async def mention(
        self,
        client: AsyncWebClient,
        where: Where,
        text: str,
        ts: str,
        ledger: StepLedger | None = None,
        shared: bool = False,
    ) -> None:
        """An @mention: a follow-up in one of our threads, else on the channel's latest scenario
        (answered in a thread under the mention), else a fresh request."""
        post = self._posting(client, ledger)
        here = replace(where, thread_ts=where.thread_ts or ts, response_url=None)
        if is_greeting(text):
            await post.in_thread(here, greeting_message())
            return
        if await self.slowed_down(post, here, in_thread=True):
            return
        if where.thread_ts:
            state, owned = await load_thread(self.store, self.stored, client, where, shared)
            if state is not None:
                prices = await self.stored.prices(owned.team, post.job)
                answer = await self.workers.run(answers.follow_up, text, state, prices)
                await self._answer_in_thread(post, owned, answer)
                return
        latest, _ = await self.stored.load(
            lambda: self.store.load_latest(where.team, where.channel)
        )
        prices = await self.stored.prices(where.team, post.job)
        answer = await self.workers.run(
            answers.follow_up, text, latest or ConversationState(), prices
        )
        await self._answer_in_thread(post, here, answer)

    async def slowed_down(self, post: Posting, where: Where, in_thread: bool) -> bool:
        """True (and the user told why) when this person or workspace is over the limit."""
        ledger = post.ledger
        if ledger is not None and ledger.job.wait is not None:
            # Charged as it was queued, so the same on every delivery: a follow-up over the
            # limit was kept without its text and must never be answered as if it had none.
            wait = ledger.job.wait
        elif ledger is not None and ledger.retaken:
            # Counted when it was first taken; half of it may be posted already.
            return False
        else:
            wait = await self.limiter.wait_seconds(where.team, where.user)
        if wait <= 0:
            return False
        self.metrics.requests.labels(kind="rate_limited").inc()
        message = info_message(slow_down_text(wait))
        if in_thread:
            await post.in_thread(where, message)
        elif where.response_url:
            await post.respond(where, message)
        else:  # the form: the app's DM with the user
            await post.chat_post(message, where.user)
        return True

    # -- answering -----------------------------------------------------------------------------

    async def _answer_in_thread(self, post: Posting, where: Where, answer: Answer) -> None:
        if answer.kind is ReplyKind.chart and answer.scenario is not None:
            await self.uploads.post_chart(post, where, answer.scenario, asked=True)
            return
        if answer.kind is ReplyKind.export and answer.scenario is not None:
            await self.uploads.post_export(post, where, answer.scenario)
            return
        saved = True
        (message,) = answer.messages
        if answer.kind is ReplyKind.estimate:  # a changed estimate: a page of its own
            scenario = answer.state.scenario
            message = await offer_page(self.pages, self.stored, post, where, message, scenario)
        elif answer.options:  # a comparison: its chart follows below (the last lines here)
            message = self.uploads.promising_chart(message, where)
        ledger = post.ledger
        if ledger is not None and (answer.changed or ledger.retaken):
            # The answer is kept with the job before the state is saved: a replica taking the
            # job over (after the save) posts this answer rather than applying the change twice
            # (worded from the changed state, its own answer would differ, even say "nothing
            # changed").
            ours = message_json(message)
            kept = await ledger.keep("answer", ours)
            # Told apart by value when the text differs: an earlier version wrote other JSON.
            if kept != ours and (earlier := Message(*orjson.loads(kept))) != message:
                await post.in_thread(where, earlier)
                return
        if answer.changed:
            # A comparison's thread keeps its question, never the channel's latest estimate.
            save = (
                self.store.save_conversation
                if answer.state.scenario is not None
                else self.store.save_thread
            )
            saved = await self.stored.save(
                lambda: save(where.team, where.channel, where.thread_ts or "", answer.state)
            )
        if not saved:
            message = with_note(message, store_unavailable_note())
        asked = answer.state.question if answer.kind in ASKED else None
        await post.in_thread(where, message, question_metadata(where, asked))
        if answer.kind is ReplyKind.estimate:
            self.metrics.requests.labels(kind="follow_up_estimate").inc()
        elif answer.options and not where.private:
            self.later(self.uploads.post_chart(post, where, options=answer.options), "chart")
