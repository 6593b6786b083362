"""The bot's settings read from the environment, in process (the bot refusing them: e2e/)."""

import os

import pytest

from bot.slack.settings import SettingsError, load_settings
from tests.support.bot_process import ROOT


def test_defaults(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "REDIS_", "PORT", "STATE_TTL")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")  # Socket Mode: no signing secret needed
    settings = load_settings()
    assert settings.socket_mode and settings.port == 3000
    assert settings.state_ttl_seconds == 7 * 24 * 3600
    assert settings.redis_url is None
    assert settings.slack_api_url == "https://slack.com/api/"
    assert "xoxb-1" not in repr(settings)  # secrets never print


def test_bad_port_is_named(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("PORT", "99999")
    with pytest.raises(SettingsError, match="PORT"):
        load_settings()


def test_estimate_workers_out_of_range_is_named(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("ESTIMATE_WORKERS", "-1")
    with pytest.raises(SettingsError, match="ESTIMATE_WORKERS"):
        load_settings()
    monkeypatch.setenv("ESTIMATE_WORKERS", "0")  # no workers: estimates in-process
    assert load_settings().estimate_workers == 0


def test_a_bot_token_and_a_client_id_together_are_refused(monkeypatch):
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "x")
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN and SLACK_CLIENT_ID"):
        load_settings()


def test_the_manifests_ask_for_the_scopes_and_events_distribution_needs():
    import yaml

    from bot.slack.installations import BOT_SCOPES

    for name in ("manifest.yml", "manifest.socket.yml"):
        manifest = yaml.safe_load((ROOT / "deploy" / name).read_text())
        assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
        events = manifest["settings"]["event_subscriptions"]["bot_events"]
        assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    http = yaml.safe_load((ROOT / "deploy" / "manifest.yml").read_text())
    assert http["oauth_config"]["redirect_urls"] == ["https://YOUR-HOST/slack/oauth_redirect"]
