"""Assembly: the Slack Web API client, the Bolt app with its listeners, the state store."""

from __future__ import annotations

import logging
import random
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import limits, listeners
from bot.slack.authorize_cache import cached_authorize
from bot.slack.config import Config
from bot.slack.conversation import Conversations
from bot.slack.dispatch import MAX_CONCURRENT_REPLIES
from bot.slack.estimate_pages import EstimatePages
from bot.slack.identity import BotIdentity, OwnerFromButtons
from bot.slack.job import ClientFor, Job, JobDeferred
from bot.slack.job_queue import JobQueue
from bot.slack.messages.replies import DATABASE_DOWN
from bot.slack.metrics import Metrics
from bot.slack.store import make_store
from bot.slack.store.protocols import Store
from bot.slack.workers import Workers

if TYPE_CHECKING:  # SQLAlchemy loads only in distributed mode
    from bot.slack.installations import Installations

log = logging.getLogger(__name__)

# Nice 10 weighs 110 against the bot's 1024: on a contended core the event loop and the estimate
# worker get over 90% of it. At nice 19 (weight 15) a chart would get 1.5% of a contended core:
# its 0.25 s of drawing would take over 15 s, near the 30 s limit that kills a stuck worker.
CHART_NICENESS = 10


@dataclass
class Bot:
    config: Config
    app: AsyncApp
    client: AsyncWebClient
    store: Store
    conversations: Conversations
    metrics: Metrics
    identity: BotIdentity | None  # single-workspace mode: who the one bot token is
    workers: Workers
    installations: Installations | None = None  # distributed mode: every workspace's token
    charts: Workers | None = None  # the chart worker (CHARTS=on)


class _SameTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client and authorize hook (holding
    that same token) take precedence; nothing is wrong, so the notice is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("`token`" in message and ("unused" in message or "ignored" in message))


class _ServerErrorRetryHandler(AsyncRetryHandler):
    """Retries every 5xx with backoff: Slack's edge answers 502 and 504 in outages too, and the
    SDK's own handler retries only 500 and 503."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


class _ScaledJitter(Jitter):
    """Adds up to `span` seconds at random, so retries from many replicas spread out. slack_sdk's
    own adds up to one second whatever the back-off; with span = twice the base (0.5 s by
    default) the two are the same."""

    def __init__(self, span: float) -> None:
        self.span = span

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * self.span


async def _unhandled_error(
    error: Exception, request: AsyncBoltRequest, response: BoltResponse | None
) -> BoltResponse | None:
    """A payload Bolt or a listener could not handle (a shape Slack never sends): 400 and one log
    line, instead of Bolt's 500 with a traceback. The installation database down (its token
    could not be looked up): a command gets a sentence, anything else a 503 Slack retries."""
    if _database_unavailable(error):
        log.warning("the installation database is unavailable (%s)", error)
        if response is None:
            return None
        if isinstance(request.body, dict) and request.body.get("command"):
            return BoltResponse(status=200, body={"text": DATABASE_DOWN})
        return BoltResponse(status=503, body={"error": "installation database unavailable"})
    log.warning("could not handle a Slack request: %s", type(error).__name__)
    if response is None:  # raised after the acknowledgement, which has already been sent
        return None
    return BoltResponse(status=400, body={"error": "malformed request"})


def _database_unavailable(error: Exception) -> bool:
    # Only distributed mode loads the installations module (and SQLAlchemy with it).
    installations = sys.modules.get("bot.slack.installations")
    return installations is not None and isinstance(error, installations.DatabaseUnavailable)


def library_logger(name: str, config: Config) -> logging.Logger:
    """The logger handed to a Slack library, set to the bot's level. slack_sdk and Bolt test
    their logger's own level, not the effective one, before building a debug line; left unset
    (0) it passes, so every API call formatted its whole JSON payload only for the line to be
    dropped (docs/architecture.md, "Performance idioms"). With the level set, that happens at
    DEBUG only."""
    logger = logging.getLogger(name)
    logger.setLevel(config.log_level.upper())
    return logger


def web_client(config: Config) -> AsyncWebClient:
    """The Web API client, retrying as Slack asks: after Retry-After on 429 (not on by default
    for the async client), with backoff on 5xx and dropped connections
    (SLACK_RETRY_BACKOFF_SECONDS, then twice that)."""
    token = config.slack_bot_token
    base = config.slack_retry_backoff_seconds
    backoff = BackoffRetryIntervalCalculator(backoff_factor=base, jitter=_ScaledJitter(2 * base))
    return AsyncWebClient(
        # Distributed mode: no token here; Bolt hands each listener a client holding the token
        # of the installation the request came from.
        token=token.get_secret_value() if token else None,
        base_url=config.slack_api_url,
        timeout=10,
        logger=library_logger("slack_sdk.web", config),
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),  # waits Retry-After
            _ServerErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
            AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        ],
    )


def client_for_jobs(client: AsyncWebClient, installations: Installations | None) -> ClientFor:
    """The `client_for` hook: the Web API client a queued job answers with, on whichever replica
    takes it. One workspace: the shared client and its token. Any workspace: the job's
    installation's bot token (refreshed first if it rotates), on the shared HTTP session."""

    async def shared(job: Job) -> AsyncWebClient:
        return client

    if installations is None:
        return shared

    from bot.slack.installations import DatabaseUnavailable

    async def installed(job: Job) -> AsyncWebClient:
        try:
            token = await installations.token_for(job.team_id, job.enterprise_id)
        except DatabaseUnavailable as exc:  # passes: the job waits for the database
            raise JobDeferred(f"installation database unavailable ({exc})") from exc
        if token is None:  # uninstalled since the job was acknowledged
            raise NotInstalled(f"no installation for {job.team_id}")
        return AsyncWebClient(
            token=token,
            base_url=client.base_url,
            timeout=client.timeout,
            session=client.session,
            logger=client.logger,
            retry_handlers=client.retry_handlers,
        )

    return installed


