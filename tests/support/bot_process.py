"""Runs the real bot (`python -m bot`) as a separate process on a free port, for end-to-end tests.

Requests reach it over real HTTP, signed exactly as Slack signs them; it talks to the fake Slack
Web API through SLACK_API_URL and to a real Redis through REDIS_URL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.support.fake_slack import TEST_BOT_TOKEN
from tests.support.signing import headers_for

SIGNING_SECRET = "test-signing-secret-8f2c"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parents() -> dict[int, int]:
    """Every live process and its parent, from /proc (zombies left out)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:  # gone between listing and reading
            continue
        if state != "Z":
            parents[int(stat.parent.name)] = int(parent)
    return parents


def process_family(pid: int) -> list[int]:
    """`pid` and every live process under it."""
    parents = _parents()
    family = [pid]
    for member in family:
        family.extend(child for child, parent in parents.items() if parent == member)
    return family


def estimate_workers(pid: int, module: bytes = b"bot.slack.answers") -> list[int]:
    """The `python -m bot.slack.workers <module>` processes `pid` started (its children, not
    theirs): estimate workers by default, chart workers with module=b"bot.slack.chart_worker"."""
    found = []
    for member in (child for child, parent in _parents().items() if parent == pid):
        try:
            command = Path(f"/proc/{member}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"bot.slack.workers" in command and module in command:
            found.append(member)
    return found


class BotProcess:
    def __init__(
        self,
        slack_api_url: str,
        redis_url: str | None,
        port: int | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        # A port picked here can be taken by another process before the bot binds it (a free
        # port is only free when asked): then the bot is started again on another.
        self.picked_port = port is None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_"))},
            "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack_api_url,
            "PORT": str(self.port),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            # Charts cost a worker process and a second of CPU at start: only the tests of
            # charts (tests/e2e/test_slack_files.py) turn them on.
            "CHARTS": "off",
            **(extra_env or {}),
        }
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.process: subprocess.Popen[bytes] | None = None
        # What to run; benchmarks swap in their baseline app.
        self.command = [sys.executable, "-m", "bot"]
        self.cwd = ROOT  # benchmarks run another checkout's bot side by side
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"aicost-bot-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 20.0, tries: int = 3) -> BotProcess:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    logs = self.logs()
                    if self.picked_port and tries > 1 and "is already in use" in logs:
                        self.port = free_port()
                        self.env["PORT"] = str(self.port)
                        return await self.start(timeout, tries - 1)
                    raise RuntimeError(f"the bot exited at start:\n{logs}")
                try:
                    async with session.get(f"{self.url}/healthz") as response:
                        await response.read()
                        return self
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
        raise RuntimeError(f"the bot did not start in {timeout}s:\n{self.logs()}")

    async def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"the bot ignored SIGTERM for {timeout}s:\n{self.logs()}")
        return self.process.returncode

    def family(self) -> list[int]:
        """The bot's process and every process under it (its estimate workers)."""
        return process_family(self.process.pid) if self.process is not None else []

    def workers(self) -> list[int]:
        """The bot's estimate worker processes."""
        return estimate_workers(self.process.pid) if self.process is not None else []

    def chart_workers(self) -> list[int]:
        if self.process is None:
            return []
        return estimate_workers(self.process.pid, module=b"bot.slack.chart_worker")

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    async def post(
        self,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        secret: str = SIGNING_SECRET,
        session: aiohttp.ClientSession | None = None,
    ) -> tuple[int, str, float]:
        """POST /slack/events; returns (status, body text, seconds taken)."""
        sent = dict(headers_for(body, secret) if signed else {})
        sent.update(headers or {})
        own = session is None
        session = session or aiohttp.ClientSession()
        try:
            started = time.perf_counter()
            async with session.post(f"{self.url}/slack/events", data=body, headers=sent) as r:
                text = await r.text()
                return r.status, text, time.perf_counter() - started
        finally:
            if own:
                await session.close()

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(f"{self.url}{path}") as r:
            return r.status, await r.text()
