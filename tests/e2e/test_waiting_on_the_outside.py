"""Nothing waits on the outside world past a deadline: a price update server that trickles bytes
(each read in time, the whole never) and a Slack slow to say who is an admin.

The trickling server is real HTTP on 127.0.0.1 (one byte every 0.2 s, for at most a minute); the
terminal and the bot run as processes; Slack is the fake Slack delaying users.info.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from bot.slack.ids import HomeAction, SettingsCallback, SettingsField
from estimator import token_snapshot
from tests.support.bot_process import BotProcess
from tests.support.home_payloads import home_button_body
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    new_team,
    submitted_state,
    text_of,
)
from tests.support.signing import slash_command_body, view_submission_body

TRICKLE_SECONDS = 60.0  # the server gives up after this; a deadline must end the fetch sooner


class TricklingServer:
    """Answers 200 with a body it sends one byte at a time, never finishing in time."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/data.json"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        ends = time.monotonic() + TRICKLE_SECONDS
        with conn:
            try:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                conn.sendall(head + b"Content-Length: 100000\r\n\r\n[")
                while not self._stop.wait(0.2) and time.monotonic() < ends:
                    conn.sendall(b" ")
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


@pytest.fixture
def trickling():
    server = TricklingServer()
    yield server
    server.close()


def test_a_trickling_update_server_is_given_up_at_the_deadline(trickling, monkeypatch):
    monkeypatch.setattr(token_snapshot, "_state", {})
    assert token_snapshot.refresh(trickling.url, seconds=1.5) is False
    assert trickling.connections == 1
    note = token_snapshot.snapshot_note()
    assert note.startswith(token_snapshot.bundled_note())
    assert "refresh failed: TimeoutError" in note


@pytest.mark.e2e
def test_update_prices_at_the_terminal_ends_and_answers_with_the_bundled_prices(trickling):
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--update-prices", "--json", "10000", "users"],
        capture_output=True,
        text=True,
        env={**os.environ, "PRICES_UPDATE_URL": trickling.url},
        timeout=TRICKLE_SECONDS - 5,  # today's fetch ran until the server stopped trickling
    )
    assert run.returncode == 0, run.stderr
    source = json.loads(run.stdout)["token_prices"]["source"]
    assert "refresh failed: TimeoutError" in source
    assert "Traceback" not in run.stderr


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="module")
async def test_the_bot_listens_and_answers_while_the_price_refresh_trickles(
    slack, redis_url, trickling
):
    bot = BotProcess(
        slack.base_url,
        redis_url,
        extra_env={"PRICES_AUTO_UPDATE": "1", "PRICES_UPDATE_URL": trickling.url},
    )
    await bot.start(timeout=TRICKLE_SECONDS / 3)  # before: it never started listening
    try:
        assert trickling.connections >= 1  # the refresh is under way
        channel = channel_id()
        status, _, seconds = await bot.post(slash_command_body("10000 users", channel_id=channel))
        assert status == 200 and seconds < 3
        await estimate_with_tips(slack, channel, "10000 users")
        for _ in range(100):  # the fetch's deadline passes; /healthz names the failure
            status, body = await bot.get("/healthz")
            prices = json.loads(body)["token_prices"]
            if "refresh_error" in prices:
                break
            await asyncio.sleep(0.2)
        assert prices["source"] == "bundled" and prices["refresh_error"] == "TimeoutError"
    finally:
        assert await bot.stop() == 0, bot.logs()


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="module")
async def test_a_settings_save_is_answered_in_time_when_slack_is_slow_to_say_who_is_admin(
    slack, bot
):
    team, admin = new_team(), "U" + uuid.uuid4().hex[:9].upper()
    slack.make_admin(admin)
    trigger = "trigger-" + uuid.uuid4().hex
    await bot.post(
        home_button_body(HomeAction.edit_settings.value, user_id=admin, team_id=team,
                         trigger_id=trigger)
    )  # fmt: skip
    (opened,) = await slack.wait_for(
        lambda c: c.method == "views.open" and c.args.get("trigger_id") == trigger
    )
    values = submitted_state(opened.args["view"], {SettingsField.cloud_multiplier: "1.3"})
    body = view_submission_body(SettingsCallback.settings.value, values, team_id=team,
                                user_id=admin)  # fmt: skip
    slack.slow_down("users.info", 5.0)
    try:
        status, answer, seconds = await bot.post(body)
    finally:
        slack.slow_down("users.info", 0)
    # Within Slack's 3 s, and honest: nothing saved, the admin asked to try again.
    assert status == 200 and seconds < 3, (status, seconds)
    assert "couldn't check with Slack" in json.loads(answer)["errors"][SettingsField.currency.value]
    status, answer, _ = await bot.post(body)
    assert status == 200 and not answer.strip(), answer
    published = await slack.wait_for(
        lambda c: c.method == "views.publish" and c.args.get("user_id") == admin and c.ok
    )
    assert "1.3x" in text_of(published[-1].args["view"])
