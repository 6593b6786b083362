"""The baseline for benchmarks/bot_latency.py: a bare Bolt app that acks /aicost and posts the
same number of fixed messages the bot posts (the estimate, then its thread replies).

Run by the benchmark as a process, configured like the bot: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
SLACK_API_URL, PORT, and FIXED_MESSAGES (a JSON file: a list of {"text", "blocks"}).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


async def main() -> None:
    with open(os.environ["FIXED_MESSAGES"]) as f:
        messages = json.load(f)
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    client.session = aiohttp.ClientSession()
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    tasks: set[asyncio.Task[None]] = set()

    async def post_all(channel: str) -> None:
        first, *thread = messages
        response = await client.chat_postMessage(channel=channel, **first)
        for message in thread:
            await client.chat_postMessage(channel=channel, thread_ts=response["ts"], **message)

    @app.command("/aicost")
    async def aicost(ack, command):  # Bolt injects arguments by name
        await ack()
        task = asyncio.create_task(post_all(command["channel_id"]))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

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
