"""The HTTP server (POST /slack/events, GET /healthz, GET /metrics) and Socket Mode."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError

from bot.slack.app import Bot
from bot.slack.signature import signed_by_slack

log = logging.getLogger(__name__)

# The collector's first-generation threshold (CPython's default is 700), and the older two.
GC_THRESHOLDS = (10_000, 20, 100)
SLACK_CHECK_SECONDS = 30  # /healthz asks Slack at most this often
MAX_BODY_BYTES = 256 * 1024
SOCKET_RETRY_DELAYS = (1, 2, 4)  # Slack's payloads are a few KB; larger bodies get 413


class Health:
    """Slack and Redis status for /healthz; Slack's is cached so probes don't hammer the API."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._slack_ok: bool | None = None
        self._checked = 0.0
        self.socket_connected: bool | None = None

    async def slack(self) -> bool:
        if self.socket_connected is not None:
            return self.socket_connected
        if self._slack_ok is None or time.monotonic() - self._checked > SLACK_CHECK_SECONDS:
            try:
                await self.bot.client.auth_test()
                self._slack_ok = True
            except (TimeoutError, SlackApiError, OSError) as exc:
                log.warning("Slack auth.test failed: %s", type(exc).__name__)
                self._slack_ok = False
            except Exception:  # the client raises several aiohttp errors; none may crash /healthz
                log.warning("Slack auth.test failed", exc_info=True)
                self._slack_ok = False
            self._checked = time.monotonic()
        return bool(self._slack_ok)

    async def report(self) -> tuple[int, dict[str, object]]:
        slack_ok, redis_ok = await asyncio.gather(self.slack(), self.bot.store.ping())
        body = {
            "status": "ok" if slack_ok and redis_ok else "degraded",
            "slack": "ok" if slack_ok else "down",
            "redis": ("ok" if redis_ok else "down") if self.bot.store.kind == "redis" else "memory",
            "in_flight": self.bot.conversations.in_flight,
            # Workers that word estimates; with none ready the bot words them itself (slower,
            # never down), so this does not change the status.
            "estimate_workers": self.bot.workers.ready,
        }
        if self.bot.conversations.queue is not None:  # the shared job queue, all replicas
            body["queue"] = await self.bot.conversations.queue.summary()
        return (200 if slack_ok and redis_ok else 503), body


def settle_garbage_collector() -> None:
    """Freeze what start-up built and collect less often. CPython's collector walks every object
    of a generation each time it runs: the ~75,000 objects Bolt, slack_sdk, pydantic and the
    price tables leave behind live for good, and replies in flight keep young objects alive
    across awaits. With the defaults it ran ~560 times per 1,200 commands, 0.2-0.3 ms of CPU a
    command; frozen and with a larger first generation, about a dozen times."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def web_app(bot: Bot, health: Health) -> web.Application:
    secret = bot.settings.slack_signing_secret
    signing_secret = secret.get_secret_value() if secret else None

    async def slack_events(request: web.Request) -> web.Response:
        if not bot.conversations.accepting:
            return web.Response(status=503, text="shutting down")
        body = await request.read()
        # Checked before anything parses the body: a forged or replayed request (wrong or
        # missing signature, timestamp over 5 minutes off) reaches no listener.
        if signing_secret is None or not signed_by_slack(body, request.headers, signing_secret):
            bot.metrics.errors.labels(kind="bad_signature").inc()
            return web.json_response({"error": "invalid request signature"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers=dict(request.headers),  # type: ignore[arg-type]
            )
        except (ValueError, TypeError, AttributeError) as exc:
            bot.metrics.errors.labels(kind="bad_request").inc()
            log.warning("malformed Slack request: %s", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        try:
            bolt_response = await bot.app.async_dispatch(bolt_request)
        except Exception as exc:  # a payload shape Bolt could not handle: never a 5xx
            bot.metrics.errors.labels(kind="bad_request").inc()
            log.warning("could not dispatch a Slack request: %s", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        status, body = await health.report()
        return web.json_response(body, status=status)

    async def metrics(request: web.Request) -> web.Response:
        payload, content_type = bot.metrics.render()
        return web.Response(body=payload, headers={"Content-Type": content_type})

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def serve(bot: Bot, host: str = "0.0.0.0") -> int:
    """Serve until SIGTERM/SIGINT, then stop taking requests, finish acknowledged replies
    (bounded by the grace period), close Redis and HTTP sessions. Returns the exit code."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    health = Health(bot)
    # One pooled session for every Web API call (the client otherwise opens one per request).
    bot.client.session = aiohttp.ClientSession()
    await bot.identity.fetch()  # before serving, so no request waits on auth.test
    await bot.workers.start()
    if bot.conversations.queue is not None:
        await bot.conversations.queue.start()
    settle_garbage_collector()
    runner = web.AppRunner(web_app(bot, health), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, bot.settings.port).start()
    socket_handler = None
    exit_code = 0
    if bot.settings.socket_mode:
        socket_handler = await _connect_socket_mode(bot)
        if socket_handler is None:
            exit_code = 1
            stop.set()
        else:
            health.socket_connected = True
            log.info("connected to Slack over Socket Mode; health on :%s", bot.settings.port)
    else:
        log.info("listening on :%s (POST /slack/events)", bot.settings.port)
    await stop.wait()
    log.info("shutting down: finishing %d acknowledged replies", bot.conversations.in_flight)
    if socket_handler is not None:
        await socket_handler.close_async()
    left = await bot.conversations.drain(bot.settings.shutdown_grace_seconds)
    if left:
        log.warning("%d replies still running at the end of the grace period", left)
    await runner.cleanup()
    await bot.workers.close()
    await bot.store.close()
    if bot.conversations.queue is not None:
        await bot.conversations.queue.close()
    await _close_client(bot)
    log.info("stopped")
    return exit_code


async def _connect_socket_mode(bot: Bot) -> Any:
    """The Socket Mode connection, or None (after one log line) when Slack refuses the app token.
    The token is tried once first: the Socket Mode client itself would retry a bad one forever."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    assert bot.settings.slack_app_token is not None
    app_token = bot.settings.slack_app_token.get_secret_value()
    try:
        await bot.client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        log.error("Slack refused the Socket Mode connection (%s): check SLACK_APP_TOKEN", error)
        return None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.error("could not reach Slack for Socket Mode: %s", type(exc).__name__)
        return None
    handler = AsyncSocketModeHandler(bot.app, app_token)
    await handler.connect_async()
    return handler


async def _close_client(bot: Bot) -> None:
    session = getattr(bot.client, "session", None)
    if session is not None and not session.closed:
        await session.close()
