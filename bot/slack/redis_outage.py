"""What an operator reads while Redis does not answer: one line naming REDIS_URL's address (never
its password), a reminder at most once a minute, and one line when it answers again.

Loops that poll Redis (the job reader, the claimer) fail every half second during an outage; a
line each time would bury the log and never say which Redis.

Each outage is remembered by wall-clock time too (`covers`): on a replicated Redis a primary
that went away may have taken the last writes before it with it (job_queue.py asks whether a
thread is one of those).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

REPEAT_SECONDS = 60.0
OUTAGES_KEPT = 16  # the latest outages remembered (start, end) by wall-clock time
# A primary that went away may not have passed on what it acknowledged in the moments before
# (asynchronous replication; with REDIS_WAIT_REPLICAS, what a replica was slower than WAIT's
# timeout to confirm): a thread whose estimate was posted this long before an outage began, or
# during it, may have lost its conversation with it.
LOST_BEFORE_SECONDS = 30.0


def address(url: str) -> str:
    """The URL without its user and password: redis://:secret@cache:6379/0 -> redis://cache:6379/0."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}{parts.path}"


class OutageLog:
    """Reports failures of one Redis for the loops of one process."""

    def __init__(
        self,
        url: str,
        repeat_seconds: float = REPEAT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        part: str = "",
    ) -> None:
        """`part`: the key whose shard is meant (a job partition's stream), when not all of it."""
        on = f", for {part}" if part else ""
        self.where = f"Redis at {address(url)} (REDIS_URL{on})"
        self.repeat_seconds = repeat_seconds
        self.clock = clock
        self.down_since: float | None = None
        self._said_at = 0.0
        self._unsaid = 0  # failures since the last line
        self._outages: deque[tuple[float, float | None]] = deque(maxlen=OUTAGES_KEPT)

    def failed(self, doing: str, exc: BaseException) -> None:
        """Redis did not answer while `doing` ("reading jobs")."""
        now = self.clock()
        why = type(exc).__name__
        if self.down_since is None:
            self.down_since, self._said_at, self._unsaid = now, now, 0
            self._outages.append((time.time(), None))
            log.warning(
                "%s does not answer (%s while %s); retrying, next report in %.0f s",
                self.where, why, doing, self.repeat_seconds,
            )  # fmt: skip
            return
        self._unsaid += 1
        if now - self._said_at >= self.repeat_seconds:
            log.warning(
                "%s still does not answer after %.0f s (%d failures since the last report, "
                "latest %s while %s)",
                self.where, now - self.down_since, self._unsaid, why, doing,
            )  # fmt: skip
            self._said_at, self._unsaid = now, 0

    def answered(self) -> None:
        """Redis answered: say so once if it had stopped."""
        if self.down_since is not None:
            log.warning("%s answers again after %.0f s", self.where, self.clock() - self.down_since)
            self.down_since = None
            self._outages.append((self._outages.pop()[0], time.time()))

    def covers(self, at: float, before: float) -> bool:
        """Whether wall-clock time `at` fell within an outage remembered, or the `before`
        seconds leading up to one."""
        return any(
            start - before <= at <= (end if end is not None else time.time())
            for start, end in self._outages
        )


def lost_with_a_primary(thread_ts: str | None, outages: Iterable[OutageLog]) -> bool:
    """Whether the thread whose estimate is `thread_ts` (Slack's ts: its time) was started
    within LOST_BEFORE_SECONDS before one of `outages`, or during it."""
    try:
        at = float(thread_ts or "")
    except ValueError:
        return False
    return any(outage.covers(at, LOST_BEFORE_SECONDS) for outage in outages)
