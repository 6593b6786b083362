"""Assembly: the Slack Web API client, the Bolt app with its listeners, the state store."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import listeners
from bot.conversation import Conversations
from bot.metrics import Metrics
from bot.settings import Settings
from bot.state import ConversationStore, make_store

log = logging.getLogger(__name__)


@dataclass
class Bot:
    settings: Settings
    app: AsyncApp
    client: AsyncWebClient
    store: ConversationStore
    conversations: Conversations
    metrics: Metrics


class _SameTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client (holding that same token)
    takes precedence; nothing is wrong, so the notice is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client, retrying as Slack asks: after Retry-After on 429 (not on by default
    for the async client), with backoff on 5xx and dropped connections."""
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_bot(settings: Settings, store: ConversationStore | None = None) -> Bot:
    if store is None:
        store = make_store(settings.redis_url, settings.state_ttl_seconds)
    if store.kind == "memory":
        log.warning("REDIS_URL is not set: conversation state lives in this process only")
    metrics = Metrics()
    client = web_client(settings)
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    )
    bolt_logger = logging.getLogger("slack_bolt")
    bolt_logger.addFilter(_SameTokenNotice())
    app = AsyncApp(
        client=client,
        signing_secret=secret,
        # Socket Mode requests arrive over an authenticated websocket, not signed HTTP.
        request_verification_enabled=not settings.socket_mode,
        logger=bolt_logger,
    )
    conversations = Conversations(store, metrics)
    listeners.register(app, conversations)
    return Bot(settings, app, client, store, conversations, metrics)
