"""users.info and auth.test: who a user is (and whether an admin), who the caller's token is."""

from __future__ import annotations

from typing import Any, ClassVar

from .base import ApiFamily
from .records import (
    ADMIN_ROLES,
    BOT_NAME,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    ApiError,
    Installed,
)


class UsersApi(ApiFamily):
    """People and the bot, as users.info and auth.test describe them."""

    METHODS: ClassVar[dict[str, str]] = {
        "auth.test": "_auth_test",
        "users.info": "_users_info",
    }

    def make_admin(self, user_id: str, role: str = "is_admin") -> None:
        """users.info reports the user as a workspace admin (or owner, primary owner)."""
        if role not in ADMIN_ROLES:
            raise ValueError(f"role must be one of {ADMIN_ROLES}")
        self._admin_roles[user_id] = role

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        installed = self.installs.get(self._caller_token, Installed(TEAM_ID))
        answer: dict[str, Any] = {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "aicost test",
            "user": BOT_NAME,
            "team_id": installed.team_id,
            "user_id": installed.bot_user_id,
            "bot_id": installed.bot_id,
            "is_enterprise_install": installed.org_wide,
        }
        if installed.enterprise_id:
            answer["enterprise_id"] = installed.enterprise_id
        return answer

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user") or "")
        if not user:
            raise ApiError("user_not_found")
        is_bot = user == BOT_USER_ID
        name = BOT_NAME if is_bot else f"user-{user.lower()}"
        role = self._admin_roles.get(user)
        # Slack sets is_admin for owners too; is_owner for primary owners too.
        flags = {
            "is_admin": role in ADMIN_ROLES,
            "is_owner": role in ("is_owner", "is_primary_owner"),
            "is_primary_owner": role == "is_primary_owner",
        }
        return {
            "ok": True,
            "user": {
                "id": user,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": name,
                "deleted": False,
                "is_bot": is_bot,
                **flags,
                "tz": "America/Los_Angeles",
                "tz_label": "Pacific Standard Time",
                "tz_offset": -28800,
                "profile": {"real_name": name, "display_name": name, "team": TEAM_ID},
            },
        }
