"""What each process of the bot loads (issue 24's memory): the estimate worker no Slack library, no
matplotlib and none of the libraries genai-prices imports for its price updater alone (httpx2,
asyncio); the chart worker no Slack library; the bot's own process no matplotlib even while charts
are drawn, and neither httpx2 nor the price tables to take a command, a follow-up or a click; and
a chart's memory given back before the next is drawn. Real processes, started as the bot starts
them, their imports read from Python's own `-X importtime` report."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
import time

import pytest
import redis.asyncio as aioredis

from bot.parsing import first_scenario
from bot.slack.ids import Action
from bot.slack.workers import HEADER
from tests.support.bot_process import ROOT, BotProcess
from tests.support.reading import channel_id, estimate_with_tips, next_thread_reply, text_of
from tests.support.signing import (
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
)

SLACK_LIBRARIES = {"slack_bolt", "slack_sdk", "aiohttp", "redis"}
DRAWING = {"matplotlib", "numpy", "PIL"}
# What genai-prices imports for its optional price updater (bot/on_first_use.py).
PRICE_UPDATER = {"httpx2", "asyncio", "ssl"}
# genai-prices' price tables, read to price or to name a model (the estimate worker's work).
PRICE_TABLES = "genai_prices.data"


def modules(importtime_report: str) -> set[str]:
    """The modules named in a `python -X importtime` report."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in importtime_report.splitlines()
        if line.startswith("import time:") and "|" in line
    } - {"package"}


def imported(importtime_report: str) -> set[str]:
    """The top-level packages named in a `python -X importtime` report."""
    return {name.split(".")[0] for name in modules(importtime_report)}


def run_worker(module: str, *requests: tuple[str, tuple]) -> tuple[list[tuple[str, object]], str]:
    """A worker process as the bot starts it (`python -m bot.slack.workers <module> 0`), sent
    `requests` over its pipe; its answers and its import report, once it has exited."""
    framed = b""
    for request in requests:
        payload = pickle.dumps(request)
        framed += HEADER.pack(len(payload)) + payload
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.slack.workers", module, "0"],
        input=framed,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    answers, out = [], run.stdout
    while out:
        (size,) = HEADER.unpack(out[: HEADER.size])
        answers.append(pickle.loads(out[HEADER.size : HEADER.size + size]))
        out = out[HEADER.size + size :]
    return answers, run.stderr.decode(errors="replace")


def test_the_estimate_worker_loads_neither_the_slack_libraries_nor_matplotlib():
    answers, report = run_worker("bot.slack.answers", ("warm_up", ()), ("request", ("50k users",)))
    assert [outcome for outcome, _ in answers] == ["ok", "ok"], answers
    assert "50,000" in str(answers[1][1])  # it did word the estimate
    loaded = imported(report)
    assert {"estimator", "bot", "pydantic", "genai_prices"} <= loaded
    unused = SLACK_LIBRARIES | DRAWING | PRICE_UPDATER
    assert loaded.isdisjoint(unused), loaded & unused


