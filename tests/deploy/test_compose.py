"""compose.yaml and .env.example: the one-command stack is wired the way the bot needs it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis
import yaml

from bot.slack.config import Config, load_config
from tests.deploy.test_image import DOCKERFILE, exec_form, parse_dockerfile
from tests.support.bot_process import ROOT, free_port

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def test_env_example_documents_real_settings_and_env_is_git_ignored():
    documented = env_example()
    known = {name.upper() for name in Config.model_fields}
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} <= documented.keys() <= known
    load_config(**{name.lower(): value for name, value in documented.items()})
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, timeout=30)
    assert ignored.returncode == 0, ".env must be git-ignored: it holds the Slack secrets"


def test_bot_runs_over_http_from_env_file_on_the_compose_redis():
    bot = COMPOSE["services"]["bot"]
    assert bot["env_file"] == ".env" or ".env" in bot["env_file"]
    environment = bot["environment"]
    assert "SLACK_APP_TOKEN" not in environment  # HTTP mode, behind the published port
    assert environment["REDIS_URL"].startswith("redis://redis:")
    load_config(redis_url=environment["REDIS_URL"], slack_bot_token="x", slack_signing_secret="y")
    assert bot["ports"] == [f"{environment['PORT']}:{environment['PORT']}"]
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    # Its healthcheck is the image's own, and shutdown outlasts the bot's drain.
    image_check = parse_dockerfile(DOCKERFILE.read_text())[-1].last("HEALTHCHECK")
    assert bot["healthcheck"]["test"][1:] == exec_form(image_check[image_check.index("CMD ") + 4 :])
    grace = Config.model_fields["shutdown_grace_seconds"].default
    assert int(bot["stop_grace_period"].removesuffix("s")) > grace
    assert bot["read_only"] is True


def test_redis_service_persists_with_aof_and_its_command_really_starts_redis():
    service = COMPOSE["services"]["redis"]
    assert service["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert any(volume.endswith(":/data") for volume in service["volumes"])
    command = service["command"]
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: cannot try the service's command")
    # The same arguments on a local redis-server: AOF really is on.
    port, data = free_port(), tempfile.mkdtemp(prefix="aicost-compose-redis-")
    server = subprocess.Popen(
        [*command, "--port", str(port), "--bind", "127.0.0.1", "--dir", data, "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, socket_timeout=2)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def test_docker_compose_accepts_the_file():
    docker = shutil.which("docker")
    if (
        docker is None
        or subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30
        ).returncode
    ):
        pytest.skip("the docker compose plugin is not installed; the file is checked above")
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copy(ROOT / "compose.yaml", scratch)
        shutil.copy(ROOT / ".env.example", Path(scratch) / ".env")
        run = subprocess.run(
            [docker, "compose", "config", "--quiet"], cwd=scratch, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_the_managed_redis_override_points_the_bot_at_redis_url_and_leaves_the_local_one_out():
    override = yaml.safe_load((ROOT / "deploy" / "compose.managed-redis.yaml").read_text())
    bot = override["services"]["bot"]
    environment = bot["environment"]
    assert environment["REDIS_URL"].startswith("${REDIS_URL:?")  # required, from .env
    assert bot["depends_on"]["redis"]["required"] is False
    assert override["services"]["redis"]["profiles"] == ["local-redis"]
    known = {name.upper() for name in Config.model_fields}
    assert environment.keys() <= known
    # The examples .env.example gives are URLs the bot accepts.
    examples = [
        line.removeprefix("# REDIS_URL=")
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("# REDIS_URL=")
    ]
    assert len(examples) == 2
    for url in examples:
        load_config(redis_url=url, slack_bot_token="x", slack_signing_secret="y")
