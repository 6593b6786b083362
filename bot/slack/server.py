"""The HTTP server (POST /slack/events, health probes, GET /metrics, and in distributed mode
GET /slack/install and /slack/oauth_redirect) and Socket Mode."""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import signal
import socket
import time
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError

from bot.slack.acknowledgement import RECEIVED_AT, late_acknowledgement
from bot.slack.app import Bot
from bot.slack.identity import BotIdentity
from bot.slack.page_routes import add_page_routes
from bot.slack.ratelimit import PageLimiter
from bot.slack.signature import signed_by_slack
from bot.slack.web_session import web_api_session
from estimator import (
    snapshot_status,
)

log = logging.getLogger(__name__)

# The collector's first-generation threshold (CPython's default is 700), and the older two.
GC_THRESHOLDS = (10_000, 20, 100)
SLACK_CHECK_SECONDS = 30  # /healthz asks Slack at most this often
HEARTBEAT_SECONDS = 1.0
LIVENESS_STALL_SECONDS = 30.0  # a loop that missed its heartbeat this long was wedged
MAX_BODY_BYTES = 256 * 1024
INSTALL_LATER = (
    "The app can't reach its installation records just now, so it can't be installed. "
    "Please try again in a minute."
)
SOCKET_RETRY_DELAYS = (1, 2, 4)  # Slack's payloads are a few KB; larger bodies get 413


class StartupError(Exception):
    """The bot cannot start as configured; the message is one line for the operator."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Health:
    """What the probes see. /livez: the event loop answers (a liveness probe restarts only a
    wedged process, never one waiting out a Slack or Redis outage). /readyz: this process should
    get requests (the bot is known to Slack, Redis answers when configured, not draining).
    /healthz: a JSON summary for people, 503 only when the configured Redis is down."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._slack_ok: bool | None = None
        self._checked = 0.0
        self.socket_connected: bool | None = None
        self.last_beat = time.monotonic()
        self.loop_lag = 0.0

    async def beat(self) -> None:
        """Tick once a second, measuring how late the loop wakes us (its lag)."""
        self.last_beat = time.monotonic()  # start-up (a slow Slack) is not a stall
        while True:
            before = time.monotonic()
            await asyncio.sleep(HEARTBEAT_SECONDS)
            self.last_beat = time.monotonic()
            self.loop_lag = max(0.0, self.last_beat - before - HEARTBEAT_SECONDS)

    def live(self) -> tuple[int, dict[str, object]]:
        # Answering at all proves the loop runs; a beat missing for long means it was just stuck.
        stalled = time.monotonic() - self.last_beat > LIVENESS_STALL_SECONDS
        body = {"live": not stalled, "loop_lag_ms": round(self.loop_lag * 1000, 1)}
        return (503 if stalled else 200), body

    async def ready(self) -> tuple[bool, str]:
        """Whether to send this process requests, and if not, why."""
        if not self.bot.conversations.accepting:
            return False, "draining: shutting down"
        # Distributed mode has no token of its own: each installation's is looked up per request.
        if self.bot.identity is not None and self.bot.identity.result is None:
            return False, "Slack has not answered auth.test yet: the bot's identity is unknown"
        if self.socket_connected is False:
            return False, "not connected to Slack over Socket Mode"
        if self.bot.store.kind == "redis" and not await self.bot.store.ping():
            return False, "Redis does not answer (REDIS_URL)"
        if self.bot.installations is not None and not await self.bot.installations.ping():
            return False, "the installation database does not answer"
        return True, "ready"

    async def slack(self) -> bool:
        if self.socket_connected is not None:
            return self.socket_connected
        if self._slack_ok is None or time.monotonic() - self._checked > SLACK_CHECK_SECONDS:
            try:
                if self.bot.identity is None:  # distributed: no token of its own to test
                    await self.bot.client.api_test()
                else:
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
        slack_ok, redis_ok, (ready, reason) = await asyncio.gather(
            self.slack(), self.bot.store.ping(), self.ready()
        )
        body = {
            "status": "ok" if slack_ok and redis_ok else "degraded",
            "slack": "ok" if slack_ok else "down",
            "redis": ("ok" if redis_ok else "down") if self.bot.store.kind == "redis" else "memory",
            "ready": ready,
            "reason": reason,
            "in_flight": self.bot.conversations.in_flight,
            # Workers that word estimates; with none ready the bot words them itself (slower,
            # never down), so this does not change the status.
            "estimate_workers": self.bot.workers.ready,
            # Which genai-prices data prices tokens (bundled, or fetched with PRICES_AUTO_UPDATE).
            "token_prices": snapshot_status(),
            "chart_workers": self.bot.charts.ready if self.bot.charts is not None else 0,
        }
        if self.bot.conversations.queue is not None:  # the shared job queue, all replicas
            body["queue"] = await self.bot.conversations.queue.summary()
        # Slack being unreachable is not this process's fault, and a restart would not fix it:
        # only the Redis this process was told to use makes the summary fail.
        return (200 if redis_ok else 503), body


