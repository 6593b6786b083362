"""The baseline for benchmarks/bot_latency.py: a bare Bolt app that acks /aicost and posts the
same fixed messages the bot posts (the estimate, then its thread replies), and answers a reply or
a button click in a thread with one fixed message there, as the bot answers with one.

Run by the benchmark as a process, configured like the bot: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
SLACK_API_URL, PORT, and FIXED_MESSAGES, a JSON file: a list of {"text", "blocks"} posted for
every command, or {"by_text": {command text: [messages]}, "reply": message} (the bot's own
messages for each text of a corpus, and one of its answers in a thread).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


async def main() -> None:
    with open(os.environ["FIXED_MESSAGES"]) as f:
        fixed = json.load(f)
    if isinstance(fixed, list):
        fixed = {"by_text": {}, "every": fixed, "reply": fixed[-1]}
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    client.session = aiohttp.ClientSession()
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    tasks: set[asyncio.Task[None]] = set()

    async def post_all(channel: str, text: str) -> None:
        first, *thread = fixed["by_text"].get(text) or fixed["every"]
        response = await client.chat_postMessage(channel=channel, **first)
        for message in thread:
            await client.chat_postMessage(channel=channel, thread_ts=response["ts"], **message)

    def later(work) -> None:
        task = asyncio.create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    @app.command("/aicost")
    async def aicost(ack, command):  # Bolt injects arguments by name
        await ack()
        later(post_all(command["channel_id"], command["text"]))

    @app.event("message")
    async def reply(event):
        if "thread_ts" in event and "bot_id" not in event:
            where = {"channel": event["channel"], "thread_ts": event["thread_ts"]}
            later(client.chat_postMessage(**where, **fixed["reply"]))

    @app.action(re.compile(".*"))
    async def click(ack, body):
        await ack()
        where = {"channel": body["channel"]["id"], "thread_ts": body["container"]["message_ts"]}
        later(client.chat_postMessage(**where, **fixed["reply"]))

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["PORT"])).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await client.session.close()


if __name__ == "__main__":
    asyncio.run(main())
