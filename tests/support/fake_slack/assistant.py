"""assistant.threads.*: an agent app's suggested prompts and a thread's loading status, checked
as Slack's docs describe them (assistant:write; up to four prompts, each a title and message;
for an agent app, prompts set on the DM's channel without a thread_ts)."""

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
    }

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
        if args.get("thread_ts"):
            # Slack drops such a call for an agent app silently; here it is a test failure.
            self.violations.append("setSuggestedPrompts: thread_ts is for legacy assistant apps")
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
