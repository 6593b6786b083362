"""Charts, comparisons, break-even and exports in Slack, end to end.

A real `python -m bot` with CHARTS=on (an estimate worker and a low-priority chart worker), the
fake Slack implementing files_upload_v2's three steps (files.getUploadURLExternal, the POST of
the bytes, files.completeUploadExternal), and a real Redis. The pictures are compared byte for
byte with the same charts drawn here from the same scenarios: a chart of made-up numbers fails.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import uuid

import pytest
from PIL import Image

from bot.charts import comparison_chart_png, curve_users, estimate_chart_png
from bot.parsing import compare_options, first_scenario, follow_up, parse
from bot.slack.app import CHART_NICENESS
from bot.slack.ids import Action
from bot.slack.messages.comparison import CHART_PROMISE
from estimator.compare import compare
from estimator.estimate import estimate
from tests.support.bot_process import BotProcess
from tests.support.fake_slack import FakeSlack
from tests.support.reading import channel_id, estimate_with_tips, next_thread_reply, posts, text_of
from tests.support.signing import (
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHART_WAIT = 30.0  # the chart worker runs at nice 10 on a busy 2-core machine


BOT_ENV = {"CHARTS": "on"}  # the module's bot (tests/conftest.py) draws charts


async def start_estimate(slack, bot, team, channel, text="10000 users startup") -> str:
    status, body, seconds = await bot.post(
        slash_command_body(text, team_id=team, channel_id=channel)
    )
    assert status == 200 and seconds < 3, body
    return await estimate_with_tips(slack, channel, text)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.verify()  # a complete, undamaged PNG
    return image.size


def completed_uploads(slack: FakeSlack, channel: str) -> list:
    return [
        c
        for c in slack.calls
        if c.method == "files.completeUploadExternal" and c.args.get("channel_id") == channel
    ]


async def test_chart_follows_the_tips_and_draws_the_estimates_own_numbers(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    (chart,) = await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    width, height = png_size(chart.content)
    assert (width, height) == (900, 1500)
    assert 20_000 < len(chart.content) < 2_000_000
    assert "10,000 users" in chart.initial_comment
    assert "10,000-user startup" in chart.alt_txt  # described for screen readers
    # Posted after every tip of the thread.
    order = [id(c) for c in slack.calls]
    last_tip = max(order.index(id(c)) for c in posts(slack, channel, ts))
    (upload,) = completed_uploads(slack, channel)
    assert order.index(id(upload)) > last_tip
    # The same picture as the chart of the thread's scenario drawn here.
    s = first_scenario("10000 users startup")
    assert chart.content == estimate_chart_png(estimate(s, curve_at=curve_users(s)))
    # Drawn by the chart worker, at a low CPU priority, not by the bot.
    (worker,) = bot.chart_workers()
    assert os.getpriority(os.PRIO_PROCESS, worker) == CHART_NICENESS == 10
    assert os.getpriority(os.PRIO_PROCESS, bot.process.pid) == 0
    assert slack.violations == []


@pytest.mark.parametrize(
    "fault",
    [
        ("error", "not_in_channel"),
        ("error", "missing_scope"),
        ("server_error", 500),
        ("scope", "files:write"),
    ],
    ids=["not_in_channel", "missing_scope", "http_500", "scope_removed"],
)
async def test_a_failed_upload_loses_neither_the_estimate_nor_its_tips(slack, bot, team, fault):
    channel = channel_id()
    kind, detail = fault
    if kind == "error":
        slack.fail_next("files.completeUploadExternal", str(detail))
    elif kind == "server_error":
        # More 500s than the client's retries: the upload fails for good.
        slack.server_error_next("files.completeUploadExternal", status=500, times=3)
    else:
        slack.scopes = [s for s in slack.scopes if s != detail]
    seen = len(slack.calls)
    try:
        ts = await start_estimate(slack, bot, team, channel)
        # Wait for the refusal (three 500s: the first answer and the client's two retries).
        await slack.wait_for(
            lambda c: c.method.startswith("files.") and not c.ok and slack.calls.index(c) >= seen,
            count=3 if kind == "server_error" else 1,
            timeout=CHART_WAIT,
        )
    finally:
        slack.scopes = FakeSlack().scopes
        slack.clear_faults()
    assert slack.files_in(channel) == []
    thread = " ".join(text_of(c.args["blocks"]) for c in posts(slack, channel, ts))
    assert "Managed services" in thread and "Plan for 10x" in thread
    # The bot is still well: the next estimate gets its chart.
    other = channel_id()
    ts2 = await start_estimate(slack, bot, team, other)
    await slack.wait_for_files(other, ts2, timeout=CHART_WAIT)
    assert "file upload skipped" in bot.logs()


async def test_chart_button_and_chart_reply_draw_the_threads_current_scenario(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    # The what-if totals are a table, with the same rows as text in the fallback.
    (table,) = [b for b in reply.args["blocks"] if b["type"] == "table"]
    assert [row[0]["text"] for row in table["rows"]][1:] == [
        "Monthly run-rate",
        "One-time",
        "First year",
    ]
    assert "First year" in reply.args["text"]
    await bot.post(
        block_actions_body(Action.chart.value, "x", channel_id=channel, message_ts=ts, team_id=team)
    )
    _, button_chart = await slack.wait_for_files(channel, ts, count=2, timeout=CHART_WAIT)
    scenario = follow_up(first_scenario("10000 users startup"), parse("what if 50k users?"))
    assert button_chart.content == estimate_chart_png(
        estimate(scenario, curve_at=curve_users(scenario))
    )
    assert "50,000 users" in button_chart.initial_comment

    event = message_event("chart", channel=channel, thread_ts=ts, team=team)
    await bot.post(event_callback_body(event, team_id=team))
    *_, typed_chart = await slack.wait_for_files(channel, ts, count=3, timeout=CHART_WAIT)
    assert typed_chart.content == button_chart.content
    assert slack.violations == []


async def test_export_button_uploads_csv_and_json_that_agree(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel, "25000 users midsize")
    await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    await bot.post(
        block_actions_body(
            Action.export.value, "x", channel_id=channel, message_ts=ts, team_id=team
        )
    )
    files = await slack.wait_for_files(channel, ts, count=3, timeout=CHART_WAIT)
    by_name = {f.filename: f for f in files}
    assert set(by_name) >= {"aicost-estimate.csv", "aicost-estimate.json"}
    data = json.loads(by_name["aicost-estimate.json"].content)
    text = by_name["aicost-estimate.csv"].content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert data["scenario"]["users"] == 25000
    lines = [r for r in rows if r["category"] not in ("total", "phase")]
    assert len(lines) == len(data["line_items"]) > 5
    for row, item in zip(lines, data["line_items"], strict=True):
        assert (row["category"], row["item"]) == (item["category"], item["item"])
        assert float(row["low"]) == item["low"] and float(row["high"]) == item["high"]
    totals = {r["item"]: r for r in rows if r["category"] == "total"}
    assert float(totals["first_year"]["high"]) == data["totals"]["first_year"]["high"]
    # The thread's own estimate, not another one, with the break-even its hosting tip shows.
    crossing, left_out = data.pop("break_even"), data.pop("break_even_left_out")
    assert data == estimate(first_scenario("25000 users midsize")).to_dict()
    assert left_out is None and crossing["api_model"] == "gpt-4o-mini" and crossing["pair"]


async def test_export_and_chart_typed_in_the_thread_and_as_slash_commands(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    event = message_event("export", channel=channel, thread_ts=ts, team=team)
    await bot.post(event_callback_body(event, team_id=team))
    await slack.wait_for_files(channel, ts, count=3, timeout=CHART_WAIT)
    await bot.post(slash_command_body("export", team_id=team, channel_id=channel))
    files = await slack.wait_for_files(channel, ts, count=5, timeout=CHART_WAIT)
    assert sorted(f.filename for f in files[-2:]) == ["aicost-estimate.csv", "aicost-estimate.json"]
    await bot.post(slash_command_body("chart", team_id=team, channel_id=channel))
    files = await slack.wait_for_files(channel, ts, count=6, timeout=CHART_WAIT)
    assert files[-1].content == files[0].content  # the estimate's chart again


async def test_compare_posts_a_table_and_its_chart_in_the_thread(slack, bot, team):
    channel = channel_id()
    text = "compare gpt-4o-mini, claude-haiku-4-5, self-hosted l4 for 100k users"
    await bot.post(slash_command_body(text, team_id=team, channel_id=channel))
    (posted,) = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == channel and c.ok
    )
    blocks = posted.args["blocks"]
    (table,) = [b for b in blocks if b["type"] == "data_table"]  # one sortable row an option
    header, *rows = [[cell["text"] for cell in row] for row in table["rows"]]
    names = [row[0] for row in rows]
    assert [n.removesuffix(" ✓ cheapest") for n in names] == [
        "gpt-4o-mini",
        "claude-haiku-4-5",
        "self-hosted l4",
    ]
    assert sum("cheapest" in n for n in names) == 1
    assert header[1:5] == ["Monthly run-rate", "One-time", "First year", "Cost per user / month"]
    assert "Cheapest first year" in posted.args["text"]  # the plain-text fallback
    comparison = compare(compare_options(text))
    ts = posted.response["ts"]
    (chart,) = await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    assert chart.content == comparison_chart_png(comparison)
    png_size(chart.content)
    assert slack.violations == []


async def test_break_even_in_the_hosting_tip_and_asked_in_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel, "100k users claude-sonnet-4-5")
    tips = [text_of(c.args["blocks"]) for c in posts(slack, channel, ts)]
    (managed,) = [t for t in tips if "Managed services:" in t]  # the tip's headline
    assert "When self-hosting pays off" in managed and "users" in managed
    event = message_event(
        "when does self-hosting pay off?", channel=channel, thread_ts=ts, team=team
    )
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    assert "Break-even" in text_of(reply.args["blocks"])


async def test_private_estimates_get_no_files(slack, bot, team):
    channel = channel_id()
    slack.not_in_channel(channel)
    name = uuid.uuid4().hex
    await bot.post(
        slash_command_body(
            "10000 users startup", team_id=team, channel_id=channel,
            response_url=slack.response_url(name),
        )
    )  # fmt: skip
    await slack.wait_for_response(name)
    assert not [c for c in slack.calls if c.method.startswith("files.") and channel in str(c.args)]


async def test_a_killed_chart_worker_is_replaced_and_estimates_never_wait_for_it(slack, bot, team):
    first = channel_id()
    await slack.wait_for_files(
        first, await start_estimate(slack, bot, team, first), timeout=CHART_WAIT
    )
    (worker,) = bot.chart_workers()
    os.kill(worker, signal.SIGKILL)
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)  # estimate and tips, as always
    # A new chart worker starts; this estimate's chart comes from it or is skipped, the next
    # one's arrives.
    for _ in range(100):
        if bot.chart_workers() and bot.chart_workers() != [worker]:
            break
        await asyncio.sleep(0.1)
    (replacement,) = bot.chart_workers()
    assert replacement != worker
    other = channel_id()
    ts2 = await start_estimate(slack, bot, team, other)
    (chart,) = await slack.wait_for_files(other, ts2, timeout=CHART_WAIT)
    png_size(chart.content)
    assert len(posts(slack, channel, ts)) >= 4


async def test_compare_in_a_thread_compares_on_its_scenario_with_the_chart_after(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel, "50k users midsize")
    await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    text = "compare claude-haiku-4-5, gpt-4o"
    event = message_event(text, channel=channel, thread_ts=ts, team=team)
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    (table,) = [b for b in reply.args["blocks"] if b["type"] == "data_table"]
    assert len(table["rows"]) == 3  # the header row and one per option
    _, chart = await slack.wait_for_files(channel, ts, count=2, timeout=CHART_WAIT)
    options = compare_options(text, first_scenario("50k users midsize"))
    assert chart.content == comparison_chart_png(compare(options))
    assert slack.violations == []


async def test_an_export_slack_refuses_gets_a_sentence_in_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, bot, team, channel)
    await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
    slack.fail_next("files.completeUploadExternal", "not_in_channel")
    click = block_actions_body(
        Action.export.value, "x", channel_id=channel, message_ts=ts, team_id=team
    )
    reply = await next_thread_reply(slack, ts, bot.post(click), timeout=CHART_WAIT)
    assert "didn't take the export files" in text_of(reply.args["blocks"])
    assert len(slack.files_in(channel, ts)) == 1  # the chart only


async def test_a_chart_asked_for_after_the_chart_worker_left_still_arrives(slack, redis_url, team):
    quick = {**BOT_ENV, "CHART_IDLE_SECONDS": "2"}
    bot = await BotProcess(slack.base_url, redis_url, extra_env=quick).start()
    try:
        assert bot.chart_workers() == []  # no chart wanted yet: no matplotlib in memory
        channel = channel_id()
        ts = await start_estimate(slack, bot, team, channel)
        (chart,) = await slack.wait_for_files(channel, ts, timeout=CHART_WAIT)
        for _ in range(300):  # two quiet seconds, then it exits
            if not bot.chart_workers():
                break
            await asyncio.sleep(0.1)
        assert bot.chart_workers() == []
        click = block_actions_body(
            Action.chart.value, "x", channel_id=channel, message_ts=ts, team_id=team
        )
        await bot.post(click)
        charts = await slack.wait_for_files(channel, ts, count=2, timeout=CHART_WAIT)
        assert charts[1].content == chart.content  # the same picture, from a new worker
        assert slack.violations == []
    finally:
        assert await bot.stop() == 0, bot.logs()


async def test_every_comparison_that_says_its_chart_follows_gets_that_chart(slack, bot, team):
    # The first comparison, a change in its thread and an undo: each says the chart follows,
    # and each one's chart arrives in the thread, drawn from that answer's own options.
    channel = channel_id()
    text = "compare gpt-4o vs claude-haiku-4-5 for 50k users"
    await bot.post(slash_command_body(text, team_id=team, channel_id=channel))
    (posted,) = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == channel and c.ok
    )
    ts = posted.response["ts"]
    said = [text_of(posted.args["blocks"])]
    for reply_text in ("what if 100k users?", "undo"):
        event = message_event(reply_text, channel=channel, thread_ts=ts, team=team)
        reply = await next_thread_reply(
            slack, ts, bot.post(event_callback_body(event, team_id=team))
        )
        said.append(text_of(reply.args["blocks"]))
    first = compare_options(text)
    changed = [(label, follow_up(s, parse("what if 100k users?"))) for label, s in first]
    asked = [compare(first), compare(changed), compare(first)]
    charts = await slack.wait_for_files(channel, ts, count=3, timeout=CHART_WAIT)
    assert all(CHART_PROMISE in shown for shown in said)
    assert [c.content for c in charts] == [comparison_chart_png(c) for c in asked]
    assert slack.violations == []
