"""The process configuration from the environment (pydantic-settings): Slack credentials, stores,
ports, workers. Not a workspace's settings (bot/slack/workspace.py). A missing value stops the bot
with one line naming it."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.slack.client_address import TrustedProxies, parse_networks
from bot.slack.store.connect import parse_redis_url

SLACK_API_DEFAULT = "https://slack.com/api/"
WEEK_SECONDS = 7 * 24 * 3600
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
INSTALLATION_DB_SECONDS = 2.0  # inside Slack's 3 s for an acknowledgement
# Shared estimate pages: requests a minute per client address (bot/slack/ratelimit.py). A person
# opening a page makes two (the page and its chart), a download one more; behind a proxy every
# visitor shares its address unless TRUSTED_PROXIES names it, hence room for dozens of views a
# minute (docs/security.md).
PAGE_REQUESTS = 120


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it."""


class Config(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    # Single-workspace mode: the one workspace's bot token. Distributed mode (any workspace installs
    # it through "Add to Slack") takes the client ID and secret instead.
    slack_bot_token: SecretStr | None = Field(default=None, description="Bot token, xoxb-...")
    slack_client_id: str | None = Field(default=None, description="OAuth client ID")
    slack_client_secret: SecretStr | None = Field(default=None, description="OAuth client secret")
    # Installations: a SQLite file by default, or a PostgreSQL URL in production.
    installation_db_path: str = Field(
        default="aicost-installations.sqlite3", description="SQLite file of installations"
    )
    installation_db_url: str | None = Field(default=None, description="postgresql://...")
    # One installation-database operation (connect, wait for a pooled connection, query) gives up
    # after this long; within Slack's 3 s, so a hung database still gets the person an answer.
    installation_db_timeout_seconds: float = Field(default=INSTALLATION_DB_SECONDS, gt=0, le=60)
    # Fernet key that encrypts the stored tokens (Fernet.generate_key()).
    token_encryption_key: SecretStr | None = Field(
        default=None, description="Fernet key encrypting stored tokens (distributed mode)"
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret (required for HTTP mode)"
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token xapp-...: connects over Socket Mode"
    )
    slack_api_url: str = Field(default=SLACK_API_DEFAULT, description="Slack Web API base URL")
    redis_url: str | None = Field(
        default=None,
        description="redis://, redis+sentinel:// or redis+cluster://; unset: in-process state",
    )
    port: int = Field(default=3000, ge=1, le=65535, description="HTTP port (health too)")
    log_level: str = Field(default="INFO", description=", ".join(LOG_LEVELS))
    state_ttl_seconds: int = Field(
        default=WEEK_SECONDS, ge=60, description="how long a conversation is remembered"
    )
    # How long shutdown waits for replies already acknowledged.
    shutdown_grace_seconds: float = Field(
        default=10.0, ge=0, description="wait for acknowledged replies at shutdown"
    )
    # Processes that word estimates off the event loop (bot/slack/workers.py); 0: in-process; unset:
    # one where the machine has a core to spare.
    estimate_workers: int | None = Field(
        default=None, ge=0, le=8, description="0-8 processes; unset: one if a core is spare"
    )
    # The shared job queue (with REDIS_URL): a job another replica read and has not finished
    # for this long is taken over (its replica died); one delivered more often is dead-lettered.
    job_claim_idle_seconds: float = Field(
        default=30.0, ge=0.5, description="take over a job left idle this long"
    )
    job_max_deliveries: int = Field(
        default=3, ge=1, description="dead-letter a job delivered more often"
    )
    # The job queue as this many streams, each its own hash slot: on a Redis Cluster the work is
    # spread over the shards (a workspace's jobs always go to the same one). 1 on one Redis.
    job_stream_partitions: int = Field(
        default=1, ge=1, le=64, description="streams the job queue is spread over"
    )
    # After recording a job, wait for this many replicas to hold it (Redis WAIT) before the
    # acknowledgement: a failover then loses no acknowledged job, at one replication round trip
    # (on a cluster: the replicas of the primary holding the job's partition). An estimate's
    # conversation save (and a comparison's or break-even's thread) waits likewise, so its
    # thread is still answered after a failover.
    redis_wait_replicas: int = Field(
        default=0, ge=0, le=8, description="replicas that must hold a job before its ack"
    )
    # Web API calls answered 5xx or cut off are retried after this many seconds, doubling each
    # time, plus a random part up to twice it (slack_sdk's back-off and jitter at its default).
    slack_retry_backoff_seconds: float = Field(
        default=0.5, gt=0, le=30, description="first retry wait on a 5xx or dropped connection"
    )
    # A PNG chart in each estimate's thread, drawn by one low-priority chart worker process.
    charts: bool = Field(default=True, description="on/off: a PNG chart per estimate")
    # The chart worker starts when a chart is wanted and exits after this long without one
    # (matplotlib holds about 100 MB; starting again costs a second of CPU).
    chart_idle_seconds: float = Field(default=120.0, gt=0, le=86_400, description="seconds")
    # Shareable estimate pages (bot/slack/estimate_pages.py): the address people reach this
    # server at; unset, no estimate offers a link. Each link works this many days.
    public_url: str | None = Field(default=None, description="https://host people reach")
    estimate_link_days: int = Field(default=30, ge=1, le=365, description="days a link works")
    # Requests a minute to those pages per client (an IPv4 address, an IPv6 /64).
    estimate_page_requests_per_minute: int = Field(
        default=PAGE_REQUESTS, ge=1, le=100_000, description="per client address, 1-100000"
    )
    # The proxies in front of the bot (an ingress, a load balancer): a request from one of them
    # counts against the address it forwarded for (bot/slack/client_address.py), not its own.
    trusted_proxies: str | None = Field(
        default=None,
        description="IPs/CIDRs of proxies whose X-Forwarded-For counts; unset: none",
    )

    @field_validator("log_level")
    @classmethod
    def _a_known_log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level: use one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("slack_app_token")
    @classmethod
    def _a_token_of_its_kind(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        """A token pasted into the other setting (Slack shows both on the app's pages) is named
        at start, not met as an auth error later."""
        prefix, wanted = _TOKEN_WANTED[info.field_name or ""]
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"this is {_kind(value)}; {wanted}")
        return value

    @field_validator("redis_url")
    @classmethod
    def _a_redis_url(cls, value: str | None) -> str | None:
        # Checked here, with the parser redis-py uses, so a typo fails at start and not on the
        # first command.
        if not value:
            return None
        parse_redis_url(value)  # ValueError: one sentence naming what is wrong
        return value

    @field_validator("public_url")
    @classmethod
    def _a_public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError("not a web address; e.g. https://aicost.example.com")
        return value.rstrip("/")

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_blocks(cls, value: str | None) -> str | None:
        parse_networks(value or "")  # ValueError: one sentence naming the entry that is wrong
        return value or None

    @model_validator(mode="after")
    def _one_way_to_reach_slack(self) -> Config:
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            given, missing = (
                ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
                if self.slack_client_id
                else ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")
            )
            raise ValueError(f"{given} is set but {missing} is not")
        if self.distributed:
            if self.slack_bot_token is not None:
                raise ValueError(
                    "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep the token for one "
                    "workspace, or the client ID and secret for any workspace"
                )
            if self.slack_app_token is not None:
                raise ValueError(
                    "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID: installing from other "
                    "workspaces needs HTTP mode (unset SLACK_APP_TOKEN)"
                )
            if self.token_encryption_key is None:
                raise ValueError(
                    "TOKEN_ENCRYPTION_KEY is not set (needed with SLACK_CLIENT_ID to encrypt "
                    "stored tokens; see README)"
                )
            if not _is_fernet_key(self.token_encryption_key.get_secret_value()):
                raise ValueError(
                    "TOKEN_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes)"
                )
            if self.installation_db_url and not self.installation_db_url.startswith(
                ("postgresql", "postgres://", "sqlite")
            ):
                raise ValueError("INSTALLATION_DB_URL must start with postgresql:// or sqlite")
        elif self.slack_bot_token is None:
            raise ValueError(
                "SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to let "
                "any workspace install the bot): see README, 'Running the bot'."
            )
        return self

    @model_validator(mode="after")
    def _http_mode_needs_a_signing_secret(self) -> Config:
        if self.slack_app_token is None and not self.slack_signing_secret:
            raise ValueError("SLACK_SIGNING_SECRET is not set (needed unless SLACK_APP_TOKEN is)")
        if not self.slack_api_url.endswith("/"):
            self.slack_api_url += "/"
        return self

    @property
    def proxies(self) -> TrustedProxies:
        return TrustedProxies(parse_networks(self.trusted_proxies or ""))

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log's redaction (bot/log_redaction.py)."""
        secrets = (
            self.slack_bot_token,
            self.slack_client_secret,
            self.token_encryption_key,
            self.slack_signing_secret,
            self.slack_app_token,
        )
        values = [s.get_secret_value() for s in secrets if s is not None]
        password = urlsplit(self.installation_db_url or "").password
        return [*values, password] if password else values

    @property
    def distributed(self) -> bool:
        """Any workspace installs the bot through OAuth ("Add to Slack")."""
        return bool(self.slack_client_id and self.slack_client_secret)


# Per token setting checked: the prefix its tokens start with, and where to find one. (The bot
# token is checked by Slack at start: auth.test names a wrong one.)
_TOKEN_WANTED = {
    "slack_app_token": (
        "xapp-",
        "Socket Mode needs an app-level token, xapp-... (the app's Basic Information page, "
        "App-Level Tokens, with connections:write)",
    ),
}
_TOKEN_KINDS = {"xoxb": "a bot token", "xapp": "an app-level token", "xoxp": "a user token"}


def _kind(token: SecretStr) -> str:
    """Which kind of Slack token this is, from its prefix; never any of the secret part."""
    head = token.get_secret_value().split("-", 1)[0]
    return f"{_TOKEN_KINDS[head]} ({head}-...)" if head in _TOKEN_KINDS else "not a Slack token"


def _is_fernet_key(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except ValueError:
        return False
    return True


def load_config(**overrides: object) -> Config:
    """Config from the environment, or ConfigError naming what is missing or wrong."""
    try:
        return Config(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else ""
        if error["type"] == "missing":
            raise ConfigError(f"{name} is not set: see README, 'Running the bot'.") from None
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        raise ConfigError(f"{name + ': ' if name else ''}{message}") from None
