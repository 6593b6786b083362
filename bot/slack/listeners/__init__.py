"""Slack listeners, one module per payload kind; each exposes register(app, conversations)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.conversation import Conversations
from bot.slack.listeners import actions, commands, events, home, views


def register(app: AsyncApp, conversations: Conversations) -> None:
    # home first: it takes `/aicost settings` before the general /aicost listener.
    for module in (home, commands, views, actions, events):
        module.register(app, conversations)