def settle_garbage_collector() -> None:
    """Freeze what start-up built and collect less often. CPython's collector walks every object
    of a generation each time it runs: the ~75,000 objects Bolt, slack_sdk, pydantic and the
    price tables leave behind live for good, and replies in flight keep young objects alive
    across awaits: with the defaults it ran about once every two commands; frozen and with a larger
    first generation, rarely (docs/architecture.md, "Performance idioms")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def web_app(bot: Bot, health: Health) -> web.Application:
    secret = bot.config.slack_signing_secret
    signing_secret = secret.get_secret_value() if secret else None

    async def slack_events(request: web.Request) -> web.Response:
        if not bot.conversations.accepting:
            return web.Response(status=503, text="shutting down")
        received = time.monotonic()
        body = await request.read()
        if _is_ssl_check(body):
            # Slack checks the certificate with a POST of ssl_check=1 and expects a 200.
            return web.Response(status=200)
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
                context={RECEIVED_AT: received},
            )
        except (ValueError, TypeError, AttributeError) as exc:
            bot.metrics.errors.labels(kind="bad_request").inc()
            log.warning("malformed Slack request: %s", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        try:
            bolt_response = await bot.app.async_dispatch(bolt_request)
            bolt_response = await late_acknowledgement(bolt_request, bolt_response)
        except Exception as exc:  # a payload shape Bolt could not handle: never a 5xx
            bot.metrics.errors.labels(kind="bad_request").inc()
            log.warning("could not dispatch a Slack request: %s", type(exc).__name__)
            return web.json_response({"error": "malformed request"}, status=400)
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        status, body = await health.report()
        return web.json_response(body, status=status)

    async def livez(request: web.Request) -> web.Response:
        status, body = health.live()
        return web.json_response(body, status=status)

    async def readyz(request: web.Request) -> web.Response:
        ready, reason = await health.ready()
        return web.json_response({"ready": ready, "reason": reason}, status=200 if ready else 503)

    async def metrics(request: web.Request) -> web.Response:
        payload, content_type = bot.metrics.render()
        return web.Response(body=payload, headers={"Content-Type": content_type})

    async def oauth(request: web.Request) -> web.Response:
        flow = bot.app.oauth_flow
        assert flow is not None
        bolt_request = AsyncBoltRequest(
            body="",
            query=request.query_string,
            headers=dict(request.headers),  # type: ignore[arg-type]
        )
        from bot.slack.installations import DatabaseUnavailable

        try:
            if request.path == flow.install_path:
                bolt_response = await flow.handle_installation(bolt_request)
            else:
                bolt_response = await flow.handle_callback(bolt_request)
        except DatabaseUnavailable as exc:
            log.warning("cannot install: the installation database is unavailable (%s)", exc)
            return web.Response(status=503, text=INSTALL_LATER, headers={"Retry-After": "60"})
        return await to_aiohttp_response(bolt_response)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    if bot.app.oauth_flow is not None:
        app.router.add_get(bot.app.oauth_flow.install_path, oauth)
        app.router.add_get(bot.app.oauth_flow.redirect_uri_path, oauth)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/livez", livez)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    limiter = PageLimiter(
        bot.store, bot.conversations.stored.local, bot.config.estimate_page_requests_per_minute
    )
    proxies = bot.config.proxies
    add_page_routes(app, bot.conversations.pages, bot.workers, bot.charts, limiter, proxies)
    return app


async def serve(bot: Bot, host: str = "0.0.0.0", sock: socket.socket | None = None) -> int:
    """Serve until SIGTERM/SIGINT, then stop taking requests, finish acknowledged replies
    (bounded by the grace period), close Redis and HTTP sessions. Returns the exit code; raises
    StartupError when the bot cannot start as configured (token refused, port taken). `sock`:
    the port already bound (`bound_port`), so a taken port was said before anything else."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    health = Health(bot)
    bot.client.session = web_api_session()
    # Before serving, so no request waits on auth.test. A Slack that cannot be reached is asked
    # again in the background (readiness says so meanwhile); a token it refuses stops the bot.
    # (Distributed mode has no token of its own to ask about.)
    if bot.identity is not None and not await bot.identity.fetch() and bot.identity.refused:
        await _release(bot)
        raise StartupError(_refused_line(bot.identity.refused), exit_code=1)
    if bot.installations is not None and not await _installations_ready(bot):
        return 2
    await bot.workers.start()
    if bot.conversations.queue is not None:
        await bot.conversations.queue.start()
    if bot.charts is not None:
        await bot.charts.start()
    settle_garbage_collector()
    runner = web.AppRunner(web_app(bot, health), access_log=None)
    await runner.setup()
    try:
        if sock is not None:
            await web.SockSite(runner, sock).start()
        else:
            await web.TCPSite(runner, host, bot.config.port).start()
    except OSError as exc:
        await runner.cleanup()
        await _release(bot)
        raise StartupError(_port_line(bot.config.port, exc), exit_code=2) from None
    exit_code = 0

    async def know_the_bot(identity: BotIdentity) -> None:
        nonlocal exit_code
        await identity.keep_asking()
        if identity.refused:
            log.error(_refused_line(identity.refused))
            exit_code = 1
            stop.set()

    background = [asyncio.create_task(health.beat())]
    if bot.identity is not None and bot.identity.result is None:
        background.append(asyncio.create_task(know_the_bot(bot.identity)))
    socket_handler = None
    if bot.config.socket_mode:
        socket_handler = await _connect_socket_mode(bot)
        if socket_handler is None:
            exit_code = 1
            stop.set()
        else:
            health.socket_connected = True
            log.info("connected to Slack over Socket Mode; health on :%s", bot.config.port)
    else:
        log.info("listening on :%s (POST /slack/events)", bot.config.port)
        if bot.installations is not None:
            log.info("any workspace can install the bot: GET /slack/install")
    await stop.wait()
    log.info("shutting down: finishing %d acknowledged replies", bot.conversations.in_flight)
    for task in background:
        task.cancel()
    if socket_handler is not None:
        await socket_handler.close_async()
    left = await bot.conversations.drain(bot.config.shutdown_grace_seconds)
    if left:
        log.warning("%d replies still running at the end of the grace period", left)
    await runner.cleanup()
    await _release(bot)
    log.info("stopped")
    return exit_code


