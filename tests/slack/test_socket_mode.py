"""The fake Slack's side of Socket Mode: the app token, the hello, pings, envelopes and acks."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from tests.e2e.test_socket_mode import until
from tests.support.fake_slack import BAD_APP_TOKEN, TEST_APP_TOKEN, FakeSlack


async def test_fake_checks_the_app_token():
    async with FakeSlack() as own:
        client = own.client()
        opened = await client.apps_connections_open(app_token=TEST_APP_TOKEN)
        assert opened["url"].startswith(f"ws://127.0.0.1:{own.port}/socket?ticket=")
        for token in (BAD_APP_TOKEN, "xoxb-test-token"):
            with pytest.raises(SlackApiError) as err:
                await client.apps_connections_open(app_token=token)
            assert err.value.response["error"] == "invalid_auth"
        # The app token is good for apps.connections.open only.
        with pytest.raises(SlackApiError) as err:
            await own.client(token=TEST_APP_TOKEN).chat_postMessage(channel="C1", text="x")
        assert err.value.response["error"] == "invalid_auth"


async def test_fake_says_hello_answers_pings_and_records_acks():
    async with FakeSlack() as own, aiohttp.ClientSession() as http:
        url = (await own.client().apps_connections_open(app_token=TEST_APP_TOKEN))["url"]
        async with http.get(url.replace("ticket=", "ticket=forged")) as refused:
            assert refused.status == 401
        async with http.ws_connect(url, autoping=False) as ws:
            hello = await ws.receive_json(timeout=2)
            assert hello["type"] == "hello" and hello["num_connections"] == 1
            assert await own.socket_connected() == 1
            await ws.ping(b"sdk-ping-pong:1")
            pong = await ws.receive(timeout=2)
            assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"sdk-ping-pong:1")

            envelope_id = await own.send_envelope("slash_commands", {"text": "help"})
            envelope = await ws.receive_json(timeout=2)
            assert envelope == {
                "envelope_id": envelope_id,
                "type": "slash_commands",
                "payload": {"text": "help"},
                "accepts_response_payload": True,
            }
            await ws.send_json({"envelope_id": envelope_id, "payload": {"text": "ok"}})
            ack = await own.wait_for_ack(envelope_id)
            assert ack["payload"] == {"text": "ok"} and own.socket_acks == [ack]
            assert own.violations == []

            events_id = await own.send_envelope("events_api", {}, accepts_response_payload=False)
            assert (await ws.receive_json(timeout=2))["retry_attempt"] == 0
            await ws.send_json({"envelope_id": events_id, "payload": {"text": "lost"}})
            await ws.send_json({"envelope_id": "never-sent"})
            await own.wait_for_ack("never-sent")
            assert len(own.violations) == 2, own.violations
            with pytest.raises(AssertionError, match="NOT acked"):
                other = await own.send_envelope("interactive", {})
                await own.wait_for_ack(other, timeout=0.1)
        assert await until(lambda: own.socket_count == 0)
        with pytest.raises(AssertionError, match="no Socket Mode connection"):
            await own.send_envelope("events_api", {})
