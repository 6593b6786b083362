"""REDIS_URL: one Redis, a Sentinel-managed primary or a Redis Cluster; anything else refused at
start with one line (the topologies themselves: e2e/test_redis_failover.py)."""

from __future__ import annotations

import pytest

from bot.slack.config import ConfigError, load_config
from bot.slack.store.connect import CLUSTER, SENTINEL, SINGLE, parse_redis_url


def _config_with(monkeypatch: pytest.MonkeyPatch, url: str):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("REDIS_URL", url)
    return load_config()


def test_a_plain_redis_url_means_one_redis_as_before() -> None:
    target = parse_redis_url("redis://:pw@cache:6379/2")
    assert target.kind == SINGLE and target.url == "redis://:pw@cache:6379/2"
    assert parse_redis_url("rediss://cache:6380/0").kind == SINGLE


def test_a_sentinel_url_names_the_sentinels_the_service_and_the_database() -> None:
    target = parse_redis_url(
        "redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26380/mymaster/3?sentinel_password=x"
    )
    assert target.kind == SENTINEL
    assert target.hosts == (("10.0.0.1", 26379), ("10.0.0.2", 26380))
    assert (target.service, target.db, target.password) == ("mymaster", 3, "s3cret")
    assert target.sentinel_password == "x"
    assert "s3cret" not in repr(target)
    assert parse_redis_url("redis+sentinel://s1:26379/mymaster").db == 0


def test_a_cluster_url_names_its_seed_nodes() -> None:
    target = parse_redis_url("redis+cluster://user:pw@node-a:7000,node-b:7001")
    assert target.kind == CLUSTER and target.cluster
    assert target.hosts == (("node-a", 7000), ("node-b", 7001))
    assert (target.username, target.password) == ("user", "pw")
    assert parse_redis_url("rediss+cluster://node-a:7000").tls


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("memcached://cache:11211", "'memcached' is not a Redis address; use redis://"),
        ("cache:6379", "'cache:6379' is not a Redis address"),
        ("redis+sentinel://s1:26379", "needs the service name after the hosts"),
        ("redis+sentinel://s1:26379/mymaster/x", "'x' is not a database number"),
        ("redis+sentinel://s1/mymaster", "'s1' is not host:port"),
        ("redis+cluster://", "names no host"),
        ("redis+cluster://n1:7000/2", "a Redis Cluster has only database 0"),
        ("redis+cluster://n1:99999", "'n1:99999' is not host:port"),
    ],
)
def test_anything_else_is_refused_at_start_in_one_line(
    monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _config_with(monkeypatch, url)
    line = str(refused.value)
    assert line.startswith("REDIS_URL: ") and said in line and "\n" not in line


def test_the_settings_take_every_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("redis://c:6379/0", "redis+sentinel://s:26379/m/0", "redis+cluster://n:7000"):
        assert _config_with(monkeypatch, url).redis_url == url


def test_partitions_and_replica_waits_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOB_STREAM_PARTITIONS", "0")
    with pytest.raises(ConfigError, match="JOB_STREAM_PARTITIONS"):
        _config_with(monkeypatch, "redis://c:6379/0")
    monkeypatch.setenv("JOB_STREAM_PARTITIONS", "6")
    monkeypatch.setenv("REDIS_WAIT_REPLICAS", "1")
    config = _config_with(monkeypatch, "redis+cluster://n:7000")
    assert (config.job_stream_partitions, config.redis_wait_replicas) == (6, 1)
