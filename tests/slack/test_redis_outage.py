"""The Redis outage line an operator reads: the address without its password, said once, then
at most once a minute, then when Redis answers again (a clock passed in: no waiting)."""

import time

from bot.slack.redis_outage import LOST_BEFORE_SECONDS, OutageLog, address, lost_with_a_primary


def test_redis_address_drops_the_password():
    assert address("redis://:s3cret@cache.internal:6380/2") == "redis://cache.internal:6380/2"
    assert address("rediss://user:s3cret@cache:6379") == "rediss://cache:6379"
    assert address("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_outage_is_said_once_then_at_most_once_a_minute_then_when_it_ends(caplog):
    now = [0.0]
    outage = OutageLog("redis://:s3cret@cache:6379/0", clock=lambda: now[0])
    caplog.set_level("WARNING", logger="bot.slack.redis_outage")
    for _ in range(120):  # a minute of failures, twice a second
        outage.failed("reading jobs", ConnectionError("refused"))
        now[0] += 0.5
    outage.failed("reading jobs", ConnectionError("refused"))
    outage.answered()
    outage.answered()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert lines[0].startswith("Redis at redis://cache:6379/0 (REDIS_URL) does not answer")
    assert "still does not answer after 60 s (120 failures" in lines[1]
    assert "answers again" in lines[2]
    assert all("s3cret" not in line for line in lines)


def test_a_thread_started_just_before_an_outage_or_during_it_may_have_been_lost():
    outage = OutageLog("redis+sentinel://127.0.0.1:26379/aicost/0")
    began = time.time()
    outage.failed("reading jobs", ConnectionError("reset"))
    assert lost_with_a_primary(f"{began - 1:.6f}", [outage])  # still down: up to now
    outage.answered()
    ended = time.time()
    assert lost_with_a_primary(f"{began - LOST_BEFORE_SECONDS + 1:.6f}", [outage])
    assert lost_with_a_primary(f"{began:.6f}", [outage])  # during it
    # Long before, or after Redis answered again: saved on the primary that answers now.
    assert not lost_with_a_primary(f"{began - LOST_BEFORE_SECONDS - 5:.6f}", [outage])
    assert not lost_with_a_primary(f"{ended + 5:.6f}", [outage])
    assert not lost_with_a_primary("not-a-ts", [outage])
    assert not lost_with_a_primary(f"{began:.6f}", [OutageLog("redis://cache:6379/0")])
