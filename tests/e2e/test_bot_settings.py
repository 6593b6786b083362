"""Running the bot: settings from the environment, and what a missing one looks like."""

import os
import socket
import subprocess
import sys

import pytest

from tests.support.bot_process import ROOT, free_port


def _run_bot(env):
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_missing_bot_token_is_named_in_one_line_and_exits_non_zero():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    run = _run_bot(env)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]
    assert "Traceback" not in run.stderr


def test_http_mode_needs_the_signing_secret():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["SLACK_BOT_TOKEN"] = "xoxb-1"
    run = _run_bot(env)
    assert run.returncode != 0 and "SLACK_SIGNING_SECRET" in run.stderr
    assert "Traceback" not in run.stderr


def _distributed_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TOKEN_", "INSTALL"))}
    env["SLACK_SIGNING_SECRET"] = "s"
    env.update(settings)
    return env


@pytest.mark.parametrize(
    ("given", "missing"),
    [("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID"), ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")],
)
def test_half_of_the_client_pair_names_the_other_half_and_exits_2(given, missing):
    run = _run_bot(_distributed_env(**{given: "x"}))
    assert run.returncode == 2
    (line,) = run.stderr.strip().splitlines()
    assert f"{given} is set but {missing} is not" in line


def test_distributed_mode_needs_an_encryption_key_and_a_fernet_one():
    run = _run_bot(_distributed_env(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="x"))
    assert run.returncode == 2 and "TOKEN_ENCRYPTION_KEY is not set" in run.stderr
    run = _run_bot(
        _distributed_env(
            SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="x", TOKEN_ENCRYPTION_KEY="short"
        )
    )
    assert run.returncode == 2 and "not a Fernet key" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_an_unreachable_installation_database_is_one_line_and_exit_2():
    from cryptography.fernet import Fernet

    run = _run_bot(
        _distributed_env(
            SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="x",
            TOKEN_ENCRYPTION_KEY=Fernet.generate_key().decode(),
            INSTALLATION_DB_URL="postgresql://postgres@127.0.0.1:9/nowhere",
            PORT=str(free_port()),
        )
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "INSTALLATION_DB_URL" in run.stderr


def _http_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", **settings)
    return env


def _one_line_naming(run, setting: str, code: int = 2) -> str:
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines[-1].startswith("aicost bot: ") and setting in lines[-1], run.stderr
    return lines[-1]


def test_unknown_log_level_is_one_line_naming_it():
    line = _one_line_naming(_run_bot(_http_env(LOG_LEVEL="LOUD")), "LOG_LEVEL")
    assert "INFO" in line  # says what to type instead
    assert len(_run_bot(_http_env(LOG_LEVEL="LOUD")).stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("url", ["localhost:6379", "http://cache:6379", "redis://cache:port/0"])
def test_malformed_redis_url_is_one_line_naming_it(url):
    run = _run_bot(_http_env(REDIS_URL=url))
    line = _one_line_naming(run, "REDIS_URL")
    assert "redis://" in line
    assert len(run.stderr.strip().splitlines()) == 1


def test_port_already_in_use_is_one_line_naming_port_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # Slack unreachable too: the bot must not wait for it to report the port.
        env = _http_env(PORT=str(port), SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/")
        line = _one_line_naming(_run_bot(env), "PORT")
    assert str(port) in line and "in use" in line


@pytest.mark.parametrize("value", ["0", "lots", "-5", "100001"])
def test_a_bad_page_rate_limit_is_one_line_naming_it(value: str) -> None:
    run = _run_bot(_http_env(ESTIMATE_PAGE_REQUESTS_PER_MINUTE=value))
    _one_line_naming(run, "ESTIMATE_PAGE_REQUESTS_PER_MINUTE")
    assert len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "value", ["ingress", "10.0.0.0/33", "10.0.0.1,,nginx", "10.0.0.0/8;", "10.0.0.0/8,0.0.0.0/0"]
)
def test_bad_trusted_proxies_are_one_line_naming_the_setting_and_the_entry(value: str) -> None:
    run = _run_bot(_http_env(TRUSTED_PROXIES=value))
    line = _one_line_naming(run, "TRUSTED_PROXIES")
    assert len(run.stderr.strip().splitlines()) == 1
    assert "10.0.0.0/8" in line and ("CIDR" in line or "every address" in line)  # what to type
