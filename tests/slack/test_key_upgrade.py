"""Keys an earlier version wrote, renamed to their hash-tagged names at start (the store's own keys
and a deployment's settings and conversations: test_state.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.slack.store.upgrade import DONE, new_name, upgrade_keys


def test_every_old_key_has_its_new_name() -> None:
    assert (
        new_name("aicost:T1:C2:thread:1700000000.000100")
        == "aicost:{T1}:C2:thread:1700000000.000100"
    )
    assert new_name("aicost:T1:settings") == "aicost:{T1}:settings"
    assert new_name("aicost:E9:recent") == "aicost:{E9}:recent"  # an org-wide install
    assert new_name("aicost:claim:event:T1:Ev1") == "aicost:{T1}:claim:event:T1:Ev1"
    assert new_name("aicost:claim:T1:Ev1") == "aicost:{T1}:claim:T1:Ev1"
    assert new_name("aicost:bucket:user:T1:U1") == "aicost:{T1}:bucket:user:T1:U1"
    assert new_name("aicost:bucket:team:T1") == "aicost:{T1}:bucket:team:T1"
    assert new_name("aicost:jobs") == "aicost:{jobs:0}"
    assert new_name("aicost:jobs:dead") == "aicost:{jobs:0}:dead"
    assert new_name("aicost:jobs:steps:abc") == "aicost:{jobs:0}:steps:abc"


def test_new_and_foreign_keys_are_left_alone() -> None:
    for key in ("aicost:{T1}:settings", "aicost:{jobs:0}", "other:T1:settings", "aicost:T1"):
        assert new_name(key) is None
    # A shareable page's pointer keeps its name; its record and the index move with the rest.
    page = "A" * 22
    assert new_name(f"aicost:page:{page}") is None
    assert new_name(f"aicost:T1:page:{page}") == f"aicost:{{T1}}:page:{page}"
    assert new_name("aicost:T1:pages") == "aicost:{T1}:pages"


@pytest.fixture
async def raw(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    # A database of its own: the old stream's name is not per test.
    url = redis_url.rsplit("/", 1)[0] + "/9"
    client = aioredis.Redis.from_url(url, decode_responses=True)
    await client.delete("aicost:jobs", "aicost:{jobs:0}", DONE)
    yield client
    await client.delete("aicost:jobs", "aicost:{jobs:0}", DONE)
    await client.aclose()


async def test_the_old_job_stream_becomes_partition_0_with_its_group_and_pending_jobs(raw) -> None:
    job = '{"kind":"slash_command","team_id":"T1","channel":"C1","user":"U1"}'
    await raw.xgroup_create("aicost:jobs", "aicost", id="0", mkstream=True)
    await raw.xadd("aicost:jobs", {"job": job})
    await raw.xreadgroup("aicost", "old-replica", {"aicost:jobs": ">"})  # taken, not finished
    await raw.xadd("aicost:jobs", {"job": job})  # not yet taken

    assert await upgrade_keys(raw) == 1
    assert not await raw.exists("aicost:jobs")
    (group,) = await raw.xinfo_groups("aicost:{jobs:0}")
    assert (group["pending"], group["lag"]) == (1, 1)  # one to take over, one to read


async def test_an_old_key_whose_new_name_was_written_since_is_dropped(raw) -> None:
    # (Its keys are this test's: `team` is new.)
    team = f"T{uuid.uuid4().hex[:8].upper()}"
    await raw.set(f"aicost:{team}:settings", '{"editors":["OLD"]}')
    await raw.set(f"aicost:{{{team}}}:settings", '{"editors":["NEW"]}')
    assert await upgrade_keys(raw) == 0
    assert await raw.get(f"aicost:{{{team}}}:settings") == '{"editors":["NEW"]}'
    assert not await raw.exists(f"aicost:{team}:settings")
    await raw.delete(f"aicost:{{{team}}}:settings")


async def test_a_pass_that_left_nothing_is_not_repeated_at_the_next_start(raw) -> None:
    team = f"T{uuid.uuid4().hex[:8].upper()}"
    await upgrade_keys(raw)  # whatever the database held
    await raw.set(f"aicost:{team}:settings", "{}")  # (an earlier version could not write it now)
    assert await upgrade_keys(raw) == 0  # not scanned again
    await raw.delete(DONE)
    assert await upgrade_keys(raw) == 1
    await raw.delete(f"aicost:{{{team}}}:settings")
