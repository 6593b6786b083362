"""Answers worded off the event loop, in worker processes.

Wording an estimate (bot/slack/answers.py) costs about as much CPU as everything else a command
does: the acknowledgement, two Redis calls and five posts to Slack. On the event loop it would
hold up every command behind it and leave the machine's other cores idle; in a worker it does
neither.

A worker is `python -m bot.slack.workers`. It reads requests on its stdin (the name of a function in
bot/slack/answers.py and its arguments, pickled, each behind a 4-byte length) and writes the answers
back on its stdout in the same order (pickle is safe here: both ends are this program, over pipes
no one else holds). The bot reads them on its event loop, with no thread:
a thread-based pool (concurrent.futures) competed with the loop for the GIL and made each of its
socket writes wait, which cost more than it saved (docs/architecture.md, "Performance idioms").

A worker that dies, or takes over ANSWER_SECONDS on one answer, is restarted and the work it
held is redone in-process, so nothing acknowledged is lost.

The same machinery runs a second, optional pool: the chart workers (bot/slack/chart_worker.py), run
at a lower CPU priority (nice) so the event loop and the estimate workers always win the cores.
Their work is never redone in-process: `run_elsewhere` raises WorkerUnavailable instead, and the
caller goes without the picture. That pool runs on demand (`idle_seconds`): a worker starts when
a chart is wanted and exits after a quiet spell, since matplotlib and its fonts hold as much
memory as the rest of the bot together. A worker exits when its stdin
closes, which also happens when the bot is killed outright, so none is ever left behind. With no
workers (one CPU, ESTIMATE_WORKERS=0, or a worker that keeps dying) everything runs in-process.
"""

from __future__ import annotations

from bot import on_first_use

# Run as a worker (`python -m bot.slack.workers`), this process never runs an event loop: asyncio,
# imported below for the bot's side, loads only if used (in the bot it is loaded already).
on_first_use.defer()

import asyncio  # noqa: E402
import collections  # noqa: E402
import contextlib  # noqa: E402
import functools  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any, BinaryIO, TypeVar  # noqa: E402

from bot import log_redaction  # noqa: E402
from bot.slack.worker_pipes import Requests, send  # noqa: E402

log = logging.getLogger(__name__)

T = TypeVar("T")

HEADER = struct.Struct("!I")
# The functions of bot/slack/answers.py a worker runs; nothing else can be asked of it.
CALLS = frozenset(
    {
        "request",
        "from_form",
        "follow_up",
        "button",
        "export",
        "page",
        "headline",
        "priced",
        "warm_up",
    }
)
# What each pool's workers may run: its module and the functions of it.
POOLS = {
    "bot.slack.answers": CALLS,
    "bot.slack.chart_worker": frozenset({"estimate_chart", "comparison_chart", "warm_up"}),
}
# An answer takes a few milliseconds at most; one that takes this long means a stuck worker.
ANSWER_SECONDS = 5.0
# Answers a busy worker sends back together: estimates are quick; a chart is hundreds of times
# slower, so each goes back as soon as it is drawn (docs/architecture.md, "Performance idioms").
ANSWERS_PER_WRITE = {"bot.slack.answers": 4, "bot.slack.chart_worker": 1}
RESTARTS_ALLOWED = 3  # deaths within RESTART_WINDOW_SECONDS before workers are given up
RESTART_WINDOW_SECONDS = 60.0
STOP_SECONDS = 5.0


def default_count() -> int:
    """One worker where there is a core to spare for it, none on a single core."""
    return 1 if len(os.sched_getaffinity(0)) > 1 else 0


class WorkerGone(Exception):
    """The worker exited before answering."""


class WorkerFailed(Exception):
    """The answer raised in the worker (its traceback is in the log)."""


class WorkerUnavailable(Exception):
    """No worker ready, or it is too busy: work that must not run in-process is skipped."""


