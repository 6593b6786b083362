"""Redis script calls made in the same turn of the event loop, sent together in one pipeline.

Under load many requests reach the same step at once: acknowledging a burst of slash commands,
the bot queued 920 jobs in 159 turns of its event loop, up to 20 in one. Each round trip costs a
system call and a wake-up on both sides, which on a small machine weighs more than the Lua that
runs; sent together, one write carries them all. A call alone in its turn goes out as before, so
nothing waits for company: the batch is only what was already there.

With `wait_replicas` (REDIS_WAIT_REPLICAS) each batch ends with `WAIT n timeout` on the
connection that carried its writes: the answers come back once that many replicas hold what the
scripts wrote (or the timeout passed), so a failover right after cannot lose them. One
replication round trip per batch. `WAIT` counts the writes of its own connection only, so on a
Redis Cluster it goes to each primary that ran a call asking for it (`replicate`), inside the
cluster pipeline, which sends a node's commands on one connection in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

log = logging.getLogger(__name__)

WAIT_TIMEOUT_MS = 250  # a replica slower than this is not waited for (the write stands)

Call = tuple[AsyncScript, list[Any], list[Any], asyncio.Future[Any], bool]


class ReplicationLog:
    """Says once, per primary, that jobs are recorded before their replicas confirm them, and once
    when they confirm again: a replica that lags for minutes would otherwise log every batch."""

    def __init__(self, wanted: int, what: str = "job") -> None:
        self.wanted = wanted
        self.what = what  # what the batches write: "job" (the queue), "conversation" (the store)
        self.short: set[str] = set()  # the primaries (node names; "" for one Redis) now short

    def answered(self, answer: Any, where: str = "") -> None:
        """`answer`: WAIT's reply (replicas that confirmed) or the error it met."""
        on = f" on {where}" if where else ""
        if not isinstance(answer, Exception) and int(answer) >= self.wanted:
            if where in self.short:
                self.short.discard(where)
                log.info("replicas confirm recorded %ss again%s", self.what, on)
            return
        if where in self.short:
            return
        self.short.add(where)
        log.warning(
            "a %s was recorded%s before %d replica(s) confirmed it (WAIT answered %s within "
            "%d ms): it may not be replicated, and a failover now could lose it; said once until "
            "replicas confirm again",
            self.what, on, self.wanted, answer, WAIT_TIMEOUT_MS,
        )  # fmt: skip


class ScriptBatch:
    def __init__(
        self,
        redis: aioredis.Redis | aioredis.RedisCluster,
        wait_replicas: int = 0,
        cluster: bool = False,
        what: str = "job",
    ) -> None:
        """`redis`: a Redis client (one Redis, or Sentinel's primary), or a RedisCluster; `what`
        its scripts record, as the replication warnings name it."""
        self.redis = redis
        self.wait_replicas = wait_replicas
        self.cluster = cluster
        self.replication = ReplicationLog(wait_replicas, what)
        self._waiting: list[Call] = []
        self._sending: set[asyncio.Task[None]] = set()

    def call(
        self, script: AsyncScript, keys: list[Any], args: list[Any], replicate: bool = True
    ) -> asyncio.Future[Any]:
        """`script(keys, args)`, sent with the other calls of this turn; its result or error.
        `replicate`: with `wait_replicas`, its answer waits for the replicas (on a cluster, of the
        primary that owns `keys[0]`)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._send)
        self._waiting.append((script, keys, args, future, replicate and self.wait_replicas > 0))
        return future

    def _send(self) -> None:
        waiting, self._waiting = self._waiting, []
        task = asyncio.get_running_loop().create_task(self._run(waiting))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _wait_targets(self, calls: list[Call]) -> list[Any]:
        """Where WAIT goes: None (the one connection) or, on a cluster, each primary that runs a
        call to be replicated, found as the pipeline finds it (the same slot table)."""
        if not any(call[4] for call in calls):
            return []
        if not self.cluster:
            return [None]
        await self.redis.initialize()  # a process's first call: no slot table yet (else at once)
        nodes = {}
        for _, keys, _, _, replicate in calls:
            if replicate:
                node = self.redis.get_node_from_key(keys[0])
                nodes[node.name] = node
        return list(nodes.values())

    async def _run(self, calls: list[Call]) -> None:
        calls = [call for call in calls if not call[3].done()]  # their callers gave up waiting
        if not calls:
            return
        targets: list[Any] = []
        if self.wait_replicas:
            try:
                targets = await self._wait_targets(calls)
            except Exception as exc:  # no cluster node answers, or a slot no node serves
                _fail(calls, exc)
                return
        if len(calls) == 1 and not targets:
            script, keys, args, future, _ = calls[0]
            _settle(future, await _alone(script, keys, args))
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                # EVALSHA directly: registering the scripts with the pipeline would cost a SCRIPT
                # EXISTS round trip per batch. They were loaded by their first call; a Redis that
                # lost them (restarted) answers NOSCRIPT, and that call is made again on its own.
                for script, keys, args, *_ in calls:
                    pipe.evalsha(script.sha, len(keys), *keys, *args)
                for node in targets:
                    _wait(pipe, self.wait_replicas, node)
                results = await pipe.execute(raise_on_error=False)
        except Exception as exc:  # the connection, not a script: every caller gets it
            _fail(calls, exc)
            return
        for node, answer in zip(targets, results[len(calls) :], strict=True):
            self.replication.answered(answer, node.name if node is not None else "")
        for (script, keys, args, future, replicate), result in zip(calls, results, strict=False):
            if isinstance(result, NoScriptError) and not future.done():
                if replicate:
                    result = await self._alone_waiting(script, keys, args)
                else:
                    result = await _alone(script, keys, args)
            _settle(future, result)

    async def _alone_waiting(self, script: AsyncScript, keys: list[Any], args: list[Any]) -> Any:
        """One call on its own, its script loaded first, then WAIT on the same connection."""
        try:
            node = self.redis.get_node_from_key(keys[0]) if self.cluster else None
            await self.redis.script_load(script.script)
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.evalsha(script.sha, len(keys), *keys, *args)
                _wait(pipe, self.wait_replicas, node)
                result, answer = await pipe.execute(raise_on_error=False)
        except Exception as exc:
            return exc
        self.replication.answered(answer, node.name if node is not None else "")
        return result


def _wait(pipe: Any, replicas: int, node: Any) -> None:
    """WAIT at the end of `pipe`: on its connection, or on `node`'s (a cluster's primary)."""
    if node is None:
        pipe.execute_command("WAIT", replicas, WAIT_TIMEOUT_MS)
    else:
        pipe.execute_command("WAIT", replicas, WAIT_TIMEOUT_MS, target_nodes=node)


def _fail(calls: list[Call], exc: Exception) -> None:
    for call in calls:
        if not call[3].done():
            call[3].set_exception(exc)


async def _alone(script: AsyncScript, keys: list[Any], args: list[Any]) -> Any:
    """One call on its own (loading the script if Redis lost it); its result or its error."""
    try:
        return await script(keys=keys, args=args)
    except Exception as exc:
        return exc


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():  # its caller stopped waiting (a timeout)
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
