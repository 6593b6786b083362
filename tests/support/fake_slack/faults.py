"""Fault injection: errors, 429s, 5xx, slow answers and refusing channels, on demand."""

from __future__ import annotations

from collections import deque

from .base import ApiFamily
from .records import ChannelState, Fault


class Faults(ApiFamily):
    """Answers queued in place of a method's next calls, and channels that refuse writes."""

    def fail_next(self, method: str, error: str = "not_in_channel", times: int = 1) -> None:
        """Next ``times`` calls to ``method`` answer HTTP 200 ``{"ok": false, "error": error}``.

        ``method`` may be ``"*"`` (any method) or ``"response_url"`` (answers 404 ``error``).
        """
        self._add_fault(method, Fault("error", times, error=error))

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Next ``times`` calls answer HTTP 429 with ``Retry-After`` and ``ratelimited``."""
        self._add_fault(method, Fault("ratelimit", times, retry_after=retry_after))

    def server_error_next(self, method: str, status: int = 503, times: int = 1) -> None:
        """Next ``times`` calls answer ``status`` with an HTML body, like Slack's edge does."""
        self._add_fault(method, Fault("server_error", times, status=status))

    def channel_not_found(self, channel_id: str) -> None:
        """All chat.* writes to (and conversations.info of) the channel fail until cleared."""
        self._channels.setdefault(channel_id, ChannelState()).not_found = True

    def not_in_channel(self, channel_id: str) -> None:
        """All chat.* writes to the channel fail with not_in_channel until cleared."""
        self._channels.setdefault(channel_id, ChannelState()).not_in_channel = True

    def slow_down(self, method: str, seconds: float) -> None:
        """Answer `method` `seconds` late (after doing it); 0 restores prompt answers."""
        self._delays[method] = seconds

    def clear_faults(self) -> None:
        """Drop every fault injected and not yet used."""
        self._faults.clear()

    def clear_channel(self, channel_id: str) -> None:
        self._channels.pop(channel_id, None)

    def _add_fault(self, key: str, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("times must be >= 1")
        self._faults.setdefault(key, deque()).append(fault)

    def _take_fault(self, key: str) -> Fault | None:
        # Faults fire in the order they were queued; a specific method wins over "*".
        for k in (key, "*"):
            queue = self._faults.get(k)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.popleft()
                return fault
        return None
