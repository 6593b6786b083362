"""Slack listeners, one module per payload kind; each exposes register(app, conversations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.conversation import Conversations
from bot.slack.listeners import actions, commands, events, home, lifecycle, views

if TYPE_CHECKING:  # SQLAlchemy loads only in distributed mode
    from bot.slack.installations import Installations


def register(
    app: AsyncApp, conversations: Conversations, installations: Installations | None = None
) -> None:
    # home first: it takes `/aicost settings` before the general /aicost listener.
    for module in (home, commands, views, actions, events):
        module.register(app, conversations)
    lifecycle.register(app, conversations, installations)
