"""A private, throwaway redis-server for tests, including outage simulation.

with RedisServer() as server:
    client = redis.asyncio.Redis.from_url(server.url)
    server.stop()   # Redis is down: calls raise ConnectionError
    server.start()  # back on the same port, empty (no persistence)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from types import TracebackType
from typing import Any

import redis

_INSTALL_HINT = (
    "redis-server was not found on PATH. Install it (e.g. `apt-get install redis-server` or "
    "`brew install redis`) or set REDIS_URL to a Redis the tests may use."
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers_ping(port: int, timeout: float = 0.5) -> bool:
    # Raw RESP PING so the readiness check doesn't depend on client-library behaviour.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """Runs ``redis-server`` on a free 127.0.0.1 port, persistence disabled unless asked."""

    def __init__(
        self, port: int | None = None, startup_timeout: float = 10.0, persistent: bool = False
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(_INSTALL_HINT)
        self.binary = binary
        self.port = port or _free_port()
        self.startup_timeout = startup_timeout
        self._tmpdir = tempfile.TemporaryDirectory(prefix="aicost-redis-")
        self._log_path = Path(self._tmpdir.name) / "redis.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._frozen = False
        # persistent: an append-only file synced on every write, so a restart (benchmarks/soak.py)
        # keeps what was acknowledged, as a production Redis does.
        always = ["--appendonly", "yes", "--appendfsync", "always"]
        self.persistence = always if persistent else ["--appendonly", "no"]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> RedisServer:
        """Start (or restart after :meth:`stop`) on the same port; blocks until PING answers."""
        if self.running:
            return self
        cmd = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            *self.persistence,
            "--dir",
            self._tmpdir.name,
            "--daemonize",
            "no",
            "--logfile",
            str(self._log_path),
        ]
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self._tmpdir.name
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with code {self._proc.returncode} on port "
                    f"{self.port}:\n{self._log_tail()}"
                )
            if _answers_ping(self.port):
                return self
            time.sleep(0.02)
        self._kill()
        raise RuntimeError(
            f"redis-server did not answer PING on port {self.port} within "
            f"{self.startup_timeout}s:\n{self._log_tail()}"
        )

    def stop(self, *, crash: bool = False) -> None:
        """Take Redis down. ``crash=True`` sends SIGKILL instead of a clean shutdown."""
        if self._proc is None:
            return
        if self._frozen:
            self.thaw()
        if self._proc.poll() is None:
            if crash:
                self._proc.kill()
            else:
                self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._proc = None

    def freeze(self) -> None:
        """SIGSTOP the server: connections hang instead of failing (timeout tests)."""
        if self._proc is not None and self.running:
            os.kill(self._proc.pid, signal.SIGSTOP)
            self._frozen = True

    def thaw(self) -> None:
        if self._proc is not None and self._frozen:
            os.kill(self._proc.pid, signal.SIGCONT)
            self._frozen = False

    def flush(self) -> None:
        """Empty every database (between tests sharing one server)."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        try:
            client.flushall()
        finally:
            client.close()

    def close(self) -> None:
        """Stop the server and delete its temp dir."""
        self.stop()
        self._tmpdir.cleanup()

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._proc = None

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no redis log)"

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _url_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def redis_url_for_tests() -> tuple[str, RedisServer | None]:
    """``$REDIS_URL`` if set and answering, else a fresh private server.

    The caller owns the returned server (if any) and must ``close()`` it.
    """
    url = os.environ.get("REDIS_URL")
    if url and _url_answers(url):
        return url, None
    server = RedisServer()
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server.url, server


# Keeps Redis busy for ARGV[1] microseconds, every other client waiting: slow, not down.
_BUSY = """
local start = redis.call('TIME')
repeat
  local now = redis.call('TIME')
until (now[1] - start[1]) * 1000000 + (now[2] - start[2]) > tonumber(ARGV[1])
return 1
"""


def keep_busy(client: Any, seconds: float) -> Awaitable[Any]:
    """Redis (reached by `client`, a redis.asyncio client) busy with a script for `seconds`:
    every other client's commands wait behind it, as on a Redis that is slow for a moment."""
    return client.eval(_BUSY, 0, int(seconds * 1_000_000))
