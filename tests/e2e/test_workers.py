"""The estimate workers (bot/slack/workers.py): real worker processes, driven the way the bot
drives them, killed the ways production kills them."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from bot.advisor import ReplyKind
from bot.charts import curve_users, estimate_chart_png
from bot.parsing import first_scenario
from bot.slack import answers, chart_worker
from bot.slack import workers as bot_workers
from bot.slack.ids import Action
from bot.slack.workers import RESTARTS_ALLOWED, WorkerFailed, Workers
from estimator.estimate import estimate
from tests.support.bot_process import ROOT, estimate_workers, process_family

STANDARD = "10000 users startup"


def my_workers() -> list[int]:
    """Workers this test process started (not those of a bot process another suite runs)."""
    return estimate_workers(os.getpid())


async def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def started(count: int) -> Workers:
    pool = Workers(count)
    await pool.start()
    await until(lambda: pool.ready == count, "the workers to warm up")
    return pool


@pytest.fixture
async def workers():
    pool = await started(1)
    yield pool
    await pool.close()


async def test_until_its_worker_has_warmed_up_the_bot_words_answers_itself():
    pool = Workers(1)
    await pool.start()
    assert pool.ready == 0 and len(my_workers()) == 1  # started, still importing
    answer = await pool.run(answers.request, STANDARD)  # no waiting on the worker's start-up
    assert answer.kind is ReplyKind.estimate
    await until(lambda: pool.ready == 1, "the worker to warm up")
    await pool.close()


async def test_a_worker_words_exactly_what_the_bot_would_word_itself(workers):
    in_worker = await workers.run(answers.request, STANDARD)
    here = answers.request(STANDARD)
    assert len(my_workers()) == 1
    assert in_worker.kind is ReplyKind.estimate
    assert in_worker.messages == here.messages  # the estimate and its four thread replies
    assert in_worker.state == here.state and in_worker.summary == here.summary

    follow_up = await workers.run(answers.follow_up, "what if 50k users?", in_worker.state)
    assert follow_up.messages == answers.follow_up("what if 50k users?", here.state).messages
    assert "10,000 → 50,000" in follow_up.messages[0].text

    click = await workers.run(answers.button, Action.apply_caching, in_worker.state)
    assert click.changed and click.state.scenario.cache_hit_rate == 0.4


async def test_a_worker_killed_while_answering_loses_nothing_and_is_replaced(workers, caplog):
    (victim,) = my_workers()
    texts = [f"{1000 * (n + 1)} users startup" for n in range(40)]
    pending = [asyncio.ensure_future(workers.run(answers.request, t)) for t in texts]
    await asyncio.sleep(0)  # the requests are written to the worker's pipe
    os.kill(victim, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="bot.slack.workers"):
        done = await asyncio.gather(*pending)
    # Every request got its own estimate, whether the worker answered it or the bot did.
    assert [a.summary["users"] for a in done] == [1000 * (n + 1) for n in range(40)]
    assert all(len(a.messages) == 5 for a in done)
    assert "exited before answering" in caplog.text
    await until(lambda: workers.ready == 1 and victim not in my_workers(), "a new worker")
    assert (await workers.run(answers.request, STANDARD)).kind is ReplyKind.estimate


async def test_a_stuck_worker_is_replaced_and_its_answer_worded_by_the_bot(
    workers, caplog, monkeypatch
):
    (stuck,) = my_workers()
    # Any answer now counts as taking too long: the bot must stop waiting and answer itself.
    monkeypatch.setattr(bot_workers, "ANSWER_SECONDS", 0.0)
    with caplog.at_level(logging.WARNING, logger="bot.slack.workers"):
        answer = await workers.run(answers.request, "25000 users midsize")
    monkeypatch.undo()
    assert answer.summary["users"] == 25000 and len(answer.messages) == 5
    assert "restarting it" in caplog.text
    await until(lambda: workers.ready == 1 and stuck not in my_workers(), "a new worker")
    assert (await workers.run(answers.request, STANDARD)).kind is ReplyKind.estimate


async def test_an_answer_that_fails_in_the_worker_is_reported_and_the_worker_goes_on(workers):
    (worker,) = my_workers()
    # (A request or follow-up that fails is an error answer of its own; an export is not.)
    with pytest.raises(WorkerFailed, match="Error"):
        await workers.run(answers.export, 12345)  # not a scenario
    assert my_workers() == [worker]
    assert (await workers.run(answers.request, STANDARD)).kind is ReplyKind.estimate


async def test_workers_that_keep_dying_are_given_up_and_answers_go_on_in_process(caplog):
    pool = await started(1)
    with caplog.at_level(logging.ERROR, logger="bot.slack.workers"):
        for _ in range(RESTARTS_ALLOWED):
            await until(lambda: len(my_workers()) == 1, "a worker")
            (victim,) = my_workers()
            os.kill(victim, signal.SIGKILL)
            await until(lambda v=victim: v not in my_workers(), "the worker to go")
        await until(lambda: pool.count == 0 and not my_workers(), "the bot to give them up")
    assert "keep exiting" in caplog.text
    await asyncio.sleep(0.5)
    assert my_workers() == []  # no fourth one started
    assert (await pool.run(answers.request, STANDARD)).kind is ReplyKind.estimate
    await pool.close()


async def test_closing_waits_for_answers_owed_then_leaves_no_process():
    pool = await started(1)
    pending = [asyncio.ensure_future(pool.run(answers.request, STANDARD)) for _ in range(20)]
    await asyncio.sleep(0)
    (worker,) = my_workers()
    answered = await asyncio.gather(*pending)
    await pool.close()
    assert all(a.kind is ReplyKind.estimate for a in answered)
    assert worker not in process_family(os.getpid())


def my_chart_workers() -> list[int]:
    return estimate_workers(os.getpid(), module=b"bot.slack.chart_worker")


async def test_an_on_demand_pool_starts_when_work_is_wanted_and_leaves_when_quiet(caplog):
    pool = Workers(1, module="bot.slack.chart_worker", idle_seconds=1.0, answer_seconds=30)
    await pool.start()
    assert my_chart_workers() == []  # nothing held while no chart is wanted
    scenario = first_scenario(STANDARD)
    # Charts wanted together share one start.
    first, second = await asyncio.gather(
        pool.run_elsewhere(chart_worker.estimate_chart, scenario, max_owed=4),
        pool.run_elsewhere(chart_worker.estimate_chart, scenario, max_owed=4),
    )
    assert first == second == estimate_chart_png(estimate(scenario, curve_at=curve_users(scenario)))
    (worker,) = my_chart_workers()
    with caplog.at_level(logging.INFO, logger="bot.slack.workers"):
        await until(lambda: my_chart_workers() == [], "the idle worker to leave", timeout=15)
    assert "without work" in caplog.text and pool.count == 1  # left, not given up
    # Wanted again: a new worker draws it.
    assert await pool.run_elsewhere(chart_worker.estimate_chart, scenario, max_owed=4) == first
    assert my_chart_workers() not in ([], [worker])
    await pool.close()
    assert my_chart_workers() == []


def test_workers_leave_when_the_bot_is_killed_outright():
    # A bot process that starts a worker, prints its pid, then waits to be killed.
    script = (
        "import asyncio, os\n"
        "from bot.slack.workers import Workers\n"
        "from tests.support.bot_process import estimate_workers\n"
        "async def main():\n"
        "    pool = Workers(1)\n"
        "    await pool.start()\n"
        "    while not estimate_workers(os.getpid()):\n"
        "        await asyncio.sleep(0.05)\n"
        "    print(*estimate_workers(os.getpid()), flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    bot = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert bot.stdout is not None
        (worker,) = map(int, bot.stdout.readline().split())
        bot.kill()  # SIGKILL: the bot runs no cleanup at all
        bot.wait()
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{worker}") and time.monotonic() < deadline:
            with open(f"/proc/{worker}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break  # exited; only its entry waits to be reaped
            time.sleep(0.05)
        else:
            assert not os.path.exists(f"/proc/{worker}"), "the worker outlived the bot"
    finally:
        if bot.poll() is None:
            bot.kill()


def test_a_worker_whose_bot_is_gone_exits_quietly_with_the_answers_it_held():
    # A real worker whose answers' reader is closed: the bot died with requests still owed.
    def request(name: str) -> bytes:
        body = pickle.dumps((name, ()))
        return bot_workers.HEADER.pack(len(body)) + body

    worker = subprocess.Popen(
        [sys.executable, "-m", "bot.slack.workers"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdout.close()  # the bot's reading end, gone
    worker.stdin.write(request("warm_up") + request("warm_up"))
    worker.stdin.close()  # as at shutdown: held-back answers are written now
    assert worker.stderr is not None
    worker.wait(timeout=30)
    log = worker.stderr.read()
    worker.stderr.close()
    lines = log.decode().strip().splitlines()
    assert worker.returncode == 0
    assert "Traceback" not in log.decode() and "Exception ignored" not in log.decode()
    assert [line for line in lines if "not sent" in line] == lines and len(lines) <= 1