def _refused_line(error: str) -> str:
    return (
        f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again, "
        "or reinstall the app to get a new one"
    )


def bound_port(port: int, host: str = "0.0.0.0") -> socket.socket:
    """The HTTP port, bound (not yet listening) before the bot is built, so a port in use is the
    operator's one line, ahead of any warning start-up would log; StartupError if it cannot be."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds its own
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StartupError(_port_line(port, exc), exit_code=2) from None
    return sock


def _port_line(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"PORT {port} is already in use: stop what listens there or set PORT to a free one"
    return f"PORT {port} cannot be opened ({exc.strerror or exc}): set PORT to another port"


async def _release(bot: Bot) -> None:
    """Close what start-up opened: estimate workers, Redis, the Web API session."""
    await bot.workers.close()
    if bot.charts is not None:
        await bot.charts.close()
    await bot.store.close()
    if bot.conversations.queue is not None:
        await bot.conversations.queue.close()
    if bot.installations is not None:
        await bot.installations.close()
    await _close_client(bot)


async def _connect_socket_mode(bot: Bot) -> Any:
    """The Socket Mode connection, or None (after one log line) when Slack refuses the app token.
    The token is tried once first: the Socket Mode client itself would retry a bad one forever."""
    from bot.slack.socket_mode import AcknowledgingSocketModeHandler

    assert bot.config.slack_app_token is not None
    app_token = bot.config.slack_app_token.get_secret_value()
    try:
        await bot.client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        log.error("Slack refused the Socket Mode connection (%s): check SLACK_APP_TOKEN", error)
        return None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        log.error("could not reach Slack for Socket Mode: %s", type(exc).__name__)
        return None
    handler = AcknowledgingSocketModeHandler(bot.app, app_token)
    await handler.connect_async()
    return handler


async def _installations_ready(bot: Bot) -> bool:
    """Create the installation tables (if new); False, after one line naming the setting,
    when the database cannot be reached."""
    from bot.slack.installations import DatabaseUnavailable

    assert bot.installations is not None
    try:
        await bot.installations.create_tables()
    except Exception as exc:  # drivers raise their own errors (OSError, asyncpg's, sqlite's)
        setting = (
            "INSTALLATION_DB_URL" if bot.config.installation_db_url else ("INSTALLATION_DB_PATH")
        )
        reason = str(exc) if isinstance(exc, DatabaseUnavailable) else _reason(exc)
        log.error("cannot open the installation database (%s): check %s", reason, setting)
        await bot.installations.close()
        await _close_client(bot)
        return False
    return True


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause or exc).__name__


def _is_ssl_check(body: bytes) -> bool:
    return body.startswith(b"ssl_check=1") or b"&ssl_check=1" in body


async def _close_client(bot: Bot) -> None:
    session = getattr(bot.client, "session", None)
    if session is not None and not session.closed:
        await session.close()
