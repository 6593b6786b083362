"""Publishing a new answer to a channel: an estimate with its tips in its thread (or privately,
where the bot cannot post), a comparison or a break-even; the thread is remembered so replies
and buttons continue it. The conversation's entry points (conversation.py) decide what to answer;
this module only puts it where people will read it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from bot.slack.answers import Answer
from bot.slack.button_value import PRIVATE_PREFIX
from bot.slack.estimate_pages import EstimatePages
from bot.slack.message import Message
from bot.slack.messages.estimate import not_in_channel_message
from bot.slack.messages.replies import store_unavailable_note
from bot.slack.metrics import Metrics
from bot.slack.page_offer import offer_page
from bot.slack.posting import STEP_UNKNOWN, Posting, posted_to, stamped
from bot.slack.question_metadata import question_metadata
from bot.slack.store.protocols import Store
from bot.slack.store_access import StoreAccess
from bot.slack.uploads import Uploads
from bot.slack.where import Where

STORE_DOWN_TEXT = "Follow-ups are unavailable for a moment."

Later = Callable[[Coroutine[Any, Any, None], str], None]


class Publisher:
    """Posts a turn's new estimate or question and keeps its thread's state."""

    def __init__(
        self,
        store: Store,
        stored: StoreAccess,
        pages: EstimatePages,
        uploads: Uploads,
        metrics: Metrics,
        later: Later,
    ) -> None:
        self.store = store
        self.stored = stored
        self.pages = pages
        self.uploads = uploads
        self.metrics = metrics
        self.later = later  # runs a slow step (a chart) in the background, tracked for shutdown

    async def publish(self, post: Posting, where: Where, answer: Answer) -> None:
        """Post an estimate to the channel, its tips in its thread, and remember the thread."""
        started = time.perf_counter()
        main, *tips = answer.messages
        main = await offer_page(self.pages, self.stored, post, where, main, answer.state.scenario)
        ts = await post.post(where, main)
        if ts == STEP_UNKNOWN:
            return  # a job taken over that cannot tell whether its estimate is up: at most once
        if ts is None:
            await self.publish_privately(post, where, answer)
            return
        entry = {"ts": ts, **(answer.summary or {}), "at": int(time.time()), "user": where.user}
        # Saved while the tips go out: a save Redis is slow for is made again (StoreAccess.save)
        # without holding them up; only the note that follow-ups are unavailable waits for it.
        saving = asyncio.create_task(
            self.stored.save(
                lambda: self.store.save_conversation(
                    where.team, where.channel, ts, answer.state, entry
                )
            )
        )
        thread = replace(where, thread_ts=ts)
        try:
            for tip in tips:
                await post.in_thread(thread, tip)
        finally:
            saved = await saving  # kept whether or not Slack took the tips
        if not saved:
            note = Message(STORE_DOWN_TEXT, [store_unavailable_note()])
            await post.in_thread(thread, note)
        self.metrics.estimate_seconds.observe(time.perf_counter() - started)
        # Last, and on its own: drawing takes far longer than everything above. With charts off
        # there is nothing to draw, and no task is made for it.
        if answer.state.scenario is not None and self.uploads.charts is not None:
            self.later(self.uploads.post_chart(post, thread, answer.state.scenario), "chart")

    async def publish_question(self, post: Posting, where: Where, answer: Answer) -> None:
        """A comparison or a break-even asked with /aicost: posted to the channel like an
        estimate (privately where the bot cannot post), a comparison's chart in its thread."""
        (message,) = answer.messages
        shown = self.uploads.promising_chart(message, where) if answer.options else message
        # Its question rides along, so a store that lost it can read it back (thread_record.py).
        ts = await post.post(where, shown, question_metadata(where, answer.state.question))
        if ts is None:  # only its asker sees it: no thread, so no chart
            await post.respond(where, not_in_channel_message(message))
            return
        if answer.state.question is not None:
            # Remembered so a reply in its thread ("what if 100k users?") asks it again.
            await self.stored.save(
                lambda: self.store.save_thread(where.team, where.channel, ts, answer.state)
            )
        if answer.options:
            thread = replace(where, thread_ts=ts)
            self.later(self.uploads.post_chart(post, thread, options=answer.options), "chart")

    async def publish_privately(self, post: Posting, where: Where, answer: Answer) -> None:
        """The estimate for its asker alone, remembered like a thread so its buttons work."""
        private = not_in_channel_message(answer.messages[0], answer.messages[1:])
        entry = {**(answer.summary or {}), "at": int(time.time())}
        if where.response_url:
            key = PRIVATE_PREFIX + secrets.token_hex(8)
            entry["ts"] = key
            saved = await self.stored.save(
                lambda: self.store.save_conversation(
                    where.team, where.channel, key, answer.state, entry
                )
            )
            here = replace(where, thread_ts=key, private=True)
            await post.respond(where, stamped(private, here) if saved else private)
            return
        # From the form: no response_url; the app's DM with the user still works, and is a
        # channel of its own where the estimate's thread lives.
        private = stamped(private, where)
        dm, ts = await posted_to(post.client, private, where.user)
        if dm and ts:
            entry["ts"] = ts
            await self.stored.save(
                lambda: self.store.save_conversation(where.team, dm, ts, answer.state, entry)
            )