class _Worker:
    """One worker process and the answers it owes, oldest first."""

    def __init__(
        self, process: asyncio.subprocess.Process, on_exit: Callable[[_Worker], None]
    ) -> None:
        self.process = process
        self.owed: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.ready = False  # set once it has answered its warm-up
        self.retiring = False  # stopped for being idle, not dead: not to be replaced
        self._unsent: list[bytes] = []  # requests to write at the end of this loop turn
        self._reader = asyncio.create_task(self._read_answers(on_exit))

    @classmethod
    async def start(cls, on_exit: Callable[[_Worker], None], module: str, nice: int) -> _Worker:
        # The worker needs no token or Redis URL: it only computes.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_"))}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.slack.workers",
            module,
            str(nice),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        return cls(process, on_exit)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None and not self._reader.done()

    def submit(self, name: str, args: tuple[Any, ...]) -> asyncio.Future[Any]:
        assert self.process.stdin is not None
        if self._reader.done():  # nothing would ever read the answer
            raise WorkerGone()
        payload = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.owed.append(future)
        # Whole requests, in order, written together once this turn of the event loop is done:
        # the jobs a queue read starts all ask at once, and one write (a system call and a wake-up
        # of the worker) serves them all. The pipe's buffer absorbs a burst.
        if not self._unsent:
            loop.call_soon(self._send)
        self._unsent.append(HEADER.pack(len(payload)) + payload)
        return future

    def _send(self) -> None:
        assert self.process.stdin is not None
        unsent, self._unsent = self._unsent, []
        if self.process.returncode is None and not self.process.stdin.is_closing():
            self.process.stdin.write(b"".join(unsent))

    async def _read_answers(self, on_exit: Callable[[_Worker], None]) -> None:
        assert self.process.stdout is not None
        stdout = self.process.stdout
        try:
            while True:
                (size,) = HEADER.unpack(await stdout.readexactly(HEADER.size))
                outcome, value = pickle.loads(await stdout.readexactly(size))
                future = self.owed.popleft()
                if future.done():  # its caller was cancelled
                    continue
                if outcome == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(WorkerFailed(value))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the worker exited
        finally:
            while self.owed:
                future = self.owed.popleft()
                if not future.done():
                    future.set_exception(WorkerGone())
            on_exit(self)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()

    async def stop(self) -> None:
        """Close its stdin (it finishes what it holds, then exits); kill it if it lingers."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), STOP_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


class Workers:
    def __init__(
        self,
        count: int | None = None,
        module: str = "bot.slack.answers",
        nice: int = 0,
        answer_seconds: float | None = None,
        idle_seconds: float | None = None,
    ) -> None:
        self.count = default_count() if count is None else count
        self.module = module
        self.calls = POOLS[module]
        self.nice = nice  # added to the worker's CPU niceness: higher yields to the bot
        self._answer_seconds = answer_seconds  # None: ANSWER_SECONDS
        # On demand: no worker until work is wanted, and none kept after this long without any.
        self.idle_seconds = idle_seconds
        self._workers: list[_Worker] = []
        self._deaths: collections.deque[float] = collections.deque(maxlen=RESTARTS_ALLOWED)
        self._closing = False
        self._starting: set[asyncio.Task[None]] = set()
        self._spawning: asyncio.Task[None] | None = None
        self._idle_timer: asyncio.TimerHandle | None = None

    @property
    def answer_seconds(self) -> float:
        return ANSWER_SECONDS if self._answer_seconds is None else self._answer_seconds

    @property
    def ready(self) -> int:
        """Workers up and answering (for /healthz)."""
        return sum(1 for w in self._workers if w.ready and w.alive)

    @property
    def on_demand(self) -> bool:
        return self.idle_seconds is not None

    async def start(self) -> None:
        """Start the workers and have each load a first estimate before a user waits on it;
        an on-demand pool starts none until work is wanted."""
        if not self.on_demand:
            await self._spawn()

    async def _spawn(self) -> None:
        for _ in range(self.count - len(self._workers)):
            try:
                worker = await _Worker.start(self._worker_exited, self.module, self.nice)
            except OSError as exc:  # processes not allowed here: still answer, in-process
                log.warning("%s workers unavailable (%s)", self.module, exc)
                return
            self._workers.append(worker)
            if self.on_demand:
                continue  # the work that started it is its warm-up
            worker.submit("warm_up", ()).add_done_callback(functools.partial(_warmed, worker))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args), fn being a function of bot/slack/answers.py, in the least busy worker;
        in-process when there is none ready, or when the worker dies or gets stuck before
        answering."""
        assert fn.__module__ == self.module and fn.__name__ in self.calls, fn
        # A worker still starting (imports, price tables: a second or more) would keep the
        # first users after a deploy waiting; until it has warmed up, answers are worded here.
        live = [w for w in self._workers if w.ready and w.alive]
        if not live:
            return fn(*args)
        worker = min(live, key=lambda w: len(w.owed))
        try:
            return await asyncio.wait_for(worker.submit(fn.__name__, args), self.answer_seconds)
        except WorkerGone:
            log.warning("an estimate worker exited before answering; answering in-process")
            return fn(*args)
        except TimeoutError:
            # Stuck: stop it (a new one starts); what it held is answered here, like this one.
            log.warning("an estimate worker took over %.0f s; restarting it", self.answer_seconds)
            worker.kill()
            return fn(*args)

    async def run_elsewhere(
        self, fn: Callable[..., T], *args: Any, max_owed: int, retry: bool = True
    ) -> T:
        """fn(*args) in a worker, never in-process: WorkerUnavailable when none is ready, when
        each already owes `max_owed` answers (a burst of estimates would otherwise queue
        pictures without bound), or when it dies or gets stuck on this one."""
        assert fn.__module__ == self.module and fn.__name__ in self.calls, fn
        if self.on_demand and not any(w.alive for w in self._workers) and self.count:
            await self._spawn_once()
        # A worker still warming up counts: the work queues behind its warm-up (a picture a
        # second late beats no picture for the first users after a deploy).
        live = [w for w in self._workers if w.alive and len(w.owed) < max_owed]
        if not live:
            raise WorkerUnavailable()
        worker = min(live, key=lambda w: len(w.owed))
        try:
            answer = worker.submit(fn.__name__, args)
            if self.on_demand:
                answer.add_done_callback(functools.partial(_warmed, worker))
            return await asyncio.wait_for(answer, self.answer_seconds)
        except WorkerGone as exc:
            if self.on_demand and retry and self.count:
                # Found dead before its exit was noticed: a new one draws this, as it would
                # the next chart wanted.
                self._workers = [w for w in self._workers if w is not worker]
                return await self.run_elsewhere(fn, *args, max_owed=max_owed, retry=False)
            raise WorkerUnavailable() from exc
        except TimeoutError as exc:
            log.warning(
                "a %s worker took over %.0f s; restarting it", self.module, self.answer_seconds
            )
            worker.kill()
            raise WorkerUnavailable() from exc
        finally:
            self._retire_when_idle()

    async def _spawn_once(self) -> None:
        """Start the pool's workers; callers arriving meanwhile wait for the same start."""
        if self._spawning is None or self._spawning.done():
            self._spawning = asyncio.get_running_loop().create_task(self._spawn())
        await asyncio.shield(self._spawning)

    def _retire_when_idle(self) -> None:
        """(Re)arm the quiet-spell timer of an on-demand pool."""
        if not self.on_demand or self._closing:
            return
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        assert self.idle_seconds is not None
        self._idle_timer = asyncio.get_running_loop().call_later(self.idle_seconds, self._retire)

    def _retire(self) -> None:
        self._idle_timer = None
        if any(w.owed for w in self._workers):
            self._retire_when_idle()  # still drawing: wait for another quiet spell
            return
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.retiring = True
            task = asyncio.get_running_loop().create_task(worker.stop())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)
        if workers:
            log.info("%s workers stopped after %.0f s without work", self.module, self.idle_seconds)

    def _worker_exited(self, worker: _Worker) -> None:
        self._workers = [w for w in self._workers if w is not worker]
        if self._closing or worker.retiring:
            return
        now = time.monotonic()
        self._deaths.append(now)
        if len(self._deaths) == RESTARTS_ALLOWED and now - self._deaths[0] < RESTART_WINDOW_SECONDS:
            if self.module == "bot.slack.answers":
                log.error("estimate workers keep exiting; estimating in-process from now on")
            else:
                log.error("%s workers keep exiting; given up (no charts)", self.module)
            self.count = 0
            return
        if self.on_demand:
            return  # the next work wanted starts one
        task = asyncio.get_running_loop().create_task(self.start())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def close(self) -> None:
        """Stop the workers once the answers they owe are read (call after the drain)."""
        self._closing = True
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self._spawning is not None:
            with contextlib.suppress(Exception):
                await self._spawning
        for task in list(self._starting):
            with contextlib.suppress(Exception):
                await task
        workers, self._workers = self._workers, []
        await asyncio.gather(*(w.stop() for w in workers))


