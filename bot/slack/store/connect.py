"""Redis clients from REDIS_URL: one Redis, a primary found through Sentinel, or a Redis Cluster.

    redis://[:password@]host:6379/0                      one Redis (rediss:// for TLS), as always
    redis+sentinel://[:password@]host:26379,host:26380/service_name/0
                                                         the primary Sentinel names for the service
    redis+cluster://[:password@]host:7000,host:7001      a Redis Cluster (any of its nodes)

`rediss+sentinel://` and `rediss+cluster://` use TLS to the data nodes. A password in the URL is
the data nodes'; Sentinels with their own password take `?sentinel_password=...`. Everything is
checked by `parse_redis_url` when the settings are read, so a typo stops the bot at start with one
line, never at its first command.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.connection import parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

SINGLE, SENTINEL, CLUSTER = "single", "sentinel", "cluster"
_SCHEMES = {
    "redis": SINGLE,
    "rediss": SINGLE,
    "unix": SINGLE,
    "redis+sentinel": SENTINEL,
    "rediss+sentinel": SENTINEL,
    "redis+cluster": CLUSTER,
    "rediss+cluster": CLUSTER,
}
_EXAMPLES = (
    "redis://host:6379/0, redis+sentinel://host:26379,host:26380/mymaster/0 or "
    "redis+cluster://host:7000,host:7001"
)
# redis-py asks the Sentinels for the primary on every new connection; a burst opening fifty
# connections would ask fifty times. The answer is kept this long: a failover takes seconds
# (down-after-milliseconds plus the election), so a second's staleness costs at most a second.
PRIMARY_CACHE_SECONDS = 1.0
# A cluster client meets MOVED and refused connections for a moment after a failover, while it
# re-reads the slot table: this many quick retries, 50 ms doubling to 400 ms, about 0.75 s in all.
CLUSTER_RETRIES = 4
CLUSTER_BACKOFF = ExponentialBackoff(cap=0.4, base=0.05)


@dataclass(frozen=True)
class RedisTarget:
    """Where REDIS_URL points: `kind` is single, sentinel or cluster."""

    kind: str
    url: str = field(repr=False)
    hosts: tuple[tuple[str, int], ...] = ()
    service: str = ""
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sentinel_password: str | None = field(default=None, repr=False)
    tls: bool = False

    @property
    def cluster(self) -> bool:
        return self.kind == CLUSTER


def parse_redis_url(url: str) -> RedisTarget:
    """What `url` names, or ValueError with one sentence saying what is wrong."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    kind = _SCHEMES.get(scheme)
    if kind is None:
        raise ValueError(f"{scheme or url!r} is not a Redis address; use {_EXAMPLES}")
    if kind == SINGLE:
        try:
            parse_url(url)
        except ValueError as exc:
            raise ValueError(f"not a Redis URL ({exc}); e.g. redis://host:6379/0") from None
        return RedisTarget(SINGLE, url)
    parts = urlsplit(url)
    credentials, _, hostlist = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":") if credentials else ("", "", "")
    hosts = tuple(_host(item, kind) for item in hostlist.split(",") if item.strip())
    if not hosts:
        raise ValueError(f"{scheme}:// names no host; e.g. {_example(kind)}")
    path = [unquote(p) for p in parts.path.split("/") if p]
    query = parse_qs(parts.query)
    common = dict(
        url=url,
        hosts=hosts,
        username=unquote(username) or None,
        password=unquote(password) or None,
        tls=scheme.startswith("rediss"),
    )
    if kind == CLUSTER:
        if path and path != ["0"]:
            raise ValueError("a Redis Cluster has only database 0; drop the path after the hosts")
        return RedisTarget(CLUSTER, **common)  # type: ignore[arg-type]
    if not path or len(path) > 2:
        raise ValueError(
            f"{scheme}:// needs the service name after the hosts; e.g. {_example(kind)}"
        )
    db = path[1] if len(path) == 2 else "0"
    if not db.isdigit():
        raise ValueError(f"{db!r} is not a database number; e.g. {_example(kind)}")
    sentinel_password = (query.get("sentinel_password") or [None])[0]
    return RedisTarget(
        SENTINEL,
        service=path[0],
        db=int(db),
        sentinel_password=sentinel_password,
        **common,  # type: ignore[arg-type]
    )


