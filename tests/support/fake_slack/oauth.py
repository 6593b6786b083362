"""oauth.v2.access: installs (a code for a token) and rotation (a refresh token for a new one)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from .base import ApiFamily
from .records import APP_ID, BOT_SCOPES, ApiError, Installed


class OAuthApi(ApiFamily):
    """Who each bot token belongs to, the codes awaiting exchange and the refresh tokens."""

    METHODS: ClassVar[dict[str, str]] = {
        "oauth.v2.access": "_oauth_v2_access",
    }

    def will_install(
        self,
        team_id: str | None,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
        rotating: bool = False,
        expires_in: int = 43200,
    ) -> str:
        """The code Slack hands the browser after an admin approves the install."""
        code = f"code-{uuid.uuid4().hex[:12]}"
        self._codes[code] = Installed(
            team_id, enterprise_id, org_wide, rotating=rotating, expires_in=expires_in
        )
        return code

    def token_of(self, team_or_enterprise: str) -> str:
        """The current bot token of a workspace (or organisation, org-wide)."""
        for token, installed in reversed(self.installs.items()):
            owner = installed.enterprise_id if installed.org_wide else installed.team_id
            if owner == team_or_enterprise and token not in self.revoked:
                return token
        raise KeyError(team_or_enterprise)

    def expire(self, token: str) -> None:
        """A rotating token past its expiry: Slack refuses it (token_expired)."""
        self.revoked.add(token)

    def _new_bot_token(self, installed: Installed) -> str:
        owner = installed.enterprise_id if installed.org_wide else installed.team_id
        secret = uuid.uuid4().hex[:16]
        token = f"xoxe.xoxb-1-{owner}-{secret}" if installed.rotating else f"xoxb-{owner}-{secret}"
        self.installs[token] = installed
        return token

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("grant_type") == "refresh_token":
            installed = self._refresh_tokens.pop(args.get("refresh_token", ""), None)
            if installed is None:
                raise ApiError("invalid_refresh_token")
        else:
            installed = self._codes.pop(args.get("code", ""), None)
            if installed is None:
                raise ApiError("invalid_code")
        token = self._new_bot_token(installed)
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "U1"},
            "scope": BOT_SCOPES,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": installed.bot_user_id,
            "team": None if installed.org_wide else {"id": installed.team_id, "name": "Team"},
            "enterprise": (
                {"id": installed.enterprise_id, "name": "Org"} if installed.enterprise_id else None
            ),
            "is_enterprise_install": installed.org_wide,
        }
        if installed.rotating:
            refresh = f"xoxe-1-{uuid.uuid4().hex[:20]}"
            self._refresh_tokens[refresh] = installed
            answer.update({"refresh_token": refresh, "expires_in": installed.expires_in})
        return answer
