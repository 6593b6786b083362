"""conversations.*: a channel's description, its history and a thread's replies."""

from __future__ import annotations

from typing import Any, ClassVar

from .base import ApiFamily
from .records import TEAM_ID, ApiError, ChannelState


class ConversationsApi(ApiFamily):
    """Reads of the channels and threads the chat methods filled."""

    METHODS: ClassVar[dict[str, str]] = {
        "conversations.info": "_conversations_info",
        "conversations.history": "_conversations_history",
        "conversations.replies": "_conversations_replies",
    }

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        state = self._channels.get(channel, ChannelState())
        if not channel or state.not_found:
            raise ApiError("channel_not_found")
        private = channel.startswith("G")
        name = f"channel-{channel.lower()}"
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": name,
                "name_normalized": name,
                "is_channel": not private,
                "is_group": private,
                "is_im": False,
                "is_mpim": False,
                "is_private": private,
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": not state.not_in_channel,
                "created": 1700000000,
                "creator": "U1",
                "context_team_id": TEAM_ID,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            },
        }

    def _readable(self, message: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        # Metadata comes back only when asked for, as on Slack.
        shown = {k: v for k, v in message.items() if k != "channel"}
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            shown.pop("metadata", None)
        return shown

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel, newest first, after `oldest` (exclusive)."""
        channel = str(args.get("channel") or "")
        if not channel or self._channels.get(channel, ChannelState()).not_found:
            raise ApiError("channel_not_found")
        oldest = float(args.get("oldest") or 0)
        found = [
            self._readable(m, args)
            for (c, ts), m in self._messages.items()
            if c == channel and float(ts) > oldest and m.get("thread_ts", ts) == ts
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        limit = int(args.get("limit") or 100)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first."""
        channel = str(args.get("channel") or "")
        thread = str(args.get("ts") or "")
        if (channel, thread) not in self._messages:
            raise ApiError("thread_not_found")
        found = [
            self._readable(m, args)
            for (c, ts), m in self._messages.items()
            if c == channel and (ts == thread or m.get("thread_ts") == thread)
        ]
        found.sort(key=lambda m: float(m["ts"]))
        limit = int(args.get("limit") or 1000)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}