def test_the_price_updater_still_fetches_in_a_process_that_deferred_its_libraries():
    """PRICES_AUTO_UPDATE=1: a worker fetches fresh prices with the httpx2 it deferred (from a
    URL nothing listens on here, so it says the refresh failed: it tried, over HTTP)."""
    code = (
        "from bot import on_first_use\n"
        "on_first_use.defer()\n"
        "import sys\n"
        "from estimator import refresh_if_wanted, snapshot_status\n"
        "print(type(sys.modules['httpx2']).__name__)\n"
        "refresh_if_wanted({'PRICES_AUTO_UPDATE': '1', 'PRICES_UPDATE_URL': "
        "'http://127.0.0.1:9/prices.json'})\n"
        "print(type(sys.modules['httpx2']).__name__, snapshot_status()['refresh_error'])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["_Deferred", "module", "ConnectError"], run.stdout


def test_the_chart_worker_loads_no_slack_library():
    scenario = first_scenario("10000 users startup")
    answers, report = run_worker("bot.slack.chart_worker", ("estimate_chart", (scenario,)))
    ((outcome, png),) = answers
    assert outcome == "ok" and png.startswith(b"\x89PNG")
    loaded = imported(report)
    assert {"matplotlib", "estimator"} <= loaded
    assert loaded.isdisjoint(SLACK_LIBRARIES), loaded & SLACK_LIBRARIES


def test_each_chart_is_freed_before_the_next_is_drawn():
    """matplotlib's figures are reference cycles; the chart worker frees each one as it is drawn,
    so drawing many charts does not pile up their figures and pixels."""
    code = (
        "import gc\n"
        "from matplotlib.figure import Figure\n"
        "from bot.parsing import first_scenario\n"
        "from bot.slack import chart_worker\n"
        "for text in ('10k users', '200k users startup', '3M users enterprise'):\n"
        "    chart_worker.estimate_chart(first_scenario(text))\n"
        "    chart_worker.comparison_chart((('a', first_scenario(text)), ('b', first_scenario"
        "(text + ' gpt-4o-mini'))))\n"
        "left = gc.collect()\n"
        "gc.unfreeze()\n"
        "print(left, sum(isinstance(o, Figure) for o in gc.get_objects()))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 0, run.stderr
    garbage_left, figures_alive = map(int, run.stdout.split())
    assert (garbage_left, figures_alive) == (0, 0)


def test_a_deferred_package_whose_submodule_is_imported_first_loads_each_module_once():
    """bot/on_first_use.py: `import http.cookies` before anything of `http` is read loads the
    submodule alone; reading `http.HTTPStatus` then loads the package, which keeps it."""
    code = (
        "import sys\n"
        "from bot import on_first_use\n"
        "assert 'http' not in sys.modules\n"
        "on_first_use.defer(('http',))\n"
        "import http.cookies\n"
        "cookies = sys.modules['http.cookies']\n"
        "print(type(sys.modules['http']).__name__, http.HTTPStatus.OK.value)\n"
        "package = sys.modules['http']\n"
        "print(type(package).__name__, package.cookies is cookies, http.cookies is cookies)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["_Deferred", "200", "module", "True", "True"], run.stdout


async def _bot_reporting_imports(slack, redis_url) -> BotProcess:
    """The bot with charts on, its own imports reported (`-X importtime`) and its estimate worker
    warm (until then, or with none, it estimates in-process: tables and all)."""
    bot = BotProcess(slack.base_url, redis_url, extra_env={"CHARTS": "on"})
    # The flag is the bot's own: the workers it starts are plain `python -m bot.slack.workers`.
    bot.command = [sys.executable, "-X", "importtime", "-m", "bot"]
    await bot.start(timeout=60)  # the report slows its start
    if len(os.sched_getaffinity(0)) < 2:
        assert await bot.stop() == 0, bot.logs()
        pytest.skip("one core: no estimate worker, so the bot estimates in-process")
    deadline = time.monotonic() + 60
    while json.loads((await bot.get("/healthz"))[1])["estimate_workers"] < 1:
        assert time.monotonic() < deadline, "the estimate worker did not warm up"
        await asyncio.sleep(0.1)
    return bot


def _assert_no_drawing_nor_price_tables(bot: BotProcess) -> None:
    report = bot.log_path.read_text(errors="replace")
    loaded = imported(report)
    assert {"slack_bolt", "estimator", "genai_prices", "asyncio"} <= loaded
    assert loaded.isdisjoint(DRAWING | {"httpx2"}), loaded & (DRAWING | {"httpx2"})
    assert PRICE_TABLES not in modules(report)


@pytest.mark.asyncio(loop_scope="module")  # the loop of the module's fake Slack
async def test_the_bots_own_process_takes_a_command_without_matplotlib_or_the_price_tables(
    slack, redis_url, team
):
    """Charts drawn and estimates priced in the workers; the slash command's check for the form
    (bot/parsing/parser.py, `asks_for_form`) reads no model name off the price tables."""
    bot = await _bot_reporting_imports(slack, redis_url)
    try:
        channel = channel_id()
        status, body, _ = await bot.post(
            slash_command_body("10000 users startup", team_id=team, channel_id=channel)
        )
        assert status == 200, body
        ts = await estimate_with_tips(slack, channel)
        (chart,) = await slack.wait_for_files(channel, ts, timeout=60)
        assert chart.content.startswith(b"\x89PNG")
    finally:
        assert await bot.stop() == 0, bot.logs()
    _assert_no_drawing_nor_price_tables(bot)


@pytest.mark.asyncio(loop_scope="module")
async def test_the_bots_own_process_takes_follow_ups_and_clicks_without_the_price_tables(
    slack, redis_url, team
):
    """A follow-up and a button read the thread's stored state without its models' prices; the
    estimate worker looks them up. A stored model no longer priced (stored by an earlier
    version, say) still reads as a forgotten estimate, as when the bot looked it up itself."""
    bot = await _bot_reporting_imports(slack, redis_url)
    try:
        channel = channel_id()
        await bot.post(slash_command_body("10000 users startup", team_id=team, channel_id=channel))
        ts = await estimate_with_tips(slack, channel)
        event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)
        answer = await next_thread_reply(
            slack, ts, bot.post(event_callback_body(event, team_id=team))
        )
        assert "50,000 users" in text_of(answer.args)

        def click(action: Action) -> bytes:
            return block_actions_body(
                action.value, "x", channel_id=channel, message_ts=ts, team_id=team
            )

        answer = await next_thread_reply(slack, ts, bot.post(click(Action.what_if_10x)))
        assert "500,000 users" in text_of(answer.args)

        key = f"aicost:{{{team}}}:{channel}:thread:{ts}"
        async with aioredis.from_url(redis_url) as redis:
            state = json.loads(await redis.get(key))
            for scenario in (state["scenario"], *state["history"]):
                scenario["model"] = "gpt-retired-1"  # no model genai-prices knows
            await redis.set(key, json.dumps(state), keepttl=True)
        # Another button: the same one again within seconds would be a double click, dropped.
        answer = await next_thread_reply(slack, ts, bot.post(click(Action.apply_caching)))
        assert "I no longer remember this estimate" in text_of(answer.args)
    finally:
        assert await bot.stop() == 0, bot.logs()
    _assert_no_drawing_nor_price_tables(bot)
