"""Both app manifests ask for what the bot uses, and say the same (deploy/manifest*.yml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.slack.agent_messages import SUGGESTED_PROMPTS
from bot.slack.installations import BOT_SCOPES
from tests.support.fake_slack.records import BOT_SCOPES as FAKE_SCOPES

DEPLOY = Path(__file__).parents[2] / "deploy"
MANIFESTS = ("manifest.yml", "manifest.socket.yml")


@pytest.fixture(params=MANIFESTS)
def manifest(request: pytest.FixtureRequest) -> dict:
    return yaml.safe_load((DEPLOY / request.param).read_text())


def test_the_scopes_are_the_ones_add_to_slack_asks_for(manifest: dict) -> None:
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert FAKE_SCOPES.split(",") == list(BOT_SCOPES)


def test_the_messages_tab_is_an_agent_with_the_prompts_the_bot_sets(manifest: dict) -> None:
    home = manifest["features"]["app_home"]
    assert home["messages_tab_enabled"] and not home["messages_tab_read_only_enabled"]
    agent = manifest["features"]["agent_view"]
    assert 20 < len(agent["agent_description"]) <= 500
    assert agent["suggested_prompts"] == list(SUGGESTED_PROMPTS)
    assert len(SUGGESTED_PROMPTS) <= 4
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"assistant:write", "im:history"} <= set(scopes)
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "message.im" in events
    # A new chat gets its prompts; the channel beside it changing is acknowledged.
    assert {"assistant_thread_started", "assistant_thread_context_changed"} <= set(events)


def test_org_wide_installs_are_allowed(manifest: dict) -> None:
    assert manifest["settings"]["org_deploy_enabled"] is True
