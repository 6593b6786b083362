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
    # Bolt tries each listener in the order registered (each try runs its argument injection):
    # the commonest requests, slash commands and then message events, come first.
    # `/aicost settings` goes before the general /aicost listener, which would take any text.
    home.register_settings_command(app, conversations)
    for module in (commands, events, actions, views, home):
        module.register(app, conversations)
    lifecycle.register(app, conversations, installations)
