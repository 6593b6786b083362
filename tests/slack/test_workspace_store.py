"""What the store keeps per workspace: the Home tab's recent estimates and the settings."""

from __future__ import annotations

import redis.asyncio as aioredis

from bot.slack.store.protocols import SETTINGS_TTL_SECONDS, WORKSPACE_RECENT, Store
from bot.slack.store.redis_backend import RedisStore
from tests.slack.test_state import THREAD, _state, raw, store, team  # noqa: F401  (fixtures)


async def test_each_estimate_saved_joins_the_workspaces_recent_list_with_its_channel(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    for n in range(WORKSPACE_RECENT + 3):
        channel = "C0001" if n % 2 else "C0002"
        entry = {"ts": f"1700000000.{n:06d}", "user": "U1", "n": n}
        await store.save_conversation(team, channel, entry["ts"], _state(), entry)
    await store.save_conversation(team, "C0001", THREAD, _state())  # a follow-up: no entry

    recent = await store.recent_estimates(team)
    assert len(recent) == WORKSPACE_RECENT
    assert [e["n"] for e in recent] == list(range(WORKSPACE_RECENT + 2, 2, -1))
    assert recent[0]["channel"] == "C0002" and recent[1]["channel"] == "C0001"
    assert await store.recent_estimates(f"{team}X") == []


async def test_forgetting_a_channel_takes_its_estimates_off_the_workspace_list(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    for n, channel in enumerate(("C0001", "C0002", "C0001")):
        entry = {"ts": f"1700000000.{n:06d}", "n": n}
        await store.save_conversation(team, channel, entry["ts"], _state(), entry)
    await store.forget(team, "C0001")
    assert [e["n"] for e in await store.recent_estimates(team)] == [1]
    await store.forget(team, "C0002")
    assert await store.recent_estimates(team) == []


async def test_settings_round_trip_per_workspace(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    assert await store.load_settings(team) is None
    await store.save_settings(team, {"overrides": {"cloud_multiplier": 1.2}})
    assert await store.load_settings(team) == {"overrides": {"cloud_multiplier": 1.2}}
    assert await store.load_settings(f"{team}X") is None
    await store.forget(team, "C0001")  # forgetting a channel keeps the workspace's settings
    assert await store.load_settings(team) is not None


async def test_redis_keeps_settings_under_the_workspace_key_for_years(
    redis_url: str,
    raw: aioredis.Redis,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    redis_store = RedisStore(redis_url, ttl_seconds=60)
    try:
        await redis_store.save_settings(team, {"overrides": {}})
        assert await raw.ttl(f"aicost:{{{team}}}:settings") > 60 * 60 * 24 * 365 * 9
        assert await raw.ttl(f"aicost:{{{team}}}:settings") <= SETTINGS_TTL_SECONDS
    finally:
        await raw.delete(f"aicost:{{{team}}}:settings", f"aicost:{{{team}}}:recent")
        await redis_store.close()


async def test_feedback_is_counted_per_workspace_and_forgotten_with_it(store, team):  # noqa: F811
    assert await store.feedback(team) == {}
    await store.count_feedback(team, "useful")
    await store.count_feedback(team, "useful")
    await store.count_feedback(team, "not_useful")
    assert await store.feedback(team) == {"useful": 2, "not_useful": 1}
    assert await store.feedback(team + "X") == {}
    await store.forget_workspace(team)
    assert await store.feedback(team) == {}
