"""Home against Slack: publish the Home view from stored data, open the settings modal (or say
why not), check who may change the workspace's settings, save them.

Who may change settings: workspace admins and owners (users.info: is_admin, is_owner,
is_primary_owner) and the people they list; everyone sees them. A view_submission is checked again
on arrival, so a forged or stale submission from anyone else changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import limits
from bot.slack.blockkit import mrkdwn, section_of
from bot.slack.home_view import home_view
from bot.slack.metrics import Metrics
from bot.slack.store.protocols import StoreUnavailable, WorkspaceStore
from bot.slack.workspace import WorkspaceSettings
from bot.slack.workspace_settings_form import settings_view
from estimator.overrides import PriceOverrides

log = logging.getLogger(__name__)

NOT_ALLOWED = (
    "Only workspace admins and owners, or people they allow in these settings, can change them. "
    "Everyone can see them on aicost's Home tab."
)
CANNOT_CHECK = "I couldn't check with Slack who may change settings. Try again in a minute."
STORE_DOWN = "I can't reach my storage just now, so nothing was saved. Try again in a minute."


class HomeTab:
    def __init__(self, store: WorkspaceStore, metrics: Metrics) -> None:
        self.store = store
        self.metrics = metrics

    # -- reading --------------------------------------------------------------------------------

    async def settings(self, team: str) -> WorkspaceSettings:
        """The workspace's settings; the defaults when none are saved or storage is down."""
        try:
            return WorkspaceSettings.load(await self.store.load_settings(team))
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            return WorkspaceSettings()
        except ValueError:
            log.warning("unexpected team id; showing default settings")
            return WorkspaceSettings()

    async def _recent(self, team: str) -> list[dict[str, Any]]:
        try:
            return await self.store.recent_estimates(team)
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            return []
        except ValueError:
            return []

    async def is_admin(self, client: AsyncWebClient, user: str) -> bool | None:
        """Workspace admin or owner, as Slack says (users.info); None when Slack can't say."""
        try:
            async with asyncio.timeout(limits.USERS_INFO_SECONDS):
                response = await client.users_info(user=user)
        except SlackApiError as exc:
            log.warning("users.info failed: %s", exc.response.get("error", "error"))
            return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("users.info failed: %s", type(exc).__name__)
            return None
        profile = response.get("user") or {}
        return any(bool(profile.get(flag)) for flag in ("is_admin", "is_owner", "is_primary_owner"))

    async def may_change(
        self, client: AsyncWebClient, user: str, settings: WorkspaceSettings
    ) -> tuple[bool, bool, str]:
        """(may change settings, may choose who else may, why not when not)."""
        admin = await self.is_admin(client, user)
        if user in settings.editors:
            return True, bool(admin), ""
        if admin is None:
            return False, False, CANNOT_CHECK
        return admin, admin, "" if admin else NOT_ALLOWED

    # -- Home -----------------------------------------------------------------------------------

    async def publish(self, client: AsyncWebClient, team: str, user: str) -> None:
        """Draw this person's Home tab from stored data."""
        recent, settings = await asyncio.gather(self._recent(team), self.settings(team))
        recent = recent[: limits.HOME_RECENT_ESTIMATES]
        links = await _permalinks(client, recent)
        await client.views_publish(user_id=user, view=home_view(recent, links, settings))

    # -- settings -------------------------------------------------------------------------------

    async def open_settings(
        self, client: AsyncWebClient, team: str, user: str, trigger_id: str | None
    ) -> None:
        if not trigger_id:
            return
        settings = await self.settings(team)
        allowed, admin, why = await self.may_change(client, user, settings)
        view = settings_view(settings, admin) if allowed else _notice_view(why)
        await client.views_open(trigger_id=trigger_id, view=view)

    async def save(
        self,
        team: str,
        user: str,
        overrides: PriceOverrides,
        editors: tuple[str, ...],
    ) -> str | None:
        """Store the new settings; None when saved, else the sentence to show the person."""
        settings = WorkspaceSettings(
            overrides=overrides, editors=editors, updated_by=user, updated_at=int(time.time())
        )
        try:
            await self.store.save_settings(team, settings.dump())
        except StoreUnavailable:
            self.metrics.redis_errors.inc()
            return STORE_DOWN
        except ValueError:
            log.warning("could not save settings for an unexpected team id")
            return STORE_DOWN
        log.info("workspace settings changed")
        return None


def _notice_view(text: str) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Workspace settings"[: limits.MODAL_TITLE]},
        "close": {"type": "plain_text", "text": "OK"},
        "blocks": [section_of(mrkdwn(text, verbatim=False))],
    }


async def _permalinks(client: AsyncWebClient, recent: list[dict[str, Any]]) -> dict[str, str]:
    """ts -> permalink for the estimates Slack answers for in time; the rest show unlinked."""
    slots = asyncio.Semaphore(limits.PERMALINK_LOOKUPS_AT_ONCE)
    links: dict[str, str] = {}

    async def lookup(channel: str, ts: str) -> None:
        async with slots:
            try:
                response = await client.chat_getPermalink(channel=channel, message_ts=ts)
            except SlackApiError as exc:  # deleted, archived, or a channel we left
                log.info("no permalink: %s", exc.response.get("error", "error"))
                return
            except aiohttp.ClientError as exc:
                log.info("no permalink: %s", type(exc).__name__)
                return
            link = response.get("permalink")
            if isinstance(link, str):
                links[ts] = link

    lookups = [
        lookup(entry["channel"], entry["ts"])
        for entry in recent
        if isinstance(entry.get("channel"), str) and isinstance(entry.get("ts"), str)
    ]
    if lookups:
        try:
            async with asyncio.timeout(limits.PERMALINK_TIMEOUT_SECONDS):
                await asyncio.gather(*lookups)
        except TimeoutError:
            log.info("published Home with %d of %d links", len(links), len(lookups))
    return links
