"""The bot over Socket Mode, end to end.

A real `python -m bot` process with SLACK_APP_TOKEN opens a websocket to the fake Slack (after
apps.connections.open) and gets its requests as envelopes there instead of signed HTTP POSTs; it
still answers through the Web API and serves /healthz on PORT. State lives in the process
(no REDIS_URL).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import pytest
import pytest_asyncio

from bot.slack.ids import Action
from tests.support.bot_process import ROOT, BotProcess
from tests.support.fake_slack import BAD_APP_TOKEN, TEST_APP_TOKEN, FakeSlack
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    new_team,
    next_thread_reply,
    posts,
    text_of,
)
from tests.support.signing import (
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ACK_SECONDS = 3  # Slack shows the user an error when an envelope is not acked in 3 s


def socket_mode_bot(slack: FakeSlack, app_token: str = TEST_APP_TOKEN) -> BotProcess:
    process = BotProcess(slack.base_url, None, extra_env={"SLACK_APP_TOKEN": app_token})
    # Socket Mode needs no signing secret: nothing arrives over signed HTTP.
    del process.env["SLACK_SIGNING_SECRET"]
    return process


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack():
    async with FakeSlack() as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack):
    process = await socket_mode_bot(slack).start()
    try:
        await slack.socket_connected(timeout=10)
    except AssertionError as exc:
        await process.stop()
        raise AssertionError(f"{exc}\nbot log:\n{process.logs()}") from None
    yield process
    assert await process.stop() == 0, process.logs()


@pytest.fixture
def team():
    return new_team()


def slash_command_payload(text: str, **fields: Any) -> dict[str, str]:
    """The slash command's fields as Socket Mode delivers them: a JSON object of strings."""
    return dict(parse_qsl(slash_command_body(text, **fields).decode(), keep_blank_values=True))


def event_payload(event: dict[str, Any], team: str) -> dict[str, Any]:
    return json.loads(event_callback_body(event, team_id=team))


async def acked_in_time(slack: FakeSlack, envelope_id: str) -> dict[str, Any]:
    started = time.perf_counter()
    ack = await slack.wait_for_ack(envelope_id, timeout=ACK_SECONDS)
    assert time.perf_counter() - started < ACK_SECONDS
    assert ack["envelope_id"] == envelope_id
    return ack


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate() and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return predicate()


async def start_estimate(slack, team, channel, text="10000 users startup") -> str:
    """/aicost over Socket Mode; returns the ts of the posted estimate once its tips are in."""
    name = uuid.uuid4().hex
    payload = slash_command_payload(
        text, team_id=team, channel_id=channel, response_url=slack.response_url(name)
    )
    envelope_id = await slack.send_envelope("slash_commands", payload)
    ack = await acked_in_time(slack, envelope_id)
    assert not ack.get("payload"), ack  # the estimate is posted, not returned in the ack
    ts = await estimate_with_tips(slack, channel, text)
    assert slack.responses_to(name) == []
    return ts


async def test_connects_with_the_app_token_and_reports_slack_ok(slack, bot):
    opened = slack.calls_to("apps.connections.open")
    assert opened and all(c.ok for c in opened)
    assert {c.headers["authorization"] for c in opened} == {f"Bearer {TEST_APP_TOKEN}"}
    assert slack.socket_count == 1
    status, body = await bot.get("/healthz")
    health = json.loads(body)
    assert status == 200, body
    assert health["slack"] == "ok" and health["redis"] == "memory"


async def test_slash_command_is_acked_then_estimate_and_tips_posted_in_its_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, team, channel)
    (main,) = [c for c in posts(slack, channel) if "thread_ts" not in c.args]
    shown = text_of(main.args["blocks"])
    for words in ("10,000", "Monthly", "First year"):
        assert words in shown
    thread = " ".join(text_of(c.args["blocks"]) for c in posts(slack, channel, ts))
    assert "Plan for 10x" in thread
    assert slack.violations == []


async def test_thread_follow_up_event_is_acked_and_answered_in_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, team, channel)
    event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)

    async def send() -> None:
        envelope_id = await slack.send_envelope(
            "events_api", event_payload(event, team), accepts_response_payload=False
        )
        await acked_in_time(slack, envelope_id)

    reply = await next_thread_reply(slack, ts, send())
    shown = text_of(reply.args["blocks"])
    assert "users 10,000 → 50,000" in shown
    assert slack.violations == []


async def test_button_click_is_acked_and_answered_in_the_thread(slack, bot, team):
    channel = channel_id()
    ts = await start_estimate(slack, team, channel)
    body = block_actions_body(
        Action.what_if_10x.value, "x", channel_id=channel, message_ts=ts, team_id=team
    )
    payload = json.loads(parse_qs(body.decode())["payload"][0])

    async def send() -> None:
        envelope_id = await slack.send_envelope(
            "interactive", payload, accepts_response_payload=False
        )
        await acked_in_time(slack, envelope_id)

    reply = await next_thread_reply(slack, ts, send())
    assert "users 10,000 → 100,000" in text_of(reply.args["blocks"])
    assert slack.violations == []


