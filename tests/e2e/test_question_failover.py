"""A comparison's thread that the promoted primary of a Redis with failover never had (a save
the old primary acknowledged but had not passed on; docs/reliability.md, "Known gaps") is
answered from the question the comparison's message carries in its metadata, once, and kept
again. Signed requests as Slack sends them, the bot in this process with its durable queue, the
fake Slack, a real primary, replica and three sentinels (tests/support/redis_topology.py)."""

from __future__ import annotations

import asyncio
import time

import redis

from bot.slack.store.keys import channel_keys
from tests.slack.test_question_threads import COMPARE, _asked, _reply
from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, new_team, next_thread_reply, posts, text_of
from tests.support.redis_topology import SentinelSet


async def test_a_comparison_thread_the_promoted_primary_never_had_is_answered_and_kept() -> None:
    """Its key taken off the new primary after a failover, as if never replicated: the reply is
    not stray talk (the comparison was posted just before the outage), so it is answered once
    from the message's metadata and the thread kept again. A reply under a message that is not
    the bot's still gets nothing."""
    team, channel = new_team(), channel_id()
    with SentinelSet() as sentinels:
        async with (
            FakeSlack() as slack,
            bot_in_process(slack, sentinels.url) as bot,
        ):
            ts = await _asked(bot, slack, team, channel, COMPARE)
            key = channel_keys(team, channel).thread(ts)
            await _on_replica(sentinels.replica_port, key)  # there to take off, not lost by chance
            # In a thread: the queue's reader sees the outage while the sentinels promote.
            await asyncio.to_thread(sentinels.wait_for_new_primary, sentinels.kill_primary())
            promoted = redis.Redis(port=sentinels.primary(), decode_responses=True)
            try:
                assert promoted.delete(key) == 1
                stray = f"{time.time() - 5:.6f}"  # someone's message the bot never posted
                assert await _reply(bot, team, channel, stray, "what if 100k users?") == 200
                again = await next_thread_reply(
                    slack, ts, _reply(bot, team, channel, ts, "what if 100k users?"), timeout=30
                )
                await bot.settle(seconds=30)
                kept = promoted.get(key)
            finally:
                promoted.close()
    assert "100,000 users" in text_of(again.args["blocks"])
    assert len(posts(slack, channel, ts)) == 1  # answered once
    assert kept is not None and "100000" in kept  # kept again, with the change
    assert posts(slack, channel, stray) == []


async def _on_replica(port: int, key: str) -> None:
    replica = redis.Redis(port=port, socket_timeout=2)
    try:
        for _ in range(100):
            if replica.exists(key):
                return
            await asyncio.sleep(0.1)
    finally:
        replica.close()
    raise AssertionError(f"{key} never reached the replica")
