"""The Web API session: a message worded in an estimate worker process reaches Slack as worded."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import answers
from bot.slack.web_session import blocks_to_send
from bot.slack.workers import Workers
from tests.slack import test_web_session as in_process
from tests.support.fake_slack import FakeSlack

# The in-process tests' own fake Slack and Web API client, on each test's loop.
slack = in_process.slack
client = in_process.client


async def _worded_in_a_worker() -> answers.Answer:
    pool = Workers(1)
    await pool.start()
    try:
        for _ in range(200):  # until the worker has warmed up (else the answer is worded here)
            if pool.ready:
                break
            await asyncio.sleep(0.05)
        assert pool.ready == 1
        return await pool.run(answers.request, in_process.STANDARD)
    finally:
        await pool.close()


async def test_a_workers_messages_reach_slack_exactly_as_worded_here(
    slack: FakeSlack, client: AsyncWebClient
) -> None:
    from_worker = await _worded_in_a_worker()
    here = answers.request(in_process.STANDARD)
    main, *tips = from_worker.messages
    assert all(m.encoded is not None for m in from_worker.messages)  # they came as JSON
    first = await client.chat_postMessage(
        channel="C1", text=main.text, blocks=blocks_to_send(client, main)
    )
    for tip in tips:
        await client.chat_postMessage(
            channel="C1", thread_ts=first["ts"], text=tip.text, blocks=blocks_to_send(client, tip)
        )
    posted = slack.calls_to("chat.postMessage")
    assert [(c.args["text"], c.args["blocks"]) for c in posted] == [
        (m.text, m.blocks) for m in here.messages
    ]
    assert slack.violations == []  # every payload passed slack_sdk's Block Kit models
    # Slack's answer (the message echoed back, blocks included) is read as before.
    assert first["message"]["blocks"] == here.messages[0].blocks
    assert first["ts"] and first["channel"] == "C1"
