"""What an operator reads: --help, a token of the wrong kind, a port in use, Redis unreachable.
Real `python -m bot` processes; one line naming the setting, exit 2, no secret in the log."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys

import pytest

from bot.slack.config import Config
from bot.slack.redis_outage import address
from tests.support.bot_process import ROOT, BotProcess, free_port
from tests.support.fake_slack import FakeSlack


def run_bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_help_prints_the_usage_and_every_setting():
    run = run_bot("--help")
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.startswith("usage: python -m bot")
    for name in Config.model_fields:
        assert f"\n  {name.upper()} " in run.stdout, name


def test_an_argument_is_one_line_pointing_at_help():
    run = run_bot("--port", "8080")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "python -m bot --help" in run.stderr


def test_a_bot_token_in_the_app_token_setting_is_one_line_naming_it():
    run = run_bot(SLACK_BOT_TOKEN="xoxb-1-good", SLACK_APP_TOKEN="xoxb-2-secretpart")
    assert run.returncode == 2 and run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith("aicost bot: SLACK_APP_TOKEN: this is a bot token (xoxb-...)")
    assert "xapp-" in line and "secretpart" not in line


def test_a_port_in_use_is_the_first_and_only_line():
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", port))
        taken.listen()
        # REDIS_URL unset and no Slack to ask: start-up would warn of both before binding.
        run = run_bot(
            SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PORT=str(port),
            SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/", ESTIMATE_WORKERS="0",
            CHARTS="off",
        )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"aicost bot: PORT {port} is already in use: stop what listens there or set PORT to a "
        "free one"
    ]


@pytest.mark.asyncio
async def test_bot_with_redis_unreachable_names_the_setting_once_without_the_password():
    dead = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    async with FakeSlack() as slack:
        bot = BotProcess(slack.base_url, dead, extra_env={"ESTIMATE_WORKERS": "0"})
        await bot.start()
        try:
            await asyncio.sleep(3)  # the job reader retries twice a second meanwhile
        finally:
            await bot.stop()
    log = bot.logs()
    assert "s3cret" not in log
    named = [line for line in log.splitlines() if "REDIS_URL" in line]
    assert len(named) == 1, log
    assert f"Redis at {address(dead)} (REDIS_URL) does not answer" in named[0]
    assert "reading jobs failed" not in log
