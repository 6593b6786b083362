"""The Redis outage line an operator reads: the address without its password, said once, then
at most once a minute, then when Redis answers again (a clock passed in: no waiting)."""

from bot.slack.redis_outage import OutageLog, address


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
