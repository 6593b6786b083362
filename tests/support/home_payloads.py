"""Payloads Slack sends for the App Home tab, shaped as in Slack's docs: the `app_home_opened`
event and `block_actions` from a button on a published Home view (container type "view", no
channel, no response_url). Sign them with tests.support.signing like every other body."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.support.signing import (
    API_APP_ID,
    BOT_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    event_callback_body,
    new_trigger_id,
)

_seq = itertools.count(1)


def app_home_opened_body(
    *, user_id: str = "U1", team_id: str = TEAM_ID, tab: str = "home"
) -> bytes:
    """The Events API envelope of a person opening the app's Home (or Messages) tab."""
    event = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": f"D{next(_seq):08d}",
        "tab": tab,
        "event_ts": f"{int(time.time())}.{next(_seq):06d}",
    }
    return event_callback_body(event, team_id=team_id)


def home_view(view_id: str, team_id: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": view_id,
        "team_id": team_id,
        "type": "home",
        "blocks": blocks,
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": f"{int(time.time())}.abcdef12",
        "title": {"type": "plain_text", "text": "View Title", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }


def home_button_body(
    action_id: str,
    *,
    user_id: str = "U1",
    team_id: str = TEAM_ID,
    blocks: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
) -> bytes:
    """A click on a button of the published Home view."""
    view_id = f"VHOME{next(_seq):06d}"
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": home_view(view_id, team_id, blocks or []),
        "actions": [
            {
                "action_id": action_id,
                "block_id": "home",
                "text": {"type": "plain_text", "text": "Button", "emoji": True},
                "value": action_id,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
        "state": {"values": {}},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()
