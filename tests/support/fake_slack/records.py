"""What the fake Slack knows and records: the test workspace, calls, posts, installs, files."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T1"
TEAM_DOMAIN = "aicost-test"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_NAME = "aicost"
APP_ID = "A0AICOST"
TEST_BOT_TOKEN = "xoxb-test-token"
TEST_APP_TOKEN = "xapp-1-test"
# An app-level token the fake refuses (invalid_auth), like a revoked one.
BAD_APP_TOKEN = "xapp-bad"
# Advertised in the x-oauth-scopes header, like Slack does; matches deploy/manifest.yml.
BOT_SCOPES = (
    "commands,chat:write,files:write,app_mentions:read,channels:history,groups:history,users:read,"
    "im:write,im:history,assistant:write,links:read,links:write"
)
# users.info flags that make a workspace admin or owner (see FakeSlack.make_admin).
ADMIN_ROLES = ("is_admin", "is_owner", "is_primary_owner")


@dataclass
class Call:
    """One Web API request as received, plus what the fake answered."""

    method: str
    args: dict[str, Any]
    # Header names are lower-cased so lookups don't depend on the client's spelling.
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] | None = None
    at: float = field(default_factory=time.perf_counter)  # when it arrived (benchmarks)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))


@dataclass
class ResponsePost:
    """One POST to a ``response_url`` handed out by :meth:`FakeSlack.response_url`."""

    name: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200


@dataclass
class Fault:
    """An answer queued for a method's next calls instead of doing it."""

    kind: str  # "error" | "ratelimit" | "server_error"
    remaining: int
    error: str = ""
    retry_after: int = 0
    status: int = 503


@dataclass
class Installed:
    """A workspace (or, org-wide, an organisation) that installed the app, and its bot."""

    team_id: str | None
    enterprise_id: str | None = None
    org_wide: bool = False
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    rotating: bool = False  # token rotation on: tokens expire and come with a refresh token
    expires_in: int = 43200  # seconds a rotating token lives (Slack's: 12 hours)


@dataclass
class UploadedFile:
    """A file shared by files.completeUploadExternal, with the bytes POSTed to its upload URL."""

    id: str
    filename: str
    title: str
    content: bytes
    channel: str
    thread_ts: str | None
    initial_comment: str
    alt_txt: str = ""
    at: float = field(default_factory=time.perf_counter)  # when it was shared (benchmarks)


@dataclass
class ChannelState:
    """What a channel refuses until cleared."""

    not_found: bool = False
    not_in_channel: bool = False


class ApiError(Exception):
    """Raised by a method handler: Slack's `{"ok": false, "error": ...}` answer."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def short(value: Any, limit: int = 240) -> str:
    """A value as one line of JSON, cut to `limit` characters (for assertion messages)."""
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."
