"""Replicated Redis topologies on loopback ports, started by the tests that need them:

    with ReplicaPair() as redis:     # a primary and its replica, nothing watching them
        redis.url                    # redis://127.0.0.1:<primary>/0
        redis.pause_replica(); redis.resume_replica()  # SIGSTOP / SIGCONT: a replica that lags

    with SentinelSet() as redis:     # a primary, a replica and three sentinels (`--sentinel`)
        redis.url                    # redis+sentinel://127.0.0.1:p1,...,p3/aicost/0
        redis.kill_primary()         # SIGKILL; the sentinels promote the replica

    with Cluster() as redis:         # three primaries and three replicas (redis-cli --cluster)
        redis.url                    # redis+cluster://127.0.0.1:p1,...
        redis.kill_primary_of(key)   # SIGKILL the primary of key's slot; its replica takes over
        redis.pause(redis.replica_of(key)); redis.resume(...)  # SIGSTOP / SIGCONT a replica

Failover is tuned to be quick (a second to notice, no persistence), not realistic in timing.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

from tests.support.redis_server import _answers_ping, _free_port

SERVICE = "aicost"
DOWN_AFTER_MS = 1000
CLUSTER_NODE_TIMEOUT_MS = 1000


class _Process:
    def __init__(self, name: str, port: int, argv: list[str], workdir: Path) -> None:
        self.name, self.port, self.workdir = name, port, workdir
        self.log = workdir / f"{name}.log"
        self.proc = subprocess.Popen(
            [*argv, "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )

    def wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            if _answers_ping(self.port):
                return
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer PING on {self.port}:\n{self.tail()}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _server_argv(port: int, workdir: Path, *extra: str) -> list[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server was not found on PATH")
    return [
        binary,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(workdir),
        "--daemonize", "no",
        *extra,
    ]  # fmt: skip


class _Topology:
    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="aicost-topology-")
        self.dir = Path(self._tmp.name)
        self.processes: list[_Process] = []

    def _start(self, name: str, port: int, *extra: str) -> _Process:  # type: ignore[override]
        """A redis-server in its own directory."""
        workdir = self.dir / name
        workdir.mkdir()
        process = _Process(name, port, _server_argv(port, workdir, *extra), workdir)
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            process.kill()
        self._tmp.cleanup()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ReplicaPair(_Topology):
    """A primary and one replica (asynchronous replication, as REDIS_WAIT_REPLICAS expects)."""

    def __enter__(self) -> ReplicaPair:
        try:
            self.primary_port, self.replica_port = _free_port(), _free_port()
            # No waiting for more replicas before the first sync (5 s by default).
            primary = self._start("primary", self.primary_port, "--repl-diskless-sync-delay", "0")
            self.replica = self._start(
                "replica", self.replica_port, "--replicaof", "127.0.0.1", str(self.primary_port)
            )
            for node in (primary, self.replica):
                node.wait_ready()
            SentinelSet._wait_until(self._in_sync, "the replica to sync")
            return self
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.primary_port}/0"

    def pause_replica(self) -> None:
        self.replica.proc.send_signal(signal.SIGSTOP)

    def resume_replica(self) -> None:
        self.replica.proc.send_signal(signal.SIGCONT)

    def _in_sync(self) -> bool:
        client = redis.Redis(port=self.replica_port, socket_timeout=1, decode_responses=True)
        try:
            return client.info("replication").get("master_link_status") == "up"
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()


class SentinelSet(_Topology):
    """A primary, one replica, three sentinels watching them as SERVICE."""

    def __enter__(self) -> SentinelSet:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def start(self) -> SentinelSet:
        self.primary_port, self.replica_port = _free_port(), _free_port()
        self.nodes = {
            self.primary_port: self._start("primary", self.primary_port),
            self.replica_port: self._start(
                "replica", self.replica_port, "--replicaof", "127.0.0.1",
                str(self.primary_port),
            ),
        }  # fmt: skip
        for node in self.nodes.values():
            node.wait_ready()
        self.sentinel_ports = [_free_port() for _ in range(3)]
        for n, port in enumerate(self.sentinel_ports):
            conf = self.dir / f"sentinel-{n}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary_port} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {SERVICE} 10000\n"
                f"sentinel parallel-syncs {SERVICE} 1\n"
            )
            binary = shutil.which("redis-server") or "redis-server"
            workdir = self.dir / f"sentinel-{n}"
            workdir.mkdir()
            sentinel = _Process(f"sentinel-{n}", port, [binary, str(conf), "--sentinel"], workdir)
            self.processes.append(sentinel)
            sentinel.wait_ready()
        self._wait_until(lambda: self._sentinels_see_replica(), "the sentinels to see the replica")
        return self

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return f"redis+sentinel://{hosts}/{SERVICE}/0"

    def primary(self) -> int:
        """The port the sentinels name as primary now."""
        client = redis.Redis(port=self.sentinel_ports[0], socket_timeout=2, decode_responses=True)
        try:
            return int(client.sentinel_get_master_addr_by_name(SERVICE)[1])
        finally:
            client.close()

    def kill_primary(self) -> int:
        """SIGKILL the primary; its port."""
        port = self.primary()
        self.nodes[port].kill()
        return port

    def wait_for_new_primary(self, old: int, timeout: float = 30) -> float:
        """Seconds until the sentinels name another primary and it accepts writes."""
        started = time.monotonic()
        self._wait_until(lambda: self._promoted(old), "a new primary", timeout)
        return time.monotonic() - started

    def _promoted(self, old: int) -> bool:
        try:
            port = self.primary()
            if port == old:
                return False
            client = redis.Redis(port=port, socket_timeout=1)
            try:
                return client.info("replication")["role"] == "master"
            finally:
                client.close()
        except (redis.RedisError, OSError):
            return False

    def _sentinels_see_replica(self) -> bool:
        for port in self.sentinel_ports:
            client = redis.Redis(port=port, socket_timeout=1, decode_responses=True)
            try:
                if not client.sentinel_slaves(SERVICE):
                    return False
            except (redis.RedisError, OSError):
                return False
            finally:
                client.close()
        return True

    @staticmethod
    def _wait_until(check, what: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}")


class Cluster(_Topology):
    """Three primaries and three replicas, slots spread by `redis-cli --cluster create`."""

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def start(self) -> Cluster:
        self.ports = [_free_port() for _ in range(6)]
        self.nodes: dict[int, _Process] = {}
        for port in self.ports:
            workdir = self.dir / str(port)
            workdir.mkdir()
            argv = _server_argv(
                port,
                workdir,
                "--cluster-enabled", "yes",
                "--cluster-config-file", str(workdir / "nodes.conf"),
                "--cluster-node-timeout", str(CLUSTER_NODE_TIMEOUT_MS),
                # The bus port is the port + 10000 unless named: free ports run past 55535.
                "--cluster-port", str(_free_port()),
            )  # fmt: skip
            process = _Process(str(port), port, argv, workdir)
            self.processes.append(process)
            self.nodes[port] = process
        for process in self.nodes.values():
            process.wait_ready()
        cli = shutil.which("redis-cli") or "redis-cli"
        subprocess.run(
            [
                cli,
                "--cluster",
                "create",
                *(f"127.0.0.1:{p}" for p in self.ports),
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            timeout=60,
        )
        SentinelSet._wait_until(self._ready, "the cluster to cover every slot", 30)
        return self

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports[:3])

    def _ready(self) -> bool:
        for port in self.ports:
            client = redis.Redis(port=port, socket_timeout=1, decode_responses=True)
            try:
                info = client.cluster("info")
                state = info.get("cluster_state") if isinstance(info, dict) else ""
                if state != "ok":
                    return False
                # Each primary's replica attached (a failover needs one to promote).
                if any(len(entry) < 4 for entry in client.cluster("slots")):
                    return False
            except (redis.RedisError, OSError):
                return False
            finally:
                client.close()
        return True

    def primary_of(self, key: str) -> int:
        """The port of the primary holding `key`'s slot now."""
        for port in self.ports:
            if self.nodes[port].proc.poll() is not None:
                continue
            client = redis.Redis(port=port, socket_timeout=1, decode_responses=True)
            try:
                slot = client.cluster("keyslot", key)
                for start, end, primary, *_ in client.cluster("slots"):
                    if start <= slot <= end:
                        return int(primary[1])
            finally:
                client.close()
        raise RuntimeError("no node answers")

    def replica_of(self, key: str) -> int:
        """The port of a replica of `key`'s primary."""
        primary = self.primary_of(key)
        client = redis.Redis(port=primary, socket_timeout=1, decode_responses=True)
        try:
            return int(client.info("replication")["slave0"]["port"])
        finally:
            client.close()

    def pause(self, port: int) -> None:
        """SIGSTOP: the node stays connected and answers nothing (a replica that lags)."""
        self.nodes[port].proc.send_signal(signal.SIGSTOP)

    def resume(self, port: int) -> None:
        self.nodes[port].proc.send_signal(signal.SIGCONT)

    def kill_primary_of(self, key: str) -> int:
        port = self.primary_of(key)
        self.nodes[port].kill()
        return port

    def wait_for_new_primary_of(self, key: str, old: int, timeout: float = 30) -> float:
        started = time.monotonic()

        def promoted() -> bool:
            try:
                return self.primary_of(key) != old and self._slot_ok(key)
            except (redis.RedisError, OSError, RuntimeError):
                return False

        SentinelSet._wait_until(promoted, f"a new primary for {key}", timeout)
        return time.monotonic() - started

    def _slot_ok(self, key: str) -> bool:
        port = self.primary_of(key)
        client = redis.Redis(port=port, socket_timeout=1)
        try:
            return client.info("replication")["role"] == "master"
        finally:
            client.close()
