"""Price files at the terminal (`--prices`, AICOST_PRICES, `aicost prices`) and fresh token prices
through genai-prices' own updater, with the bundled snapshot when the network is unreachable.
No test here reaches the network: the updater is pointed at a closed loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.parsing import first_scenario
from estimator import token_snapshot
from estimator.estimate import estimate

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


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/data.json"  # nothing listens there once closed


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


def test_a_refresh_with_the_network_unreachable_keeps_the_bundled_snapshot(monkeypatch):
    s = first_scenario("10000 users startup")
    before = estimate(s)
    monkeypatch.setattr(token_snapshot, "_state", {})
    assert token_snapshot.refresh(closed_port_url(), seconds=2) is False
    note = token_snapshot.snapshot_note()
    assert note.startswith(token_snapshot.bundled_note()) and "refresh failed: ConnectError" in note
    after = estimate(s)
    assert after.totals == before.totals
    assert after.to_dict()["token_prices"]["source"] == note
    assert token_snapshot.snapshot_status()["source"] == "bundled"


def test_a_fetched_snapshot_is_used_and_named(monkeypatch):
    """The updater's own fetch, made to return a snapshot with one price changed (no network)."""
    from genai_prices import data_snapshot
    from genai_prices.update_prices import UpdatePrices

    s = first_scenario("10000 users startup")
    before = estimate(s)
    bundled = data_snapshot.get_snapshot()

    def fetch(self):
        import copy

        providers = copy.deepcopy(bundled.providers)
        for provider in providers:
            for model in provider.models:
                if provider.id == "openai" and model.id == s.model:
                    model.prices.output_mtok *= 2  # type: ignore[union-attr]
        return data_snapshot.DataSnapshot(providers, from_auto_update=False)

    monkeypatch.setattr(token_snapshot, "_state", {})
    monkeypatch.setattr(UpdatePrices, "fetch", fetch)
    try:
        assert token_snapshot.refresh("http://127.0.0.1:9/unused") is True
        assert token_snapshot.snapshot_note().startswith("genai-prices data fetched ")
        assert estimate(s).totals.monthly.high > before.totals.monthly.high
    finally:
        data_snapshot.set_custom_snapshot(None)
        token_snapshot._clear_caches()
    assert estimate(s).totals == before.totals


def test_update_prices_at_the_terminal_falls_back_and_says_so():
    run = aicost("--update-prices", "--json", "10000", "users",
                 env={"PRICES_UPDATE_URL": closed_port_url()})  # fmt: skip
    assert run.returncode == 0, run.stderr
    source = json.loads(run.stdout)["token_prices"]["source"]
    assert "bundled snapshot (refresh failed: ConnectError)" in source


def test_an_unreadable_auto_update_setting_is_refused():
    with pytest.raises(token_snapshot.AutoUpdateError, match="PRICES_AUTO_UPDATE must be 1 or 0"):
        token_snapshot.wanted({"PRICES_AUTO_UPDATE": "maybe"})
    assert token_snapshot.wanted({"PRICES_AUTO_UPDATE": "1"}) is True
    assert token_snapshot.wanted({}) is False


def test_the_bot_refuses_an_unreadable_auto_update_setting_with_one_line():
    env = {k: v for k, v in ENV.items() if not k.startswith(("SLACK_", "REDIS_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PRICES_AUTO_UPDATE="maybe")
    run = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert run.stderr.strip() == "aicost bot: PRICES_AUTO_UPDATE must be 1 or 0 (got 'maybe')"