async def test_reconnects_when_slack_asks_it_to(slack, bot, team):
    opened = len(slack.calls_to("apps.connections.open"))
    await slack.socket_disconnect("refresh_requested")
    await slack.wait_for("apps.connections.open", count=opened + 1)
    # The old connection is closed once the new one is up; requests then flow over the new one.
    assert await until(lambda: slack.socket_count == 1), slack.summary()
    await start_estimate(slack, team, channel_id())


async def test_bad_app_token_exits_1_with_one_error_line(slack):
    process = socket_mode_bot(slack, BAD_APP_TOKEN)
    child = await asyncio.create_subprocess_exec(
        *process.command,
        cwd=ROOT,
        env=process.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(child.communicate(), timeout=15)
    except TimeoutError:
        child.kill()
        await child.wait()
        raise
    log = output.decode(errors="replace")
    assert child.returncode == 1, log
    errors = [line for line in log.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "SLACK_APP_TOKEN" in errors[0], log
    assert "Traceback" not in log
    assert BAD_APP_TOKEN not in log  # the token itself is never logged
    # Tried once, not retried forever.
    refused = [
        c
        for c in slack.calls_to("apps.connections.open")
        if c.headers.get("authorization") == f"Bearer {BAD_APP_TOKEN}"
    ]
    assert len(refused) == 1 and refused[0].response["error"] == "invalid_auth"


async def test_sigterm_closes_the_connection_and_exits_0(slack):
    connected = slack.socket_count
    process = await socket_mode_bot(slack).start()
    try:
        await slack.socket_connected(count=connected + 1, timeout=10)
    finally:
        code = await process.stop()
    assert code == 0, process.logs()
    assert "Traceback" not in process.logs()
    assert await until(lambda: slack.socket_count == connected), slack.summary()


def _interactive(kind: str, team: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "token": "verification-token",
        "team": {"id": team, "domain": "t"},
        "user": {"id": "U1", "username": "alice", "name": "alice", "team_id": team},
        "api_app_id": "A0AICOST",
        "is_enterprise_install": False,
        "enterprise": None,
        **fields,
    }


def _event(event: dict[str, Any], team: str) -> dict[str, Any]:
    return json.loads(event_callback_body(event, team_id=team))


# Every kind of envelope Slack delivers that no listener of this bot wants: each must still be
# acknowledged, or Slack sends it again (retry_attempt 1, 2, 3) and eventually turns events off.
UNHANDLED_ENVELOPES: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "unknown_command": (
        "slash_commands",
        lambda team: slash_command_payload("x", command="/other", team_id=team),
    ),
    "global_shortcut": (
        "interactive",
        lambda team: _interactive(
            "shortcut", team, callback_id="some_shortcut", trigger_id="1.2.3",
            action_ts="1700000000.000001",
        ),
    ),
    "message_shortcut": (
        "interactive",
        lambda team: _interactive(
            "message_action", team, callback_id="some_message_action", trigger_id="1.2.3",
            action_ts="1700000000.000001", message_ts="1700000000.000100",
            channel={"id": "C1", "name": "general"}, response_url="https://hooks.invalid/x",
            message={"type": "message", "user": "U1", "ts": "1700000000.000100", "text": "hi"},
        ),
    ),
    "view_closed": (
        "interactive",
        lambda team: _interactive(
            "view_closed", team, is_cleared=False,
            view={"id": "V1", "team_id": team, "type": "modal", "callback_id": "aicost_form",
                  "private_metadata": "", "state": {"values": {}}, "hash": "1.a",
                  "app_installed_team_id": team},
        ),
    ),
    "unknown_button": (
        "interactive",
        lambda team: json.loads(
            parse_qs(block_actions_body("someone_elses_button", "v", team_id=team).decode())[
                "payload"
            ][0]
        ),
    ),
    "app_uninstalled": (
        "events_api", lambda team: _event({"type": "app_uninstalled", "event_ts": "1.2"}, team)
    ),
    "app_home_opened": (
        "events_api",
        lambda team: _event(
            {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home",
             "event_ts": "1.2"}, team,
        ),
    ),
    "reaction_added": (
        "events_api",
        lambda team: _event(
            {"type": "reaction_added", "user": "U1", "reaction": "thumbsup",
             "item": {"type": "message", "channel": "C1", "ts": "1.2"}, "event_ts": "1.3"},
            team,
        ),
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(UNHANDLED_ENVELOPES))
async def test_every_envelope_is_acknowledged_even_with_no_listener(slack, bot, team, kind):
    envelope_type, payload = UNHANDLED_ENVELOPES[kind]
    envelope_id = await slack.send_envelope(envelope_type, payload(team))
    ack = await acked_in_time(slack, envelope_id)
    assert ack["envelope_id"] == envelope_id
