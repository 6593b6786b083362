"""Files uploaded into an estimate's thread (its chart, its export), each after its messages."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ReplyKind
from bot.slack import answers, chart_worker, limits
from bot.slack.blockkit import context
from bot.slack.button_value import PRIVATE_PREFIX
from bot.slack.fitting import with_note
from bot.slack.message import Message
from bot.slack.messages.comparison import CHART_PROMISE
from bot.slack.messages.files import chart_alt, chart_comment, comparison_chart_alt, export_comment
from bot.slack.messages.replies import error_message, info_message
from bot.slack.metrics import Metrics
from bot.slack.posting import Posting, slack_error
from bot.slack.store.protocols import StoreUnavailable
from bot.slack.store_access import StoreAccess
from bot.slack.where import Where
from bot.slack.workers import WorkerFailed, Workers, WorkerUnavailable
from estimator import (
    Scenario,
)

log = logging.getLogger(__name__)

CHARTS_OFF = "Charts are turned off for this app (its CHARTS setting); Export still works."
CHARTS_BUSY = "I'm drawing a lot of charts right now: ask for this one again in a minute."
NO_FILES_PRIVATELY = (
    "Files can't be attached to a message only you can see. Invite me to the channel "
    "(`/invite @aicost`) and ask again there."
)


class Uploads:
    """Draws a chart (in a chart worker) or words an export (in an estimate worker), then
    uploads it; what Slack refuses is skipped, with a sentence when someone asked for it."""

    def __init__(
        self, workers: Workers, charts: Workers | None, metrics: Metrics, stored: StoreAccess
    ) -> None:
        self.workers = workers
        # Low-priority chart workers; None (CHARTS=off) posts no charts.
        self.charts = charts
        self.metrics = metrics
        self.stored = stored

    def promising_chart(self, message: Message, where: Where) -> Message:
        """A comparison's `message` with the line saying its chart follows, when one is drawn into
        `where`'s thread (charts on, not a message only its reader sees): no promise without it."""
        if self.charts is None or where.private:
            return message
        return with_note(message, context(CHART_PROMISE))

    async def post_chart(
        self,
        post: Posting,
        where: Where,
        scenario: Scenario | None = None,
        options: tuple[tuple[str, Scenario], ...] = (),
        asked: bool = False,
    ) -> None:
        """An estimate's chart (or, given `options`, a comparison's) uploaded into `where`'s
        thread. Drawn by a chart worker, never here: without one ready (CHARTS=off, a burst
        keeping it busy, a crash) the chart is skipped, and so is an upload Slack refuses. A
        chart someone `asked` for (button, "chart") or a comparison's (its message said the chart
        follows) gets a sentence instead when skipped."""
        if where.private or where.thread_ts is None:
            # A message only its reader sees has no thread to attach a file to.
            if asked:
                await post.respond(where, info_message(NO_FILES_PRIVATELY))
            return
        if self.charts is None:
            if asked:
                await post.in_thread(where, info_message(CHARTS_OFF))
            return
        started = time.perf_counter()
        prices = await self.stored.prices(where.team, post.job)
        try:
            if options:
                png = await self.charts.run_elsewhere(
                    chart_worker.comparison_chart, options, prices, max_owed=limits.CHARTS_OWED
                )
                title, comment = "Comparison chart", "The comparison above, as a chart."
                alt = comparison_chart_alt(tuple(label for label, _ in options))
            else:
                assert scenario is not None
                png = await self.charts.run_elsewhere(
                    chart_worker.estimate_chart, scenario, prices, max_owed=limits.CHARTS_OWED
                )
                title, comment = "Estimate chart", chart_comment(scenario)
                alt = chart_alt(scenario)
        except (WorkerUnavailable, WorkerFailed) as exc:
            self.metrics.errors.labels(kind="chart_skipped").inc()
            log.info("chart skipped: %s", type(exc).__name__)
            if asked or options:  # the comparison's message said its chart follows
                await post.in_thread(where, info_message(CHARTS_BUSY))
            return
        files = [{"content": png, "filename": "aicost-chart.png", "title": title, "alt_txt": alt}]
        if await self._upload(post.client, where, files, comment):
            self.metrics.chart_seconds.observe(time.perf_counter() - started)

    async def post_export(self, post: Posting, where: Where, scenario: Scenario) -> None:
        """The estimate of `scenario` as a CSV and a JSON file in `where`'s thread."""
        if where.private:
            await post.respond(where, info_message(NO_FILES_PRIVATELY))
            return
        prices = await self.stored.prices(where.team, post.job)
        csv_text, json_text = await self.workers.run(answers.export, scenario, prices)
        files = [
            {"content": csv_text, "filename": "aicost-estimate.csv", "title": "Estimate (CSV)"},
            {"content": json_text, "filename": "aicost-estimate.json", "title": "Estimate (JSON)"},
        ]
        if not await self._upload(post.client, where, files, export_comment(scenario)):
            message = error_message(
                "Slack didn't take the export files just now. Invite me to the channel if I'm "
                "not in it (`/invite @aicost`), or try again in a minute."
            )
            await post.in_thread(where, message)

    async def for_latest(
        self, post: Posting, where: Where, kind: ReplyKind, here: Where | None = None
    ) -> None:
        """`/aicost chart` or `/aicost export`: for the channel's latest estimate, in its thread
        (a slash command carries no thread, so the newest estimate is the one meant), or in
        `here`'s (the thread of the words that asked, in the app's DM)."""
        try:
            entries = await self.stored.store.estimates(where.team, where.channel)
        except (StoreUnavailable, ValueError):
            entries = []
        ts = str(entries[0].get("ts") or "") if entries else ""
        state = None
        if ts and not ts.startswith(PRIVATE_PREFIX):
            state, _ = await self.stored.load(
                lambda: self.stored.store.load_thread(where.team, where.channel, ts)
            )
        if state is None or state.scenario is None:
            await post.reply(
                here or where,
                info_message(
                    "There is no estimate here to draw or export yet. Write one, e.g. "
                    "“10000 users startup”, then say “chart” or “export”."
                    if here is not None  # the app's DM, where words are written without /aicost
                    else "There is no estimate in this channel to draw or export yet. Start one "
                    "with /aicost 10000 users startup, then use its Chart or Export button."
                ),
            )
            return
        thread = here or replace(where, thread_ts=ts)
        if kind is ReplyKind.chart:
            await self.post_chart(post, thread, state.scenario, asked=True)
        else:
            await self.post_export(post, thread, state.scenario)

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
            log.warning("file upload skipped in %s: %s", where.channel, slack_error(exc))
            return False
