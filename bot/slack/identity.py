"""Who the bot is (auth.test), asked of Slack once at start-up and kept; whose workspace a
request belongs to.

Left to itself, Bolt asks on the first request, inside that request's 3-second window: if Slack
is slow or failing at that moment, the acknowledgement is late and the user is told to reinstall
the app. Here the answer is fetched before requests are served and reused for every request.
A token Slack refuses outright is remembered in `refused`: retrying it cannot help, so the server
stops with that error; any other failure (Slack unreachable, 5xx) is retried in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.button_value import read_button_value

log = logging.getLogger(__name__)

LOOKUP_SECONDS = 1.0  # how long a request may wait for a lookup that start-up could not make
# auth.test errors that mean the token itself is dead (Slack's docs for auth.test): no retry helps.
TOKEN_REFUSED = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})
RETRY_DELAYS = (1, 2, 4, 8, 15, 30)  # seconds between background lookups; the last repeats


class BotIdentity:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.result: AuthorizeResult | None = None
        self.refused: str | None = None  # Slack's error when it refused the token
        self._lock = asyncio.Lock()

    async def fetch(self) -> bool:
        """Ask Slack (auth.test, with the client's retries); True once known."""
        async with self._lock:
            if self.result is not None:
                return True
            try:
                response = await self.client.auth_test()
            except SlackApiError as exc:
                error = str(exc.response.get("error", ""))
                if error in TOKEN_REFUSED:
                    self.refused = error  # the server says so, in one line, and stops
                else:
                    log.warning("Slack did not say who the bot is: %s", error or "error")
                return False
            except Exception as exc:  # any Slack or network failure: try again later
                log.warning("could not ask Slack who the bot is: %s", type(exc).__name__)
                return False
            self.result = AuthorizeResult.from_auth_test_response(
                auth_test_response=response, bot_token=self.client.token
            )
            return True

    async def keep_asking(self) -> None:
        """Retry until Slack answers (or refuses the token), backing off to every 30 s."""
        attempt = 0
        while not await self.fetch() and self.refused is None:
            await asyncio.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
            attempt += 1
        if self.result is not None:
            log.info("Slack answered: the bot is known")

    @property
    def authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt's authorize hook (a plain function: Bolt passes arguments by parameter name)."""

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            # The kept answer; while Slack has not answered yet, the token alone: the bot still
            # acknowledges and answers, it just can't recognise its own ID.
            if self.result is None:
                try:
                    async with asyncio.timeout(LOOKUP_SECONDS):
                        await self.fetch()
                except TimeoutError:
                    pass
            return self.result or AuthorizeResult(
                enterprise_id=enterprise_id, team_id=team_id, bot_token=self.client.token
            )

        return authorize


def workspace_of(context: AsyncBoltContext) -> str:
    """Whose conversation this is: the installation's organisation for an org-wide install,
    else its workspace, as Bolt reads them (for events, the `authorizations` entry, i.e. the
    installing side of a channel shared with another organisation). An org-wide install's
    buttons carry no team at all, so the organisation is the only stable owner."""
    if context.is_enterprise_install and context.enterprise_id:
        return context.enterprise_id
    return context.team_id or context.enterprise_id or ""


def installation_of(context: AsyncBoltContext) -> dict[str, Any]:
    """The fields a queued job keeps so any replica answers for the same installation: the
    owner (see workspace_of), its organisation, and whether the install is org-wide."""
    return {
        "team_id": workspace_of(context),
        "enterprise_id": context.enterprise_id,
        "is_enterprise_install": bool(context.is_enterprise_install),
    }


async def owner_from_buttons(
    body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]
) -> Any:
    """Before authorization: a click on an estimate's button belongs to the installation that
    posted the estimate, which its buttons name (the value Slack sends back is the one the bot
    posted, in a signed request). A person of the other organisation in a shared channel sends
    their own workspace as `team`; without this, an installation they never made would be
    looked up, and a different conversation."""
    if body.get("type") == "block_actions":
        for action in body.get("actions") or []:
            stamp = read_button_value(str(action.get("value") or ""))
            if stamp is None:
                continue
            if stamp.org_wide:
                context["enterprise_id"] = stamp.owner
                context["is_enterprise_install"] = True
            else:
                context["team_id"] = stamp.owner
                context["enterprise_id"] = stamp.enterprise
                context["is_enterprise_install"] = False
            break
    return await next()


class OwnerFromButtons(AsyncMiddleware):
    """`owner_from_buttons` as the middleware Bolt runs before authorization on every request.
    Handed a plain function, Bolt would call it through its argument injection, which works out
    by name what each parameter wants on every call (docs/architecture.md, "Performance
    idioms"); a middleware object is called with the request as it is."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        return await owner_from_buttons(req.body, req.context, next)
