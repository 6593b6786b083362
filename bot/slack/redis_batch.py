"""Redis script calls made in the same turn of the event loop, sent together in one pipeline.

Under load many requests reach the same step at once: acknowledging a burst of slash commands,
the bot queued 920 jobs in 159 turns of its event loop, up to 20 in one. Each round trip costs a
system call and a wake-up on both sides, which on a small machine weighs more than the Lua that
runs; sent together, one write carries them all. A call alone in its turn goes out as before, so
nothing waits for company: the batch is only what was already there.

With `wait_replicas` (REDIS_WAIT_REPLICAS) each batch ends with `WAIT n timeout` on the same
connection: the answers come back once that many replicas hold what the scripts wrote (or the
timeout passed), so a failover right after cannot lose them. One replication round trip per batch.
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


class ScriptBatch:
    def __init__(self, redis: aioredis.Redis, wait_replicas: int = 0) -> None:
        self.redis = redis
        self.wait_replicas = wait_replicas
        self._waiting: list[tuple[AsyncScript, list[Any], list[Any], asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    def call(self, script: AsyncScript, keys: list[Any], args: list[Any]) -> asyncio.Future[Any]:
        """`script(keys, args)`, sent with the other calls of this turn; its result or error."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._send)
        self._waiting.append((script, keys, args, future))
        return future

    def _send(self) -> None:
        waiting, self._waiting = self._waiting, []
        task = asyncio.get_running_loop().create_task(_run(self.redis, waiting, self.wait_replicas))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)


async def _run(
    redis: aioredis.Redis,
    calls: list[tuple[AsyncScript, list[Any], list[Any], asyncio.Future[Any]]],
    wait_replicas: int = 0,
) -> None:
    calls = [call for call in calls if not call[3].done()]  # their callers gave up waiting
    if not calls:
        return
    if len(calls) == 1 and not wait_replicas:
        script, keys, args, future = calls[0]
        _settle(future, await _alone(script, keys, args))
        return
    try:
        async with redis.pipeline(transaction=False) as pipe:
            # EVALSHA directly: registering the scripts with the pipeline would cost a SCRIPT
            # EXISTS round trip per batch. They were loaded by their first call; a Redis that
            # lost them (restarted) answers NOSCRIPT, and that call is made again on its own.
            for script, keys, args, _ in calls:
                pipe.evalsha(script.sha, len(keys), *keys, *args)
            if wait_replicas:
                pipe.execute_command("WAIT", wait_replicas, WAIT_TIMEOUT_MS)
            results = await pipe.execute(raise_on_error=False)
            if wait_replicas:
                _replicated(results.pop(), wait_replicas)
    except Exception as exc:  # the connection, not a script: every caller gets it
        for *_, future in calls:
            if not future.done():
                future.set_exception(exc)
        return
    for (script, keys, args, future), result in zip(calls, results, strict=True):
        if isinstance(result, NoScriptError) and not future.done():
            if wait_replicas:
                result = await _alone_waiting(redis, script, keys, args, wait_replicas)
            else:
                result = await _alone(script, keys, args)
        _settle(future, result)


async def _alone_waiting(
    redis: aioredis.Redis, script: AsyncScript, keys: list[Any], args: list[Any], replicas: int
) -> Any:
    """One call on its own, its script loaded first, then WAIT on the same connection."""
    try:
        await redis.script_load(script.script)
        async with redis.pipeline(transaction=False) as pipe:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
            pipe.execute_command("WAIT", replicas, WAIT_TIMEOUT_MS)
            result, answer = await pipe.execute(raise_on_error=False)
    except Exception as exc:
        return exc
    _replicated(answer, replicas)
    return result


def _replicated(answer: Any, wanted: int) -> None:
    if isinstance(answer, Exception) or int(answer) < wanted:
        log.warning("a job was recorded before %d replica(s) confirmed it: %s", wanted, answer)


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
