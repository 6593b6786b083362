"""views.*: modals opened and updated, Home tabs published, each checked as Slack checks it."""

from __future__ import annotations

from typing import Any, ClassVar

from .base import ApiFamily
from .blockkit import view_problems
from .records import APP_ID, BOT_ID, TEAM_ID, ApiError


class ViewsApi(ApiFamily):
    """Views kept by id, with the hash Slack uses to refuse stale updates."""

    METHODS: ClassVar[dict[str, str]] = {
        "views.open": "_views_open",
        "views.update": "_views_update",
        "views.publish": "_views_publish",
    }

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            raise ApiError("invalid_arguments", response_metadata=_meta("trigger_id is required"))
        view = self._checked_view(args, "views.open", expected_type="modal")
        view_id = self._next_id("V")
        return {"ok": True, "view": self._store_view(view, view_id)}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise ApiError("invalid_arguments", response_metadata=_meta("view_id is required"))
        if not view_id:
            view_id = next(
                (vid for vid, v in self._views.items() if v.get("external_id") == external_id),
                None,
            )
            if view_id is None:
                raise ApiError("not_found")
        view = self._checked_view(args, "views.update")
        stored = self._views.get(view_id)
        # Slack rejects stale updates when the caller passes the hash it last saw.
        if stored is not None and args.get("hash") and args["hash"] != stored["hash"]:
            raise ApiError("hash_conflict")
        root = stored["root_view_id"] if stored else view_id
        return {"ok": True, "view": self._store_view(view, view_id, root_view_id=root)}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user_id"):
            raise ApiError("invalid_arguments", response_metadata=_meta("user_id is required"))
        view = self._checked_view(args, "views.publish", expected_type="home")
        view_id = self._next_id("V")
        return {"ok": True, "view": self._store_view(view, view_id)}

    def _checked_view(
        self, args: dict[str, Any], method: str, expected_type: str | None = None
    ) -> dict[str, Any]:
        view = args.get("view")
        problems = view_problems(view, method, expected_type)
        if self._invalid(problems):
            raise ApiError("invalid_blocks", response_metadata={"messages": problems})
        assert isinstance(view, dict)
        return view

    def _store_view(
        self, view: dict[str, Any], view_id: str, root_view_id: str | None = None
    ) -> dict[str, Any]:
        stored = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view.get("type"),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{1700000000 + next(self._id_counter)}.{view_id[-8:]}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": root_view_id or view_id,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = stored
        return stored


def _meta(message: str) -> dict[str, Any]:
    return {"messages": [f"[ERROR] {message}"]}
