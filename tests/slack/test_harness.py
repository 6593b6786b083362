"""Tests for the test harness itself: fake Slack and request signing (private Redis: e2e/)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
import pytest_asyncio
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.support.fake_slack import FakeSlack
from tests.support.signing import (
    app_mention_event,
    block_actions_body,
    event_callback_body,
    headers_for,
    input_state,
    message_event,
    sign,
    slash_command_body,
    view_submission_body,
)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# ------------------------------------------------------------------ signing


def test_signature_accepted_by_slack_sdk_verifier() -> None:
    body = slash_command_body("10000 users startup")
    headers = sign(body, SECRET)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert headers["X-Slack-Signature"].startswith("v0=")


def test_signature_matches_slack_docs_example() -> None:
    # Worked example from Slack's "Verifying requests from Slack" guide.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&"
        b"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F"
        b"96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign(body, SECRET, timestamp=1531420618)
    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }


def test_tampered_or_stale_requests_are_rejected() -> None:
    verifier = SignatureVerifier(SECRET)
    body = slash_command_body("help")
    headers = sign(body, SECRET)
    assert not verifier.is_valid_request(body + b"&text=evil", headers)
    assert not verifier.is_valid_request(body, sign(body, "other-secret"))
    sig = headers["X-Slack-Signature"]
    flipped = sig[:-1] + ("1" if sig[-1] == "0" else "0")
    assert not verifier.is_valid_request(body, {**headers, "X-Slack-Signature": flipped})
    stale = sign(body, SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


def test_payload_bodies_have_documented_fields() -> None:
    cmd = {
        k: v[0] for k, v in parse_qs(slash_command_body("form", channel_id="C9").decode()).items()
    }
    for key in ("token", "team_id", "team_domain", "channel_id", "channel_name", "user_id"):
        assert key in cmd
    for key in ("user_name", "command", "text", "api_app_id", "response_url", "trigger_id"):
        assert key in cmd
    assert cmd["command"] == "/aicost" and cmd["text"] == "form" and cmd["channel_id"] == "C9"

    raw = block_actions_body("recalc", "startup", message_ts="1700000000.000200", thread_ts="1.2")
    payload = json.loads(parse_qs(raw.decode())["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["container"]["message_ts"] == "1700000000.000200"
    assert payload["container"]["thread_ts"] == "1.2"
    assert payload["message"]["ts"] == "1700000000.000200"
    assert payload["actions"][0]["action_id"] == "recalc"
    assert payload["actions"][0]["value"] == "startup"

    raw = view_submission_body("estimate_form", input_state({"users": {"n": "500"}}), "meta")
    view = json.loads(parse_qs(raw.decode())["payload"][0])["view"]
    assert view["state"]["values"]["users"]["n"] == {"type": "plain_text_input", "value": "500"}
    assert view["private_metadata"] == "meta" and view["callback_id"] == "estimate_form"

    envelope = json.loads(event_callback_body(app_mention_event("help"), event_id="Ev1"))
    assert envelope["type"] == "event_callback" and envelope["event_id"] == "Ev1"
    assert envelope["authorizations"][0]["user_id"] == "UBOT"
    assert envelope["event"]["text"] == "<@UBOT> help"


# ---------------------------------------------------------------- fake Slack


@pytest.mark.asyncio
async def test_records_post_message_from_async_web_client(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.base_url)
    first = await client.chat_postMessage(channel="C1", text="hello", blocks=[_section("*hi*")])
    second = await client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == "C1"
    assert first["message"]["bot_id"] == "BBOT" and first["message"]["text"] == "hello"
    assert second["message"]["thread_ts"] == first["ts"]
    assert float(second["ts"]) > float(first["ts"])

    calls = await slack.wait_for("chat.postMessage", count=2)
    assert calls[0].args["blocks"] == [_section("*hi*")]
    assert calls[0].headers["authorization"] == "Bearer xoxb-test"
    assert slack.violations == []


@pytest.mark.asyncio
async def test_form_encoded_args_and_query_params_are_decoded(slack: FakeSlack) -> None:
    client = slack.client()
    blocks = [_section("form")]
    await client.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "x", "blocks": json.dumps(blocks)}
    )
    await client.users_info(user="U7")  # GET with query string
    assert slack.calls_to("chat.postMessage")[0].args["blocks"] == blocks
    assert slack.calls_to("users.info")[0].args == {"user": "U7"}


@pytest.mark.asyncio
async def test_auth_and_unknown_methods(slack: FakeSlack) -> None:
    auth = await slack.client().auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T1")
    with pytest.raises(SlackApiError) as err:
        await AsyncWebClient(base_url=slack.base_url).chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as err:
        await slack.client().api_call("nope.nothing")
    assert err.value.response["error"] == "unknown_method"


@pytest.mark.asyncio
async def test_rejects_invalid_blocks(slack: FakeSlack) -> None:
    client = slack.client()
    too_long_header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    cases = [
        too_long_header,
        [_section("x")] * 51,
        [_section("x" * 3001)],
        [{"type": "no_such_block"}],
        [{"type": "section"}],
    ]
    for blocks in cases:
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C1", text="t", blocks=blocks)
        assert err.value.response["error"] == "invalid_blocks"
    assert len(slack.violations) >= len(cases)

    slack.violations.clear()
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "A title that is far too long"},
        "blocks": [_section("x")],
    }
    with pytest.raises(SlackApiError) as err:
        await client.views_open(trigger_id="1.2.3", view=modal)
    assert err.value.response["error"] == "invalid_blocks"
    assert any("title" in v for v in slack.violations)


@pytest.mark.asyncio
async def test_views_echo_with_id(slack: FakeSlack) -> None:
    client = slack.client()
    view = {
        "type": "modal",
        "callback_id": "estimate_form",
        "title": {"type": "plain_text", "text": "Estimate"},
        "submit": {"type": "plain_text", "text": "Go"},
        "blocks": [
            {
                "type": "input",
                "block_id": "users",
                "label": {"type": "plain_text", "text": "Users"},
                "element": {"type": "plain_text_input", "action_id": "n"},
            }
        ],
    }
    opened = await client.views_open(trigger_id="1.2.3", view=view)
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "estimate_form"
    updated = await client.views_update(view_id=opened["view"]["id"], view=view)
    assert updated["view"]["id"] == opened["view"]["id"]
    assert slack.violations == []


@pytest.mark.asyncio
async def test_rate_limit_returns_429_with_retry_after(slack: FakeSlack) -> None:
    client = slack.client()
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert err.value.response["error"] == "ratelimited"

    # slack_sdk's retry handler honours Retry-After and the second attempt succeeds.
    slack.rate_limit_next("chat.postMessage", retry_after=0)
    retrying = slack.client(retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    assert (await retrying.chat_postMessage(channel="C1", text="x"))["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 429, 200]


@pytest.mark.asyncio
async def test_server_errors_and_injected_failures(slack: FakeSlack) -> None:
    client = slack.client()
    slack.server_error_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x")
    assert err.value.response.status_code == 503

    slack.server_error_next("chat.postMessage", status=500)
    soon = FixedValueRetryIntervalCalculator(0.01)  # 10 ms, not slack_sdk's 0.5-1.5 s
    handler = AsyncServerErrorRetryHandler(max_retry_count=1, interval_calculator=soon)
    retrying = slack.client(retry_handlers=[handler])
    assert (await retrying.chat_postMessage(channel="C1", text="x"))["ok"]

    slack.fail_next("chat.postMessage", error="not_in_channel", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C1", text="x")
        assert err.value.response["error"] == "not_in_channel"
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]

    slack.channel_not_found("C404")
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel="C404", text="x")
        assert err.value.response["error"] == "channel_not_found"
    slack.clear_channel("C404")
    assert (await client.chat_postMessage(channel="C404", text="x"))["ok"]


@pytest.mark.asyncio
async def test_response_url_posts_are_recorded(slack: FakeSlack) -> None:
    webhook = AsyncWebhookClient(slack.response_url("cmd"))
    resp = await webhook.send(text="estimating...", response_type="ephemeral")
    assert resp.status_code == 200 and resp.body == "ok"
    (post,) = await slack.wait_for_response("cmd")
    assert post.body == {"text": "estimating...", "response_type": "ephemeral"}


@pytest.mark.asyncio
async def test_wait_for_times_out_with_summary(slack: FakeSlack) -> None:
    await slack.client().chat_postMessage(channel="C1", text="only one")
    with pytest.raises(AssertionError, match=r"chat\.postMessage -> 200 ok"):
        await slack.wait_for("chat.postMessage", count=2, timeout=0.1)
    with pytest.raises(AssertionError, match=r"views\.open"):
        await slack.wait_for("views.open", timeout=0.1)


@pytest.mark.asyncio
async def test_bolt_app_accepts_signed_requests_end_to_end(slack: FakeSlack) -> None:
    """Signed bodies go through bolt's real verification and parsing; replies reach the fake."""
    app = AsyncApp(client=slack.client(), signing_secret=SECRET)
    seen: dict[str, Any] = {}

    @app.command("/aicost")
    async def on_command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"estimating {command['text']}")

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: Any) -> None:
        await say(text="hi", thread_ts=event["ts"])

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        seen["message"] = event["text"]

    @app.action("recalc")
    async def on_action(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        seen["action"] = body["actions"][0]["value"]

    @app.view("estimate_form")
    async def on_view(ack: Any, view: dict[str, Any]) -> None:
        await ack()
        seen["view"] = view["state"]["values"]["users"]["n"]["value"]

    async def dispatch(body: bytes, secret: str = SECRET) -> int:
        request = AsyncBoltRequest(body=body.decode(), headers=headers_for(body, secret))
        return (await app.async_dispatch(request)).status

    body = slash_command_body("10000 users startup", response_url=slack.response_url("cmd"))
    assert await dispatch(body, secret="wrong") == 401
    assert await dispatch(body) == 200
    (post,) = await slack.wait_for_response("cmd")
    assert post.body["text"] == "estimating 10000 users startup"

    mention = app_mention_event("estimate", ts="1700000001.000100")
    assert await dispatch(event_callback_body(mention)) == 200
    (reply,) = await slack.wait_for("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000001.000100"

    assert await dispatch(event_callback_body(message_event("more", thread_ts="1.1"))) == 200
    assert await dispatch(block_actions_body("recalc", "enterprise")) == 200
    states = input_state({"users": {"n": "500"}})
    assert await dispatch(view_submission_body("estimate_form", states, "")) == 200
    for _ in range(100):
        if len(seen) == 3:
            break
        await asyncio.sleep(0.02)
    assert seen == {"message": "more", "action": "enterprise", "view": "500"}
    assert len(slack.calls_to("auth.test")) >= 1
    assert slack.violations == []


@pytest.mark.asyncio
async def test_fake_slack_is_reachable_over_plain_http(slack: FakeSlack) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(slack.base_url + "auth.test") as resp,
    ):
        assert resp.status == 200
        assert await resp.json() == {"ok": False, "error": "not_authed"}


# --------------------------------------------------------------------- Redis
