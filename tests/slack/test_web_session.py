"""The Web API session: messages worded in a worker reach Slack exactly as worded, through
orjson both ways, and Slack's errors and odd answers still surface as slack_sdk reports them."""

from __future__ import annotations

import pickle
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import answers
from bot.slack.app import web_client
from bot.slack.config import Config
from bot.slack.messages.buttons import with_button_value
from bot.slack.web_session import blocks_to_send, post_message, web_api_session
from tests.support.fake_slack import TEST_BOT_TOKEN, FakeSlack

STANDARD = "10000 users startup"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """This module's own fake Slack, on each test's loop (the shared one lives on the module's)."""
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def client(slack: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    client = AsyncWebClient(token=TEST_BOT_TOKEN, base_url=slack.base_url)
    client.session = web_api_session()
    yield client
    await client.session.close()


async def test_a_client_on_another_session_gets_the_blocks_themselves(slack: FakeSlack) -> None:
    tip = pickle.loads(pickle.dumps(answers.request(STANDARD).messages[1]))
    plain = AsyncWebClient(token=TEST_BOT_TOKEN, base_url=slack.base_url)  # slack_sdk's own
    assert blocks_to_send(plain, tip) == tip.blocks
    await plain.chat_postMessage(channel="C1", text=tip.text, blocks=blocks_to_send(plain, tip))
    assert slack.calls_to("chat.postMessage")[0].args["blocks"] == tip.blocks


def test_a_message_out_of_a_worker_equals_the_original_and_is_stamped_the_same() -> None:
    here = answers.request(STANDARD)
    estimate, tip = pickle.loads(pickle.dumps((here.messages[0], here.messages[1])))
    assert (estimate, tip) == (here.messages[0], here.messages[1])
    assert with_button_value(estimate, "w:T1") == with_button_value(here.messages[0], "w:T1")
    assert with_button_value(tip, "w:T1") is tip  # no buttons: posted as it came


async def test_an_answer_that_is_not_json_is_still_reported_as_slack_sdk_reports_it() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(text="<html>bad gateway</html>", content_type="application/json")

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", broken)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = AsyncWebClient(token=TEST_BOT_TOKEN, base_url=f"http://127.0.0.1:{port}/api/")
    client.session = web_api_session()
    try:
        with pytest.raises(SlackApiError, match="bad gateway"):
            await client.chat_postMessage(channel="C1", text="x")
        with pytest.raises(SlackApiError, match="non-JSON format: <html>bad gateway"):
            await post_message(client, channel="C1", text="x")
    finally:
        await client.session.close()
        await runner.cleanup()


async def test_a_post_the_short_way_is_the_post_slack_sdk_makes(slack: FakeSlack) -> None:
    tip = answers.request(STANDARD).messages[1]
    step = {"event_type": "aicost_step", "event_payload": {"job": "j1", "step": "2"}}
    args = dict(channel="C1", thread_ts="1700000000.000100", text=tip.text, blocks=tip.blocks,
                metadata=step)  # fmt: skip
    # An org-wide install's client names its workspace in every call (team_id).
    plain = AsyncWebClient(token=TEST_BOT_TOKEN, base_url=slack.base_url, team_id="T0123")
    await plain.chat_postMessage(**args)  # slack_sdk's road
    ours = AsyncWebClient(token=TEST_BOT_TOKEN, base_url=slack.base_url, team_id="T0123")
    ours.session = web_api_session()
    try:
        response = await post_message(ours, **args)
    finally:
        await ours.session.close()
    theirs, mine = slack.calls_to("chat.postMessage")
    assert mine.args == theirs.args  # the same message, thread, metadata and workspace
    assert mine.args["team_id"] == "T0123"
    assert mine.headers["authorization"] == theirs.headers["authorization"]
    assert mine.headers["user-agent"] == theirs.headers["user-agent"]
    assert response["ok"] and response["ts"] == mine.response["ts"]
    assert response["channel"] == "C1" and mine.response["message"]["blocks"] == tip.blocks


async def test_a_post_the_short_way_retries_and_fails_as_slack_sdk_does(slack: FakeSlack) -> None:
    # The bot's retry handlers, backing off from 50 ms rather than 500 (the real loop, waits and
    # all, ten times quicker); Retry-After is Slack's to set, and is waited for in full.
    config = Config(slack_bot_token=TEST_BOT_TOKEN, slack_signing_secret="s" * 32,
                    slack_api_url=slack.base_url, slack_retry_backoff_seconds=0.05)  # fmt: skip
    client = web_client(config)
    client.session = web_api_session()
    try:
        slack.server_error_next("chat.postMessage", status=502)
        slack.rate_limit_next("chat.postMessage", retry_after=1)
        started = time.monotonic()
        assert (await post_message(client, channel="C1", text="x"))["ok"]
        assert time.monotonic() - started >= 1.05  # backed off, then after Retry-After
        assert len(slack.calls_to("chat.postMessage")) == 3

        slack.fail_next("chat.postMessage", "not_in_channel")
        with pytest.raises(SlackApiError) as refused:
            await post_message(client, channel="C1", text="x")
        assert refused.value.response["error"] == "not_in_channel"

        slack.server_error_next("chat.postMessage", status=503, times=3)  # more than it retries
        started = time.monotonic()
        with pytest.raises(SlackApiError) as down:
            await post_message(client, channel="C1", text="x")
        assert down.value.response.status_code == 503
        assert time.monotonic() - started >= 0.05 + 0.1  # backing off, doubling
        assert len(slack.calls_to("chat.postMessage")) == 3 + 1 + 3  # tried, then twice again
    finally:
        await client.session.close()


async def test_a_post_the_short_way_goes_through_the_clients_proxy() -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:  # answers in Slack's place
        seen.append(str(request.url))
        return web.json_response({"ok": True, "channel": "C1", "ts": "1700000000.000200"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = AsyncWebClient(token=TEST_BOT_TOKEN, base_url="http://slack.invalid/api/",
                            proxy=f"http://127.0.0.1:{port}")  # fmt: skip
    client.session = web_api_session()
    try:
        response = await post_message(client, channel="C1", text="x")
    finally:
        await client.session.close()
        await runner.cleanup()
    assert response["ts"] == "1700000000.000200"
    assert seen == ["http://slack.invalid/api/chat.postMessage"]


@pytest.mark.parametrize(
    "answer",
    [
        # Slack's own: compact, the message it echoes last.
        b'{"ok":true,"channel":"C1","ts":"1700000000.000200","message":{"ts":"1.1"}}',
        # The same fields in another order: decoded whole, the same ts.
        b'{"channel":"C1","message":{"ts":"1.1"},"ts":"1700000000.000200","ok":true}',
    ],
)
async def test_the_ts_of_a_post_is_the_answers_own_whatever_its_layout(answer: bytes) -> None:
    async def slack_api(request: web.Request) -> web.Response:
        return web.Response(body=answer, content_type="application/json")

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", slack_api)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = AsyncWebClient(token=TEST_BOT_TOKEN, base_url=f"http://127.0.0.1:{port}/api/")
    client.session = web_api_session()
    try:
        response = await post_message(client, channel="C1", text="x")
    finally:
        await client.session.close()
        await runner.cleanup()
    assert response["ok"] and response["ts"] == "1700000000.000200"
