"""The app removed from a workspace: its installation and everything stored for it deleted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.slack.conversation import Conversations
from bot.slack.identity import workspace_of

if TYPE_CHECKING:  # SQLAlchemy loads only in distributed mode
    from bot.slack.installations import Installations

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


async def uninstalled(
    context: AsyncBoltContext,
    conversations: Conversations,
    installations: Installations | None,
) -> None:
    conversations.metrics.requests.labels(kind="app_uninstalled").inc()
    await _forget_workspace(context, conversations, installations)


async def tokens_revoked(
    event: dict[str, Any],
    context: AsyncBoltContext,
    conversations: Conversations,
    installations: Installations | None,
) -> None:
    # Only the bot's tokens let the app act in the workspace; a revoked user token (the
    # app asks for none) changes nothing.
    if not (event.get("tokens") or {}).get("bot"):
        return
    conversations.metrics.requests.labels(kind="tokens_revoked").inc()
    await _forget_workspace(context, conversations, installations)


async def _forget_workspace(
    context: AsyncBoltContext,
    conversations: Conversations,
    installations: Installations | None,
) -> None:
    workspace = workspace_of(context)
    org_wide = bool(context.is_enterprise_install)
    if installations is not None:
        await installations.delete(
            enterprise_id=context.enterprise_id,
            team_id=None if org_wide else context.team_id,
        )
    deleted = await conversations.forget_workspace(workspace)
    log.info("removed from workspace %s: %d stored keys deleted", workspace, deleted)
