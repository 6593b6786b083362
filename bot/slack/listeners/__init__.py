"""Slack listeners, one module per payload kind; each exposes register(app).

Listeners are module-level functions. What they need besides Slack's payload (`conversations`,
`home_tab`, `installations`) Bolt injects by name from the request's context, where one
middleware puts it, so a listener can be called with plain arguments in a test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.conversation import Conversations
from bot.slack.home_data import HomeTab
from bot.slack.listeners import (
    actions,
    assistant,
    commands,
    events,
    feedback,
    home,
    lifecycle,
    links,
    views,
)

if TYPE_CHECKING:  # SQLAlchemy loads only in distributed mode
    from bot.slack.installations import Installations


def register(
    app: AsyncApp, conversations: Conversations, installations: Installations | None = None
) -> None:
    app.middleware(
        _Provide(conversations, HomeTab(conversations.store, conversations.metrics), installations)
    )
    # Bolt tries each listener in the order registered (each try runs its argument injection):
    # the commonest requests, slash commands and then message events, come first.
    # `/aicost settings` goes before the general /aicost listener, which would take any text.
    home.register_settings_command(app)
    for module in (commands, events, actions, views, home, assistant, feedback, links, lifecycle):
        module.register(app)


class _Provide(AsyncMiddleware):
    """Puts what listeners need besides the payload into each request's context. A middleware
    object, not a function: Bolt calls a function through its argument injection, which works out
    by name what each parameter wants on every request (docs/architecture.md, "Performance
    idioms")."""

    def __init__(
        self, conversations: Conversations, home_tab: HomeTab, installations: Installations | None
    ) -> None:
        self.conversations = conversations
        self.home_tab = home_tab
        self.installations = installations

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        context = req.context
        context["conversations"] = self.conversations
        context["home_tab"] = self.home_tab
        context["installations"] = self.installations
        return await next()