def _warmed(worker: _Worker, future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is None:
        worker.ready = True


# --- the worker process --------------------------------------------------------------------------


def serve(requests: Requests, answers_out: BinaryIO, module: str = "bot.slack.answers") -> None:
    """Answer requests in order until the bot closes the pipe. While more requests wait, a few
    answers (ANSWERS_PER_WRITE) go back in one write: a system call and a wake-up of the event
    loop fewer per answer in a burst, and no wait at all for an answer asked alone."""
    import importlib

    answers = importlib.import_module(module)
    calls = POOLS[module]
    together = ANSWERS_PER_WRITE[module]
    unsent: list[bytes] = []

    while (header := requests.read_exactly(HEADER.size)) is not None:
        body = requests.read_exactly(HEADER.unpack(header)[0])
        if body is None:
            break
        name, args = pickle.loads(body)
        try:
            if name not in calls:
                raise ValueError(f"not an answer: {name!r}")
            outcome: tuple[str, Any] = ("ok", getattr(answers, name)(*args))
        except Exception as exc:
            log.exception("could not word an answer (%s)", name)
            outcome = ("failed", f"{type(exc).__name__}: {exc}")
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        unsent.append(HEADER.pack(len(payload)) + payload)
        if len(unsent) >= together or not requests.waiting():
            if not send(answers_out, unsent):
                return
            unsent = []
    # The bot closed the pipe (a closed pipe reads as "waiting"): answers held back still go out.
    send(answers_out, unsent)


def main() -> None:
    # Ctrl-C and SIGTERM reach the whole process group; the bot decides when its workers stop
    # (after the answers they owe are posted) by closing their stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    answers_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print lands in the log, not in the middle of an answer
    module = sys.argv[1] if len(sys.argv) > 1 else "bot.slack.answers"
    if module not in POOLS:
        raise SystemExit(f"not a worker module: {module}")
    if len(sys.argv) > 2 and int(sys.argv[2]):
        os.nice(int(sys.argv[2]))
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s[worker]: %(message)s",
    )
    log_redaction.install()  # it holds no secret; what it logs is still checked for tokens
    from estimator import AutoUpdateError, refresh_if_wanted

    # The same token price data as the bot (it checked the setting before starting workers).
    with contextlib.suppress(AutoUpdateError):
        refresh_if_wanted()
    serve(Requests(sys.stdin.fileno()), answers_out, module)


if __name__ == "__main__":
    main()
