"""Health probes of a real `python -m bot`: /livez, /readyz and /healthz, and what Slack's
answers to auth.test at start-up do to them."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time

import pytest
import pytest_asyncio

from tests.support.bot_process import ROOT, BotProcess, free_port
from tests.support.fake_slack import FakeSlack
from tests.support.signing import slash_command_body

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack():
    async with FakeSlack() as fake:
        yield fake


async def probe(bot: BotProcess, path: str) -> tuple[int, dict]:
    status, body = await bot.get(path)
    return status, json.loads(body)


async def until(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_running_bot_is_live_ready_and_healthy(slack, redis_url):
    bot = await BotProcess(slack.base_url, redis_url).start()
    try:
        status, live = await probe(bot, "/livez")
        assert status == 200 and live["live"] is True and live["loop_lag_ms"] >= 0
        status, ready = await probe(bot, "/readyz")
        assert (status, ready) == (200, {"ready": True, "reason": "ready"})
        status, health = await probe(bot, "/healthz")
        assert status == 200 and health["ready"] is True and health["redis"] == "ok"
    finally:
        assert await bot.stop() == 0, bot.logs()


async def test_slack_unreachable_at_start_keeps_the_bot_live_but_not_ready():
    # Nothing listens where Slack should be: the bot starts anyway and says why it is not ready.
    bot = await BotProcess(f"http://127.0.0.1:{free_port()}/api/", None).start()
    try:
        assert (await probe(bot, "/livez"))[0] == 200
        status, ready = await probe(bot, "/readyz")
        assert status == 503 and not ready["ready"] and "auth.test" in ready["reason"]
        # The summary reports Slack down, but Slack alone is no reason for a 503.
        status, health = await probe(bot, "/healthz")
        assert status == 200 and health["slack"] == "down" and health["ready"] is False
        assert bot.process.poll() is None
    finally:
        assert await bot.stop() == 0, bot.logs()
    assert "Traceback" not in bot.logs()


async def test_slack_outage_at_start_is_retried_until_the_bot_is_ready(slack):
    # Slack answers 503 for a while: more than the start-up lookup and its retries take.
    slack.server_error_next("auth.test", status=503, times=12)
    bot = await BotProcess(slack.base_url, None).start()
    try:
        status, ready = await probe(bot, "/readyz")
        assert status == 503 and "auth.test" in ready["reason"]

        async def ready_now() -> bool:
            return (await probe(bot, "/readyz"))[0] == 200

        await until(ready_now, "/readyz to turn 200 once Slack answers", timeout=30)
        assert bot.process.poll() is None
    finally:
        slack.clear_faults()
        assert await bot.stop() == 0, bot.logs()


async def test_draining_bot_is_not_ready_while_it_finishes_acknowledged_replies(slack):
    bot = BotProcess(slack.base_url, None, extra_env={"SHUTDOWN_GRACE_SECONDS": "20"})
    await bot.start()
    try:
        # Slack asks the bot to wait before posting: the reply stays in flight for a few seconds.
        slack.rate_limit_next("chat.postMessage", retry_after=3)
        status, _, _ = await bot.post(slash_command_body("10000 users startup", team_id="TDRAIN"))
        assert status == 200
        await slack.wait_for(lambda c: c.method == "chat.postMessage", count=1)
        bot.process.send_signal(signal.SIGTERM)

        async def draining() -> bool:
            status, ready = await probe(bot, "/readyz")
            return status == 503 and ready["reason"].startswith("draining")

        await until(draining, "/readyz to say the bot is draining", timeout=3)
        assert (await probe(bot, "/livez"))[0] == 200
    finally:
        slack.clear_faults()
        assert await bot.stop() == 0, bot.logs()


async def _run_bot_until_exit(env: dict[str, str]) -> tuple[int, str]:
    """`python -m bot` run to its end without blocking the loop the fake Slack answers on."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, stderr.decode()


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive"])
async def test_a_token_slack_refuses_stops_the_bot_with_one_line_naming_the_error(slack, error):
    slack.fail_next("auth.test", error)
    bot = BotProcess(slack.base_url, None)
    code, stderr = await _run_bot_until_exit(bot.env)
    assert code == 1, stderr
    # The operator's line is the last word, and the only one naming the error.
    lines = stderr.strip().splitlines()
    assert [line for line in lines if error in line] == lines[-1:], stderr
    assert lines[-1].startswith("aicost bot: ") and "SLACK_BOT_TOKEN" in lines[-1]
    assert "Traceback" not in stderr


async def test_a_token_refused_once_slack_answers_again_stops_the_bot(slack):
    # Slack is down at start-up (the lookup and its two retries get 503), then refuses the token.
    slack.server_error_next("auth.test", status=503, times=3)
    slack.fail_next("auth.test", "token_revoked")
    bot = BotProcess(slack.base_url, None)
    code, stderr = await _run_bot_until_exit(bot.env)
    assert code == 1, stderr
    (line,) = [line for line in stderr.splitlines() if "token_revoked" in line]
    assert "SLACK_BOT_TOKEN" in line
    assert "Traceback" not in stderr