def _example(kind: str) -> str:
    return {
        SENTINEL: "redis+sentinel://host:26379,host:26380/mymaster/0",
        CLUSTER: "redis+cluster://host:7000,host:7001",
    }[kind]


def _host(item: str, kind: str) -> tuple[str, int]:
    host, _, port = item.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{item.strip()!r} is not host:port; e.g. {_example(kind)}")
    return host.strip("[]"), int(port)


class _PrimaryPool(SentinelConnectionPool):
    """Sentinel's pool, asking the Sentinels for the primary at most once a PRIMARY_CACHE_SECONDS
    (redis-py asks on every new connection); a failed connection forgets the answer."""

    _asked_at = -1e9
    _asking: asyncio.Lock | None = None

    async def get_master_address(self) -> Any:
        if self.master_address is not None and (
            time.monotonic() - self._asked_at < PRIMARY_CACHE_SECONDS
        ):
            return self.master_address
        if self._asking is None:
            self._asking = asyncio.Lock()
        async with self._asking:  # a burst of new connections asks once, not once each
            if self.master_address is None or (
                time.monotonic() - self._asked_at >= PRIMARY_CACHE_SECONDS
            ):
                address = await super().get_master_address()
                self._asked_at = time.monotonic()
                return address
            return self.master_address


class _BlockingPrimaryPool(_PrimaryPool, aioredis.BlockingConnectionPool):
    """The same, waiting briefly for a free connection rather than failing under a burst (as the
    store's pool does on one Redis)."""


def connect(
    target: RedisTarget,
    *,
    socket_timeout: float,
    connect_timeout: float,
    max_connections: int,
    pool_timeout: float | None = None,
    retry: Retry | None = None,
) -> Any:
    """A client for `target` with answers decoded. `pool_timeout`: wait that long for a free
    connection (else fail at once when all are in use); `retry`: the client's retries on a
    dropped connection (None: redis-py's default). A cluster client always retries briefly
    (CLUSTER_RETRIES): MOVED and a refused node are what a failover looks like to it."""
    options: dict[str, Any] = dict(
        decode_responses=True,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
    )
    if retry is not None:
        options.update(retry=retry, retry_on_timeout=False)
    if target.kind == SINGLE:
        if pool_timeout is None:
            return aioredis.Redis.from_url(target.url, max_connections=max_connections, **options)
        pool = aioredis.BlockingConnectionPool.from_url(
            target.url, max_connections=max_connections, timeout=pool_timeout, **options
        )
        return aioredis.Redis(connection_pool=pool)
    secrets = dict(username=target.username, password=target.password)
    if target.kind == CLUSTER:
        options["retry"] = Retry(
            CLUSTER_BACKOFF,
            CLUSTER_RETRIES,
            supported_errors=(RedisConnectionError, RedisTimeoutError, OSError),
        )
        options.pop("retry_on_timeout", None)
        return RedisCluster(
            startup_nodes=[ClusterNode(host, port) for host, port in target.hosts],
            max_connections=max_connections,
            ssl=target.tls,
            **secrets,
            **options,
        )
    sentinels = Sentinel(
        list(target.hosts),
        sentinel_kwargs=dict(
            socket_timeout=connect_timeout,
            socket_connect_timeout=connect_timeout,
            password=target.sentinel_password,
            retry=Retry(NoBackoff(), 0),
        ),
    )
    pool_options: dict[str, Any] = dict(max_connections=max_connections)
    if pool_timeout is not None:
        pool_options["timeout"] = pool_timeout
    return sentinels.master_for(
        target.service,
        connection_pool_class=_BlockingPrimaryPool if pool_timeout is not None else _PrimaryPool,
        db=target.db,
        ssl=target.tls,
        **secrets,
        **pool_options,
        **options,
    )


def connect_url(url: str, **options: Any) -> Any:
    """`connect(parse_redis_url(url), ...)`."""
    return connect(parse_redis_url(url), **options)


async def primaries_answer(client: Any) -> bool:
    """Whether every primary answers PING (one Redis: it; Sentinel: the primary it names now;
    a cluster: each primary holding slots). Raises what the client raises."""
    if isinstance(client, RedisCluster):
        replies = await client.ping(target_nodes=RedisCluster.PRIMARIES)
        return bool(replies)
    return bool(await client.ping())
