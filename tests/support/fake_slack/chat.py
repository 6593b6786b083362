"""chat.*: posting, ephemeral messages, updates and permalinks, kept per channel and ts."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from .base import ApiFamily, is_user_id
from .blockkit import (
    DATA_TABLE_REFUSED,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    block_problems,
    has_data_table,
)
from .records import APP_ID, BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, ApiError


class ChatApi(ApiFamily):
    """Messages as Slack keeps them: posted, updated in place, linked to."""

    METHODS: ClassVar[dict[str, str]] = {
        "chat.postMessage": "_chat_post_message",
        "chat.postEphemeral": "_chat_post_ephemeral",
        "chat.update": "_chat_update",
        "chat.getPermalink": "_chat_get_permalink",
    }

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Current state of every message posted via chat.postMessage (after chat.update)."""
        return list(self._messages.values())

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return self._messages.get((channel, ts))

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        self._check_message_content(args, "chat.postMessage")
        ts = self._next_ts()
        message = self._message(args, ts)
        self._messages[(channel, ts)] = {**message, "channel": channel}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self._writable_channel(args)
        if not args.get("user"):
            raise ApiError("user_not_in_channel")
        self._check_message_content(args, "chat.postEphemeral")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args)
        ts = str(args.get("ts") or "")
        if not ts:
            raise ApiError("message_not_found")
        existing = self._messages.get((channel, ts))
        if existing is None and self.strict_message_ts:
            raise ApiError("message_not_found")
        self._check_message_content(args, "chat.update")
        message = self._message(args, ts)
        message.pop("thread_ts", None)
        if existing is not None:
            # Keep thread placement; fields left out (e.g. blocks) are retained, as in Slack.
            message = {
                **existing,
                **message,
                "edited": {"user": BOT_USER_ID, "ts": self._next_ts()},
            }
            self._messages[(channel, ts)] = message
            message = {k: v for k, v in message.items() if k != "channel"}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": args.get("text", ""),
            "message": message,
        }

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel") or "")
        ts = str(args.get("message_ts") or "")
        state = self._channels.get(channel)
        if not channel or is_user_id(channel) or (state is not None and state.not_found):
            raise ApiError("channel_not_found")
        if not ts or (self.strict_message_ts and (channel, ts) not in self._messages):
            raise ApiError("message_not_found")
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _check_message_content(self, args: dict[str, Any], method: str) -> None:
        if not any(args.get(k) for k in ("text", "blocks", "attachments")):
            raise ApiError("no_text")
        if len(str(args.get("text") or "")) > MAX_MESSAGE_TEXT:
            raise ApiError("msg_too_long")
        if self.refuse_data_tables and has_data_table(args.get("blocks")):
            # Slack's decision, not the bot's fault: no violation recorded.
            self.refused_data_tables += 1
            raise ApiError("invalid_blocks", response_metadata={"messages": [DATA_TABLE_REFUSED]})
        if "blocks" in args and self.validate:
            problems = block_problems(args["blocks"], method, MAX_MESSAGE_BLOCKS)
            if self._invalid(problems):
                raise ApiError("invalid_blocks", response_metadata={"messages": problems})

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        return message

    def _next_ts(self) -> str:
        # Unique and increasing, shaped like Slack's "seconds.micros" message ids, and like
        # Slack's the time of posting (conversations.history's `oldest` filters on it).
        micros = max(int(time.time() * 1_000_000), self._last_micros + 100)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