class NotInstalled(LookupError):
    """A job's workspace no longer has the app installed: nobody to answer it as."""


def build_bot(config: Config, store: Store | None = None) -> Bot:
    if store is None:
        store = make_store(config.redis_url, config.state_ttl_seconds, config.redis_wait_replicas)
    if store.kind == "memory":
        log.warning("REDIS_URL is not set: conversation state lives in this process only")
    metrics = Metrics()
    client = web_client(config)
    secret = config.slack_signing_secret.get_secret_value() if config.slack_signing_secret else None
    bolt_logger = library_logger("slack_bolt", config)
    bolt_logger.addFilter(_SameTokenNotice())
    identity: BotIdentity | None = None
    installations: Installations | None = None
    if config.distributed:
        installations = _installations(config)
        assert config.slack_client_secret is not None
        # auth.test once per installation's token, not before every acknowledgement.
        authorize = cached_authorize(
            installations.store,
            config.slack_client_id,
            config.slack_client_secret.get_secret_value(),
            client,
            bolt_logger,
        )
        app = AsyncApp(
            client=client,
            signing_secret=secret,
            authorize=authorize,
            installation_store=installations.store,
            oauth_settings=_oauth_settings(config, installations),
            before_authorize=OwnerFromButtons(),
            logger=bolt_logger,
        )
    else:
        identity = BotIdentity(client)
        app = AsyncApp(
            client=client,
            authorize=identity.authorize,
            signing_secret=secret,
            # Socket Mode requests arrive over an authenticated websocket, not signed HTTP.
            request_verification_enabled=not config.socket_mode,
            before_authorize=OwnerFromButtons(),
            logger=bolt_logger,
        )
    app.error(_unhandled_error)
    workers = Workers(config.estimate_workers)
    charts = _chart_workers(config)
    webhook_logger = library_logger("slack_sdk.webhook", config)
    conversations = Conversations(
        store,
        metrics,
        workers,
        webhook_logger,
        client_for=client_for_jobs(client, installations),
        charts=charts,
        pages=EstimatePages(store, config.public_url, config.estimate_link_days),
    )
    if not config.public_url:
        log.info("PUBLIC_URL is not set: estimates are posted without a shareable link")
    if config.redis_url and store.kind == "redis":
        conversations.queue = JobQueue(
            config.redis_url,
            conversations.run_job,
            conversations.tell_lost,
            metrics,
            capacity=MAX_CONCURRENT_REPLIES,
            claim_idle_seconds=config.job_claim_idle_seconds,
            max_deliveries=config.job_max_deliveries,
            partitions=config.job_stream_partitions,
            wait_replicas=config.redis_wait_replicas,
        )
    listeners.register(app, conversations, installations)
    return Bot(
        config,
        app,
        client,
        store,
        conversations,
        metrics,
        identity,
        workers,
        installations,
        charts,
    )


def _chart_workers(config: Config) -> Workers | None:
    """One chart worker at a low CPU priority (CHART_NICENESS): a chart takes what the event
    loop and the estimate worker leave of a core. It runs only while charts are wanted."""
    if not config.charts:
        return None
    return Workers(
        1,
        module="bot.slack.chart_worker",
        nice=CHART_NICENESS,
        answer_seconds=limits.CHART_SECONDS,
        idle_seconds=config.chart_idle_seconds,
    )


def _installations(config: Config) -> Installations:
    from bot.slack.installations import make_installations

    assert config.slack_client_id and config.slack_client_secret
    assert config.token_encryption_key is not None
    return make_installations(
        client_id=config.slack_client_id,
        client_secret=config.slack_client_secret.get_secret_value(),
        encryption_key=config.token_encryption_key.get_secret_value(),
        db_path=config.installation_db_path,
        db_url=config.installation_db_url,
        api_url=config.slack_api_url,
        seconds=config.installation_db_timeout_seconds,
    )


def _oauth_settings(config: Config, installations: Installations) -> AsyncOAuthSettings:
    from bot.slack.installations import BOT_SCOPES, ROTATION_MARGIN_MINUTES

    """Bolt's OAuth flow: /slack/install shows "Add to Slack", /slack/oauth_redirect keeps the
    installation. Tokens that rotate are refreshed by Bolt's authorize before they expire."""
    assert config.slack_client_secret is not None
    return AsyncOAuthSettings(
        client_id=config.slack_client_id,
        client_secret=config.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=installations.store,
        state_store=installations.states,
        token_rotation_expiration_minutes=ROTATION_MARGIN_MINUTES,
        # Slack's authorize page; the API URL's host in tests (the fake Slack).
        authorization_url=_authorization_url(config.slack_api_url),
    )


def _authorization_url(api_url: str) -> str:
    """https://slack.com/oauth/v2/authorize for the real API URL; the same path on its host."""
    root = api_url.removesuffix("/").removesuffix("/api")
    return f"{root}/oauth/v2/authorize"
