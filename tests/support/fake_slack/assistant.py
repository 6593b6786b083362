"""assistant.threads.*: an agent app's suggested prompts, a thread's title and loading status,
checked as Slack's docs describe them (assistant:write; up to four prompts, each a title and
message; for an agent app, prompts set on the DM's channel without a thread_ts, or on a chat
Slack started, the thread_ts of its assistant_thread_started). Every call is recorded (calls)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from .base import ApiFamily
from .records import ApiError

MAX_PROMPTS = 4


class AssistantApi(ApiFamily):
    METHODS: ClassVar[dict[str, str]] = {
        "assistant.threads.setSuggestedPrompts": "_set_suggested_prompts",
        "assistant.threads.setStatus": "_set_status",
        "assistant.threads.setTitle": "_set_title",
    }

    def start_chat(self, channel: str, thread_ts: str) -> None:
        """A person started a new chat in the Messages tab: Slack made its root message (subtype
        assistant_app_thread) and sends assistant_thread_started naming it."""
        self.assistant_threads.add((channel, thread_ts))
        self._messages[(channel, thread_ts)] = {
            "type": "message",
            "subtype": "assistant_app_thread",
            "text": "New chat",
            "ts": thread_ts,
            "thread_ts": thread_ts,
            "channel": channel,
        }

    def chat_titles(self, channel: str, thread_ts: str) -> list[str]:
        """The titles set on a thread, in order."""
        return [
            str(c.args.get("title"))
            for c in self.calls_to("assistant.threads.setTitle")
            if c.ok and c.args.get("channel_id") == channel and c.args.get("thread_ts") == thread_ts
        ]

    def _assistant_scope(self) -> None:
        if "assistant:write" not in self.scopes:
            raise ApiError(
                "missing_scope", needed="assistant:write", provided=",".join(self.scopes)
            )

    def _set_suggested_prompts(self, args: dict[str, Any]) -> dict[str, Any]:
        self._assistant_scope()
        channel = str(args.get("channel_id") or "")
        if not channel.startswith("D"):
            raise ApiError("channel_not_found")
        thread_ts = str(args.get("thread_ts") or "")
        if thread_ts and (channel, thread_ts) not in self.assistant_threads:
            # Slack drops such a call for an agent app silently; here it is a test failure.
            self.violations.append("setSuggestedPrompts: thread_ts names no chat Slack started")
        raw = args.get("prompts")
        prompts = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(prompts, list) or not 1 <= len(prompts) <= MAX_PROMPTS:
            raise ApiError("invalid_arguments")
        for prompt in prompts:
            if not isinstance(prompt, dict) or not prompt.get("title") or not prompt.get("message"):
                raise ApiError("invalid_arguments")
        return {"ok": True}

    def _set_status(self, args: dict[str, Any]) -> dict[str, Any]:
        self._assistant_scope()
        channel, thread_ts = str(args.get("channel_id") or ""), str(args.get("thread_ts") or "")
        if not channel.startswith("D"):
            raise ApiError("channel_not_found")
        if not thread_ts:
            raise ApiError("invalid_thread_ts")
        if "status" not in args:
            raise ApiError("invalid_arguments")
        return {"ok": True}

    def _set_title(self, args: dict[str, Any]) -> dict[str, Any]:
        self._assistant_scope()
        channel, thread_ts = str(args.get("channel_id") or ""), str(args.get("thread_ts") or "")
        if not channel.startswith("D"):
            raise ApiError("channel_not_found")
        if not thread_ts:
            raise ApiError("invalid_thread_ts")
        title = args.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ApiError("invalid_arguments")
        return {"ok": True}
