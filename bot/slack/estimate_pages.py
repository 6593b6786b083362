"""Shareable estimate pages: an unguessable link per estimate, what is kept for it (its scenario
and the workspace's prices, never what anyone typed), its expiry and its revocation.

A page is kept under its workspace's keys (bot/slack/store/keys.py, `page_keys`) for
ESTIMATE_LINK_DAYS, so `/aicost forget` and an uninstall delete it with the rest; its address
holds only its random ID. The page itself is drawn by bot/slack/page_routes.py.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from bot.slack.store.keys import PAGE_ID
from bot.slack.store.protocols import Store, StoreUnavailable
from estimator import PriceOverrides, Scenario

log = logging.getLogger(__name__)

PAGE_ID_BYTES = 16  # secrets.token_urlsafe(16): 128 random bits, 22 characters
DAY_SECONDS = 24 * 3600
RECORD_VERSION = 1


class PageState(StrEnum):
    active = "active"
    revoked = "revoked"


@dataclass(frozen=True)
class PageLink:
    """The link offered under an estimate."""

    page_id: str
    url: str
    expires_at: int  # Unix seconds


@dataclass(frozen=True)
class SharedEstimate:
    """A page as kept: whose it is, and what its estimate is computed from."""

    page_id: str
    team: str
    channel: str
    user: str  # who asked for the estimate (may revoke its link, as a workspace admin may)
    scenario: Scenario
    overrides: PriceOverrides | None  # the workspace's prices when the estimate was made
    created_at: int
    expires_at: int
    revoked_at: int | None = None

    @property
    def state(self) -> PageState:
        return PageState.revoked if self.revoked_at else PageState.active

    def record(self) -> dict[str, Any]:
        return {
            "v": RECORD_VERSION,
            "team": self.team,
            "channel": self.channel,
            "user": self.user,
            "scenario": json.loads(self.scenario.model_dump_json()),
            "prices": json.loads(self.overrides.model_dump_json()) if self.overrides else None,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }

    @classmethod
    def from_record(cls, page_id: str, record: dict[str, Any]) -> SharedEstimate:
        """ValueError (pydantic's, or a missing field) for a record that does not read."""
        prices = record.get("prices")
        return cls(
            page_id=page_id,
            team=str(record["team"]),
            channel=str(record["channel"]),
            user=str(record.get("user") or ""),
            scenario=Scenario.model_validate(record["scenario"]),
            overrides=PriceOverrides.model_validate(prices) if prices else None,
            created_at=int(record["created_at"]),
            expires_at=int(record["expires_at"]),
            revoked_at=int(record["revoked_at"]) if record.get("revoked_at") else None,
        )


class EstimatePages:
    """Creates, finds and revokes pages. Without PUBLIC_URL it is off: no link is offered."""

    def __init__(
        self,
        store: Store,
        public_url: str | None,
        days: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.public_url = public_url.rstrip("/") if public_url else None
        self.days = days
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return self.public_url is not None

    @property
    def ttl_seconds(self) -> int:
        return self.days * DAY_SECONDS

    def url(self, page_id: str) -> str:
        assert self.public_url is not None
        return f"{self.public_url}/e/{page_id}"

    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(PAGE_ID_BYTES)

    async def create(
        self,
        team: str,
        channel: str,
        user: str,
        scenario: Scenario,
        overrides: PriceOverrides | None,
        page_id: str | None = None,
    ) -> PageLink | None:
        """A page for this estimate, kept for ESTIMATE_LINK_DAYS; None (logged) when pages are
        off or the store cannot keep it: the estimate then goes out without a link."""
        if not self.enabled:
            return None
        now = int(self.clock())
        page = SharedEstimate(
            page_id=page_id or self.new_id(),
            team=team,
            channel=channel,
            user=user,
            scenario=scenario,
            overrides=overrides,
            created_at=now,
            expires_at=now + self.ttl_seconds,
        )
        try:
            await self.store.save_page(team, channel, page.page_id, page.record(), self.ttl_seconds)
        except StoreUnavailable:
            log.warning("estimate page not kept (storage unavailable): no link offered")
            return None
        except ValueError as exc:
            log.warning("estimate page not kept: %s", exc)
            return None
        return PageLink(page.page_id, self.url(page.page_id), page.expires_at)

    async def find(self, page_id: str) -> SharedEstimate | None:
        """The page, revoked or not; None when unknown, expired or forgotten. Raises
        StoreUnavailable when the store does not answer."""
        if not PAGE_ID.fullmatch(page_id):
            return None  # never reaches the store
        record = await self.store.load_page(page_id)
        if record is None:
            return None
        try:
            page = SharedEstimate.from_record(page_id, record)
        except (KeyError, TypeError, ValueError):
            log.warning("an estimate page's record does not read; treated as gone")
            return None
        return page if page.expires_at > self.clock() else None

    async def revoke(self, team: str, page_id: str) -> bool:
        """Whether the workspace had this page, now revoked (the caller checked who may).
        Raises StoreUnavailable."""
        if not PAGE_ID.fullmatch(page_id):
            return False
        return await self.store.revoke_page(team, page_id, int(self.clock())) is not None

    def page_id_in(self, url: str) -> str | None:
        """The page ID of one of our links (as Slack sends a pasted one), else None."""
        if self.public_url is None:
            return None
        ours, theirs = urlsplit(self.public_url), urlsplit(url)
        if (theirs.scheme, theirs.netloc.lower()) != (ours.scheme, ours.netloc.lower()):
            return None
        rest = theirs.path.removeprefix(ours.path.rstrip("/"))
        if not rest.startswith("/e/"):
            return None
        page_id = rest.removeprefix("/e/").strip("/")
        return page_id if PAGE_ID.fullmatch(page_id) else None
