"""Settings from the environment (pydantic-settings). A missing one stops the bot with one line."""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
WEEK_SECONDS = 7 * 24 * 3600


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr = Field(description="Bot token, xoxb-...")
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Signing secret (required for HTTP mode)"
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token xapp-...: connects over Socket Mode"
    )
    slack_api_url: str = Field(default=SLACK_API_DEFAULT, description="Slack Web API base URL")
    redis_url: str | None = Field(default=None, description="Redis URL; unset: in-process state")
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: str = Field(default="INFO")
    state_ttl_seconds: int = Field(default=WEEK_SECONDS, ge=60)
    # How long shutdown waits for replies already acknowledged.
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    # Processes that word estimates off the event loop (bot/slack/workers.py); 0: in-process; unset:
    # one where the machine has a core to spare.
    estimate_workers: int | None = Field(default=None, ge=0, le=8)
    # The shared job queue (with REDIS_URL): a job another replica read and has not finished
    # for this long is taken over (its replica died); one delivered more often is dead-lettered.
    job_claim_idle_seconds: float = Field(default=30.0, ge=0.5)
    job_max_deliveries: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _http_mode_needs_a_signing_secret(self) -> Settings:
        if self.slack_app_token is None and not self.slack_signing_secret:
            raise ValueError("SLACK_SIGNING_SECRET is not set (needed unless SLACK_APP_TOKEN is)")
        if not self.slack_api_url.endswith("/"):
            self.slack_api_url += "/"
        return self

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, or SettingsError naming what is missing or wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else ""
        if error["type"] == "missing":
            raise SettingsError(f"{name} is not set: see README, 'Running the bot'.") from None
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        raise SettingsError(f"{name + ': ' if name else ''}{message}") from None
