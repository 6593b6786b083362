"""The conversation store: one behaviour from Redis and from memory (outages: e2e/test_state.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.advisor import ConversationState, Question, request
from bot.parsing import first_scenario
from bot.slack.metrics import Metrics
from bot.slack.store import make_store
from bot.slack.store.codec import MAX_VALUE_BYTES
from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.protocols import ESTIMATE_HISTORY, Store
from bot.slack.store.redis_backend import RedisStore
from bot.slack.store.upgrade import DONE, upgrade_keys
from bot.slack.store_access import StoreAccess

TTL = 60
CHANNEL = "C0456"
THREAD = "1700000000.000100"


def _state(text: str = "10000 users startup") -> ConversationState:
    return request(text, ConversationState()).state


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def team() -> str:
    # Unique per test, so tests never meet each other's (or anyone else's) data on a shared Redis.
    return f"T{uuid.uuid4().hex[:12].upper()}"


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, team: str) -> AsyncIterator[Store]:
    if request.param == "memory":
        memory = MemoryStore(ttl_seconds=TTL)
        yield memory
        await memory.close()
        return
    url = request.getfixturevalue("redis_url")  # sync and module-scoped: safe to fetch here
    redis_store = RedisStore(url, ttl_seconds=TTL)
    yield redis_store
    await redis_store.close()
    # Only this test's keys: never FLUSHALL a server others may share.
    cleaner = aioredis.Redis.from_url(url, decode_responses=True)
    for pattern in (f"aicost:{{{team}}}*", f"aicost:*{team}*"):
        keys = [key async for key in cleaner.scan_iter(match=pattern)]
        if keys:
            await cleaner.delete(*keys)
    await cleaner.aclose()


async def _write_raw(store: Store, key: str, value: str) -> None:
    """Plant a value as an older version of the bot might have left it."""
    if isinstance(store, MemoryStore):
        store._put(key, value)
    else:
        assert isinstance(store, RedisStore)
        await store._redis.set(key, value, ex=TTL)


async def test_thread_and_latest_states_round_trip(store: Store, team: str) -> None:
    thread_state = _state()
    latest_state = _state("50k users enterprise")
    await store.save_thread(team, CHANNEL, THREAD, thread_state)
    await store.save_latest(team, CHANNEL, latest_state)

    assert await store.load_thread(team, CHANNEL, THREAD) == thread_state
    assert await store.load_latest(team, CHANNEL) == latest_state


async def test_nothing_stored_loads_as_none(store: Store, team: str) -> None:
    assert await store.load_thread(team, CHANNEL, THREAD) is None
    assert await store.load_latest(team, CHANNEL) is None
    assert await store.estimates(team, CHANNEL) == []


async def test_two_teams_with_the_same_channel_and_thread_never_see_each_other(
    store: Store, team: str
) -> None:
    other_team = f"{team}X"
    await store.save_thread(team, CHANNEL, THREAD, _state())
    await store.save_latest(team, CHANNEL, _state())
    await store.record_estimate(team, CHANNEL, {"monthly": 1})

    assert await store.load_thread(other_team, CHANNEL, THREAD) is None
    assert await store.load_latest(other_team, CHANNEL) is None
    assert await store.estimates(other_team, CHANNEL) == []
    assert await store.forget(other_team, CHANNEL) == 0
    assert await store.load_thread(team, CHANNEL, THREAD) is not None


async def test_estimates_history_is_capped_and_newest_first(store: Store, team: str) -> None:
    for n in range(ESTIMATE_HISTORY + 5):
        await store.record_estimate(team, CHANNEL, {"n": n, "scenario": "10000 users"})

    entries = await store.estimates(team, CHANNEL)
    assert len(entries) == ESTIMATE_HISTORY
    assert [entry["n"] for entry in entries] == list(range(ESTIMATE_HISTORY + 4, 4, -1))


async def test_forget_workspace_deletes_every_key_of_the_workspace_and_no_other(
    store: Store, team: str
) -> None:
    other_team = f"{team}X"
    for t in (team, other_team):
        for channel in (CHANNEL, "C0999"):
            await store.save_conversation(t, channel, THREAD, _state(), {"n": 1})
        await store.claim(f"event:{t}:Ev001", 60)
        await store.claim(f"click:{t}:{CHANNEL}:{THREAD}:aicost_what_if_10x:U1", 60)
        await store.claim(f"view:{t}:V001:hash", 60)
        await store.take_tokens([(f"user:{t}:U1", 10), (f"team:{t}", 100)], 60.0)

    # Per channel: thread, index, latest, estimates (x2); the workspace's recent estimates; three
    # claims; two buckets.
    assert await store.forget_workspace(team) == 8 + 1 + 3 + 2
    assert await store.forget_workspace(team) == 0
    assert await store.load_thread(team, CHANNEL, THREAD) is None
    assert await store.claim(f"event:{team}:Ev001", 60)  # claimable again: it was deleted
    # The other workspace keeps everything: its claims still hold, its state is there.
    assert await store.load_thread(other_team, "C0999", THREAD) is not None
    assert not await store.claim(f"event:{other_team}:Ev001", 60)
    assert await store.forget_workspace(other_team) == 8 + 1 + 3 + 2


async def test_forget_deletes_everything_of_the_channel_and_only_that_channel(
    store: Store, team: str
) -> None:
    other_team = f"{team}X"
    for t, channel in ((team, CHANNEL), (team, "C0999"), (other_team, CHANNEL)):
        await store.save_latest(t, channel, _state())
        await store.save_thread(t, channel, THREAD, _state())
        await store.save_thread(t, channel, "1700000001.000200", _state())
        await store.record_estimate(t, channel, {"n": 1})

    # latest, estimates, the thread index and two threads
    assert await store.forget(team, CHANNEL) == 5
    assert await store.load_latest(team, CHANNEL) is None
    assert await store.load_thread(team, CHANNEL, THREAD) is None
    assert await store.load_thread(team, CHANNEL, "1700000001.000200") is None
    assert await store.estimates(team, CHANNEL) == []
    assert await store.forget(team, CHANNEL) == 0

    for t, channel in ((team, "C0999"), (other_team, CHANNEL)):
        assert await store.load_latest(t, channel) is not None
        assert await store.load_thread(t, channel, THREAD) is not None
        assert await store.estimates(t, channel) == [{"n": 1}]
    await store.forget(other_team, CHANNEL)


async def test_claim_is_true_the_first_time_then_false(store: Store, team: str) -> None:
    assert await store.claim(f"{team}:Ev0123", ttl_seconds=30) is True
    assert await store.claim(f"{team}:Ev0123", ttl_seconds=30) is False
    assert await store.claim(f"{team}:Ev0124", ttl_seconds=30) is True


async def test_oversized_state_keeps_the_scenario_and_the_newest_history(
    store: Store, team: str
) -> None:
    scenarios = [first_scenario(f"{1000 + n} users startup") for n in range(300)]
    current = _state("99999 users enterprise")
    big = ConversationState(scenario=current.scenario, history=tuple(scenarios))
    assert len(big.model_dump_json().encode()) > MAX_VALUE_BYTES

    await store.save_thread(team, CHANNEL, THREAD, big)
    loaded = await store.load_thread(team, CHANNEL, THREAD)

    assert loaded is not None
    assert loaded.scenario == current.scenario
    assert 0 < len(loaded.history) < len(scenarios)
    assert loaded.history == big.history[-len(loaded.history) :]
    assert len(loaded.model_dump_json().encode()) <= MAX_VALUE_BYTES


async def test_an_oversized_comparison_thread_keeps_its_question_and_the_newest_undo_steps(
    store: Store, team: str
) -> None:
    def asked(users: int) -> Question:
        scenario = _state(f"{users} users startup").scenario
        return Question(options=(("a", scenario), ("b", scenario.model_copy(update={"users": 7}))))

    earlier = tuple(asked(1000 + n) for n in range(150))
    big = ConversationState(question=asked(99_999), asked_before=earlier)
    assert len(big.model_dump_json().encode()) > MAX_VALUE_BYTES

    await store.save_thread(team, CHANNEL, THREAD, big)
    loaded = await store.load_thread(team, CHANNEL, THREAD)

    assert loaded is not None and loaded.question == big.question
    assert 0 < len(loaded.asked_before) < len(earlier)
    assert loaded.asked_before == earlier[-len(loaded.asked_before) :]


async def test_unreadable_stored_value_is_treated_as_absent(store: Store, team: str) -> None:
    prefix = f"aicost:{{{team}}}:{CHANNEL}"
    await _write_raw(store, f"{prefix}:latest", '{"scenario": {"users": "lots"}}')
    await _write_raw(store, f"{prefix}:thread:{THREAD}", "not json")

    assert await store.load_latest(team, CHANNEL) is None
    assert await store.load_thread(team, CHANNEL, THREAD) is None


async def test_a_stored_model_no_longer_priced_reads_as_absent(store: Store, team: str) -> None:
    """The store reads a state back without its model's prices (the price tables stay out of
    the event loop); the turn's StoreAccess has them looked up, and one whose model genai-prices
    no longer prices is no conversation, as when the store looked it up itself."""
    kept, retired = _state(), _state("20000 users startup")
    retired = retired.model_copy(
        update={"scenario": retired.scenario.model_copy(update={"model": "gpt-retired-1"})}
    )
    await store.save_thread(team, CHANNEL, THREAD, kept)
    await _write_raw(
        store, f"aicost:{{{team}}}:{CHANNEL}:thread:{THREAD}2", retired.model_dump_json()
    )
    stored = StoreAccess(store, Metrics())

    assert await stored.load(lambda: store.load_thread(team, CHANNEL, THREAD)) == (kept, True)
    assert await store.load_thread(team, CHANNEL, f"{THREAD}2") == retired  # read, not priced
    assert await stored.load(lambda: store.load_thread(team, CHANNEL, f"{THREAD}2")) == (None, True)


@pytest.mark.parametrize(
    "bad_id", ["", "T1:x", "C 1", "T1*", "äbc", "a/b", "T1\n", "x" * 65, "{team}"]
)
async def test_ids_outside_slack_characters_are_rejected(store: Store, bad_id: str) -> None:
    state = _state()
    calls = [
        store.load_thread(bad_id, CHANNEL, THREAD),
        store.load_thread("T1", bad_id, THREAD),
        store.load_thread("T1", CHANNEL, bad_id),
        store.save_thread("T1", CHANNEL, bad_id, state),
        store.save_latest(bad_id, CHANNEL, state),
        store.load_latest("T1", bad_id),
        store.record_estimate(bad_id, CHANNEL, {}),
        store.estimates("T1", bad_id),
        store.forget(bad_id, CHANNEL),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            await call


async def test_claim_keys_outside_id_characters_are_rejected(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.claim("some user text", ttl_seconds=30)


async def test_ping_answers_when_the_backend_is_up(store: Store) -> None:
    assert await store.ping() is True


async def test_redis_uses_the_documented_keys_and_sets_ttl_on_every_write(
    redis_url: str, raw: aioredis.Redis, team: str
) -> None:
    store = RedisStore(redis_url, ttl_seconds=TTL)
    prefix = f"aicost:{{{team}}}:{CHANNEL}"
    keys = [f"{prefix}:latest", f"{prefix}:thread:{THREAD}", f"{prefix}:threads"]
    keys.append(f"{prefix}:estimates")
    try:
        await store.save_latest(team, CHANNEL, _state())
        await store.save_thread(team, CHANNEL, THREAD, _state())
        await store.record_estimate(team, CHANNEL, {"n": 1})
        for key in keys:
            assert 0 < await raw.ttl(key) <= TTL, key

        for key in keys:
            await raw.expire(key, 5)
        await store.save_latest(team, CHANNEL, _state())
        await store.save_thread(team, CHANNEL, THREAD, _state())
        await store.record_estimate(team, CHANNEL, {"n": 2})
        for key in keys:
            assert await raw.ttl(key) > 5, key

        assert await store.claim(f"{team}:Ev1", ttl_seconds=30)
        assert 0 < await raw.ttl(f"aicost:{{{team}}}:claim:{team}:Ev1") <= 30
    finally:
        await store.forget(team, CHANNEL)
        await raw.delete(f"aicost:{{{team}}}:claim:{team}:Ev1")
        await store.close()


# What the version before the hash tags wrote, literally: a deployment that upgrades holds these.
def _keys_before_the_hash_tags(team: str) -> dict[str, str]:
    state_json = _state().model_dump_json()
    return {
        f"aicost:{team}:{CHANNEL}:thread:{THREAD}": state_json,
        f"aicost:{team}:{CHANNEL}:latest": state_json,
        f"aicost:{team}:settings": '{"editors":["U1"]}',
        f"aicost:claim:event:{team}:Ev1": "1",
    }


async def test_redis_keys_and_values_are_those_a_running_deployment_holds(
    redis_url: str, raw: aioredis.Redis, team: str
) -> None:
    # Written out literally: a key or encoding that changed would strand every stored
    # conversation, setting, claim and bucket of a deployment that upgrades (unless
    # bot/slack/store/upgrade.py learns the old name, as it did when the hash tags came:
    # test_a_deployment_from_before_the_hash_tags_keeps_its_settings_and_conversations).
    # Every key of a workspace carries it as its hash tag: a Redis Cluster keeps them in one slot.
    store = RedisStore(redis_url, ttl_seconds=TTL)
    tagged = f"aicost:{{{team}}}"
    try:
        await store.save_conversation(team, CHANNEL, THREAD, _state(), {"n": 1, "who": "U1"})
        await store.save_settings(team, {"editors": ["U1"]})
        await store.claim(f"event:{team}:Ev1", ttl_seconds=30)
        await store.take_tokens([(f"user:{team}:U1", 10), (f"team:{team}", 100)], 60.0)

        written = {key async for key in raw.scan_iter(match=f"aicost:*{team}*")}
        assert written == {
            f"{tagged}:{CHANNEL}:thread:{THREAD}",
            f"{tagged}:{CHANNEL}:threads",
            f"{tagged}:{CHANNEL}:latest",
            f"{tagged}:{CHANNEL}:estimates",
            f"{tagged}:recent",
            f"{tagged}:settings",
            f"{tagged}:claim:event:{team}:Ev1",
            f"{tagged}:bucket:user:{team}:U1",
            f"{tagged}:bucket:team:{team}",
        }
        state_json = _state().model_dump_json()
        assert await raw.get(f"{tagged}:{CHANNEL}:latest") == state_json
        assert await raw.get(f"{tagged}:{CHANNEL}:thread:{THREAD}") == state_json
        assert await raw.zrange(f"{tagged}:{CHANNEL}:threads", 0, -1) == [THREAD]
        entry = '{"n":1,"who":"U1"}'
        assert await raw.lrange(f"{tagged}:{CHANNEL}:estimates", 0, -1) == [entry]
        shared = f'{{"n":1,"who":"U1","channel":"{CHANNEL}"}}'
        assert await raw.lrange(f"{tagged}:recent", 0, -1) == [shared]
        assert await raw.get(f"{tagged}:settings") == '{"editors":["U1"]}'
        assert await raw.get(f"{tagged}:claim:event:{team}:Ev1") == "1"
        assert float(await raw.hget(f"{tagged}:bucket:team:{team}", "tokens")) == 99
    finally:
        await store.forget_workspace(team)
        await store.close()


async def test_a_deployment_from_before_the_hash_tags_keeps_its_settings_and_conversations(
    redis_url: str, team: str
) -> None:
    # A database of its own: the upgrade renames every older key it finds.
    redis_url = redis_url.rsplit("/", 1)[0] + "/10"
    raw = aioredis.Redis.from_url(redis_url, decode_responses=True)
    await raw.delete(DONE)  # an earlier run's pass
    for key, value in _keys_before_the_hash_tags(team).items():
        await raw.set(key, value)  # settings never expire; the rest as they were
    await raw.expire(f"aicost:{team}:{CHANNEL}:latest", 600)
    store = RedisStore(redis_url, ttl_seconds=TTL)
    try:
        # Three replicas starting at once, then one restarting: each key moves exactly once.
        moved = await asyncio.gather(*(upgrade_keys(raw) for _ in range(3)))
        assert sum(moved) >= 4  # (and any an interrupted earlier run left in this database)
        assert await upgrade_keys(raw) == 0

        assert await store.load_thread(team, CHANNEL, THREAD) == _state()
        assert await store.load_latest(team, CHANNEL) == _state()
        assert await store.load_settings(team) == {"editors": ["U1"]}
        assert not await store.claim(f"event:{team}:Ev1", 60)  # still claimed
        assert 0 < await raw.ttl(f"aicost:{{{team}}}:{CHANNEL}:latest") <= 600
        assert await raw.ttl(f"aicost:{{{team}}}:settings") == -1
        assert not [key async for key in raw.scan_iter(match=f"aicost:{team}*")]
        assert not [key async for key in raw.scan_iter(match=f"aicost:claim:*{team}*")]
    finally:
        await store.forget_workspace(team)
        await store.close()
        await raw.aclose()


async def test_memory_entries_expire_after_ttl_and_writes_refresh_it() -> None:
    clock = FakeClock()
    store = MemoryStore(ttl_seconds=TTL, clock=clock)
    await store.save_thread("T1", CHANNEL, THREAD, _state())
    await store.save_latest("T1", CHANNEL, _state())
    await store.record_estimate("T1", CHANNEL, {"n": 1})

    clock.advance(TTL - 1)
    await store.save_thread("T1", CHANNEL, THREAD, _state())  # refreshes the thread and index
    clock.advance(2)
    assert await store.load_latest("T1", CHANNEL) is None
    assert await store.estimates("T1", CHANNEL) == []
    assert await store.load_thread("T1", CHANNEL, THREAD) is not None
    assert await store.forget("T1", CHANNEL) == 2  # the thread and its index

    assert await store.claim("Ev1", ttl_seconds=10)
    clock.advance(11)
    assert await store.claim("Ev1", ttl_seconds=10)


async def test_memory_store_evicts_the_least_recently_used_key_when_full() -> None:
    store = MemoryStore(ttl_seconds=TTL, max_keys=3)
    for channel in ("C1", "C2", "C3"):
        await store.save_latest("T1", channel, _state())
    await store.load_latest("T1", "C1")  # C2 is now the least recently used
    await store.save_latest("T1", "C4", _state())

    assert len(store) == 3
    assert await store.load_latest("T1", "C2") is None
    for channel in ("C1", "C3", "C4"):
        assert await store.load_latest("T1", channel) is not None


def test_make_store_picks_redis_only_when_a_url_is_given() -> None:
    assert make_store(None, TTL).kind == "memory"
    assert make_store("", TTL).kind == "memory"
    assert make_store("redis://127.0.0.1:1/0", TTL).kind == "redis"


async def test_a_token_given_back_can_be_taken_again_and_never_beyond_the_capacity(
    store: Store, team: str
) -> None:
    buckets = [(f"user:{team}:U1", 2), (f"team:{team}", 100)]
    assert await store.take_tokens(buckets, 60.0) == 0
    assert await store.take_tokens(buckets, 60.0) == 0
    assert await store.take_tokens(buckets, 60.0) > 0  # two a minute: the third waits
    await store.give_back_tokens(buckets)
    assert await store.take_tokens(buckets, 60.0) == 0  # the one given back
    assert await store.take_tokens(buckets, 60.0) > 0
    for _ in range(5):  # more back than was ever taken: still two at most
        await store.give_back_tokens(buckets)
    assert await store.take_tokens(buckets, 60.0) == 0
    assert await store.take_tokens(buckets, 60.0) == 0
    assert await store.take_tokens(buckets, 60.0) > 0
