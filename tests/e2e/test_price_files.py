"""Price files at the terminal (`--prices`, AICOST_PRICES, `aicost prices`) and fresh token prices
through genai-prices' own updater, with the bundled snapshot when the network is unreachable.
No test here reaches the network: the updater is pointed at a closed loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.test_price_files import closed_port_url

ENV = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SLACK_BOT_TOKEN")}
ENV.pop("AICOST_PRICES", None)

PRICES = """\
salary_region = "UK"

[currency]
code = "GBP"
per_usd = 0.8
set_on = 2026-11-01

[discounts]
openai = 25

[network.nat_gateway_monthly]
low = 50
high = 50
"""


def aicost(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env={**ENV, "COLUMNS": "100", **(env or {})},
        timeout=60,
    )


@pytest.fixture
def price_file(tmp_path: Path) -> Path:
    path = tmp_path / "my-prices.toml"
    path.write_text(PRICES, encoding="utf-8")
    return path


def test_an_estimate_with_a_price_file_is_in_its_currency_and_names_what_it_applied(price_file):
    run = aicost("--prices", str(price_file), "10000", "users", "startup")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "(prototype £" in out and "First year" in out
    assert "Currency GBP at 0.8 per USD (set 2026-11-01)" in out
    assert "openai list less 25% (my-prices.toml)" in out
    assert "network.nat_gateway_monthly 50 (my-prices.toml)" in out
    assert "salary (UK, regions.toml)" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_the_flag_wins_over_aicost_prices_and_the_variable_alone_is_used(price_file, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('[currency]\ncode = "EUR"\nper_usd = 0.9\n', encoding="utf-8")
    by_env = aicost("--json", "10000", "users", env={"AICOST_PRICES": str(other)})
    assert json.loads(by_env.stdout)["currency"]["code"] == "EUR"
    both = aicost("--json", "--prices", str(price_file), "10000", "users",
                  env={"AICOST_PRICES": str(other)})  # fmt: skip
    data = json.loads(both.stdout)
    currency, usd = data["currency"], data["totals"]["first_year"]
    assert {k: currency[k] for k in ("code", "per_usd", "set_on", "amounts_are")} == {
        "code": "GBP",
        "per_usd": 0.8,
        "set_on": "2026-11-01",
        "amounts_are": "USD; multiply by per_usd for the currency",
    }
    for end in ("low", "high"):
        assert currency["first_year"][end] == pytest.approx(usd[end] * 0.8, abs=0.02)
    assert "openai token prices less 25% (my-prices.toml)" in data["settings_applied"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[compute.instance_monthly]\nlow = 'cheap'\n",
         "my-prices.toml: compute.instance_monthly.low: must be a number of 0 or more"),
        ("[compute.nope]\nlow = 1\n", "my-prices.toml: compute.nope: not an entry"),
        ("[discounts]\nopenaii = 10\n", "my-prices.toml: discounts: Unknown provider 'openaii'"),
        ("[currency\n", "my-prices.toml: not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_price_file_exits_2_with_one_line_naming_the_key(tmp_path, text, message):
    path = tmp_path / "my-prices.toml"
    path.write_text(text, encoding="utf-8")
    run = aicost("--prices", str(path), "10000", "users")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"aicost: {message}") and run.stderr.count("\n") == 1
    missing = aicost("10000", "users", env={"AICOST_PRICES": str(tmp_path / "gone.toml")})
    assert missing.returncode == 2 and "gone.toml: cannot read it" in missing.stderr


def test_aicost_prices_lists_each_price_with_where_it_came_from_within_the_width(price_file):
    run = aicost("--prices", str(price_file), "prices")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    rows = {line.split()[0]: line for line in lines if line.startswith("  ")}
    assert rows["gpt-4o-mini"].endswith("openai list less 25% (my-prices.toml)")
    assert rows["claude-haiku-4-5"].endswith("genai-prices")
    assert rows["salary.ml_engineer"].split()[1:] == ["76,000-114,000", "UK"]
    assert rows["network.nat_gateway_monthly"].split()[1:] == ["50", "my-prices.toml"]
    assert rows["compute.instance_monthly"].endswith("bundled")
    assert "GBP at 0.8 per USD" in run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 100
    plain = aicost("prices")
    assert "salary.ml_engineer" in plain.stdout and "my-prices.toml" not in plain.stdout


def test_update_prices_at_the_terminal_falls_back_and_says_so():
    run = aicost("--update-prices", "--json", "10000", "users",
                 env={"PRICES_UPDATE_URL": closed_port_url()})  # fmt: skip
    assert run.returncode == 0, run.stderr
    source = json.loads(run.stdout)["token_prices"]["source"]
    assert "bundled snapshot (refresh failed: ConnectError)" in source


def test_the_bot_refuses_an_unreadable_auto_update_setting_with_one_line():
    env = {k: v for k, v in ENV.items() if not k.startswith(("SLACK_", "REDIS_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PRICES_AUTO_UPDATE="maybe")
    run = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert run.stderr.strip() == "aicost bot: PRICES_AUTO_UPDATE must be 1 or 0 (got 'maybe')"
