"""With REDIS_WAIT_REPLICAS a comparison's or break-even's thread is saved as an estimate's is:
answered once the replica holds it, so a failover right after keeps the thread; a replica that
stops answering delays the save by WAIT's timeout, never loses it, and the log says so once.
Signed requests as Slack sends them, the bot in this process, the fake Slack, a real primary and
replica (tests/support/redis_topology.py), the replica frozen with SIGSTOP as one that lags."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import redis

from bot.slack.store.keys import channel_keys
from tests.slack.test_question_threads import COMPARE, _asked, _reply
from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, new_team, next_thread_reply, text_of
from tests.support.redis_topology import ReplicaPair

NOT_CONFIRMED = "a conversation was recorded before 1 replica(s) confirmed it (WAIT answered 0"


@pytest.fixture(scope="module")
def pair() -> Iterator[ReplicaPair]:
    with ReplicaPair() as started:
        yield started


def _on_replica(pair: ReplicaPair, key: str) -> str | None:
    client = redis.Redis(port=pair.replica_port, socket_timeout=2, decode_responses=True)
    try:
        return client.get(key)
    finally:
        client.close()


async def test_a_comparisons_thread_is_on_the_replica_once_it_is_posted(
    pair: ReplicaPair, caplog: pytest.LogCaptureFixture
) -> None:
    team, channel = new_team(), channel_id()
    caplog.set_level(logging.INFO, logger="bot.slack.redis_batch")
    async with (
        FakeSlack() as slack,
        bot_in_process(slack, pair.url, redis_wait_replicas=1) as bot,
    ):
        ts = await _asked(bot, slack, team, channel, COMPARE)
        asked = _on_replica(pair, channel_keys(team, channel).thread(ts))
        again = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 100k users?")
        )
        changed = _on_replica(pair, channel_keys(team, channel).thread(ts))
        assert "100,000 users" in text_of(again.args["blocks"])
        await bot.settle()
    # Each save was answered once the replica held it, unless the replica took longer than WAIT's
    # 250 ms (a machine loaded far past its cores): then, and only then, the log says so.
    if not [r for r in caplog.records if NOT_CONFIRMED in r.getMessage()]:
        assert asked is not None and "claude-haiku-4-5" in asked
        assert changed is not None and "100000" in changed


async def test_a_replica_that_stops_answering_delays_a_thread_save_and_is_said_once(
    pair: ReplicaPair, caplog: pytest.LogCaptureFixture
) -> None:
    team, channel = new_team(), channel_id()
    caplog.set_level(logging.INFO, logger="bot.slack.redis_batch")
    async with (
        FakeSlack() as slack,
        bot_in_process(slack, pair.url, redis_wait_replicas=1) as bot,
    ):
        ts = await _asked(bot, slack, team, channel, COMPARE)
        pair.pause_replica()
        try:
            for users in ("100k", "200k"):
                again = await next_thread_reply(
                    slack, ts, _reply(bot, team, channel, ts, f"what if {users} users?")
                )
                assert f"{users[:-1]},000 users" in text_of(again.args["blocks"])
            await bot.settle()
        finally:
            pair.resume_replica()
        # Kept all the same (on the primary): the same change again changes nothing.
        twice = await next_thread_reply(
            slack, ts, _reply(bot, team, channel, ts, "what if 200k users?")
        )
        assert "nothing changed" in text_of(twice.args)
        # The next save the replica confirms: said once, too. A replica just woken may still be
        # catching up past one save's WAIT on a loaded machine, so up to three more changes.
        for users in ("300k", "400k", "500k"):
            await next_thread_reply(
                slack, ts, _reply(bot, team, channel, ts, f"what if {users} users?")
            )
            await bot.settle()
            if _confirmed(caplog):
                break
    said = [r.getMessage() for r in caplog.records if NOT_CONFIRMED in r.getMessage()]
    assert len(said) == 1, said  # saves no replica confirmed: one line
    assert _confirmed(caplog)  # and the replica's return, once it confirms a save again


def _confirmed(caplog: pytest.LogCaptureFixture) -> bool:
    return any("replicas confirm recorded conversations" in r.getMessage() for r in caplog.records)
