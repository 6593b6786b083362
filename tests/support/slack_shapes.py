"""Payloads shaped like those in Slack's own SDK tests (slackapi/bolt-python
tests/scenario_tests_async: Slack Connect events with `authorizations` naming the installing
side and `is_ext_shared_channel`, thread_broadcast with its `root`, file_share with `files`;
org-wide installs whose interactivity payloads carry `team: null` and an `enterprise`). Written
from those shapes for this bot's scenarios; the fields are Slack's."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.support.fake_slack import BOT_USER_ID
from tests.support.signing import API_APP_ID, VERIFICATION_TOKEN, new_trigger_id, new_ts


def _authorization(team_id: str | None, enterprise_id: str | None, org_wide: bool) -> dict:
    return {
        "enterprise_id": enterprise_id,
        "team_id": None if org_wide else team_id,
        "user_id": BOT_USER_ID,
        "is_bot": True,
        "is_enterprise_install": org_wide,
    }


def event_envelope(
    event: dict[str, Any],
    *,
    installed_team: str | None,
    actor_team: str | None = None,
    enterprise_id: str | None = None,
    org_wide: bool = False,
    shared: bool = False,
    event_id: str | None = None,
) -> bytes:
    """An Events API envelope. In a shared channel `team_id` is the acting side's workspace
    while `authorizations[0]` names the installation the event was delivered for."""
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": actor_team or installed_team,
        "enterprise_id": enterprise_id,
        "context_team_id": actor_team or installed_team,
        "context_enterprise_id": enterprise_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{time.time_ns() % 10**12:012d}",
        "event_time": int(time.time()),
        "authorizations": [_authorization(installed_team, enterprise_id, org_wide)],
        "is_ext_shared_channel": shared,
    }
    return json.dumps(body).encode()


def thread_message(
    text: str,
    *,
    channel: str,
    thread_ts: str,
    user: str = "U1",
    team: str,
    subtype: str | None = None,
) -> dict[str, Any]:
    """A message in a thread; `subtype` thread_broadcast (also sent to the channel, with the
    thread's `root`) or file_share (with `files` and `upload`)."""
    ts = new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "text": text,
        "user": user,
        "team": team,
        "ts": ts,
        "thread_ts": thread_ts,
        "parent_user_id": BOT_USER_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
        "client_msg_id": f"00000000-0000-4000-8000-{time.time_ns() % 10**12:012d}",
    }
    if subtype == "thread_broadcast":
        event["subtype"] = subtype
        event["root"] = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": thread_ts,
            "thread_ts": thread_ts,
            "reply_count": 3,
            "reply_users_count": 1,
            "latest_reply": ts,
            "reply_users": [BOT_USER_ID],
            "is_locked": False,
        }
    elif subtype == "file_share":
        event["subtype"] = subtype
        event["upload"] = False
        event["display_as_bot"] = False
        event["files"] = [{"id": "F0123ABCD", "name": "usage.csv", "mimetype": "text/csv"}]
    elif subtype is not None:
        event["subtype"] = subtype
    return event


def changed_message(*, channel: str, thread_ts: str, team: str) -> dict[str, Any]:
    """An edit: message_changed, the new text under `message`, no `user` at the top."""
    ts = new_ts()
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        "message": {
            "type": "message",
            "user": "U1",
            "team": team,
            "text": "what if 90k users?",
            "ts": new_ts(),
            "thread_ts": thread_ts,
            "edited": {"user": "U1", "ts": ts},
        },
        "previous_message": {"type": "message", "text": "what if 80k users?", "ts": ts},
    }


def deleted_message(*, channel: str, thread_ts: str) -> dict[str, Any]:
    ts = new_ts()
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "deleted_ts": new_ts(),
        "channel": channel,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        "previous_message": {"type": "message", "text": "what if", "thread_ts": thread_ts},
    }


def block_actions(
    action_id: str,
    value: str,
    *,
    channel: str,
    message_ts: str | None,
    user_team: str,
    team: str | None,
    enterprise_id: str | None = None,
    org_wide: bool = False,
    response_url: str,
    thread_ts: str | None = None,
    ephemeral: bool = False,
) -> bytes:
    """A click on a message button. Org-wide installs send `team: null` (the person's
    workspace is in `user.team_id`); an ephemeral message's click has no `message`."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts or new_ts(),
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U2", "username": "bo", "name": "bo", "team_id": user_team},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": new_trigger_id(),
        "team": {"id": team, "domain": "shared"} if team else None,
        "enterprise": {"id": enterprise_id, "name": "Org"} if enterprise_id else None,
        "is_enterprise_install": org_wide,
        "channel": {"id": channel, "name": "shared-channel"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "actions",
                "text": {"type": "plain_text", "text": "button", "emoji": True},
                "value": value,
                "action_ts": new_ts(),
            }
        ],
    }
    if not ephemeral:
        payload["message"] = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": message_ts,
            "text": "estimate",
            **({"thread_ts": thread_ts} if thread_ts else {}),
        }
    return urlencode({"payload": json.dumps(payload)}).encode()


def slash_command(
    text: str,
    *,
    team_id: str,
    channel: str,
    response_url: str,
    enterprise_id: str | None = None,
    org_wide: bool = False,
    command: str = "/aicost",
) -> bytes:
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": "team",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "alice",
        "command": command,
        "text": text,
        "api_app_id": API_APP_ID,
        "is_enterprise_install": "true" if org_wide else "false",
        "response_url": response_url,
        "trigger_id": new_trigger_id(),
    }
    if enterprise_id:
        fields["enterprise_id"] = enterprise_id
        fields["enterprise_name"] = "Org"
    return urlencode(fields).encode()


def app_uninstalled(
    *, team_id: str | None, enterprise_id: str | None = None, org_wide: bool = False
) -> bytes:
    return event_envelope(
        {"type": "app_uninstalled", "event_ts": new_ts()},
        installed_team=team_id,
        enterprise_id=enterprise_id,
        org_wide=org_wide,
    )


def tokens_revoked(*, team_id: str) -> bytes:
    return event_envelope(
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}},
        installed_team=team_id,
    )


def estimate_buttons(message_blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> value of the estimate's buttons, as Slack would send them back."""
    return {
        element["action_id"]: element.get("value", "")
        for block in message_blocks
        if block.get("type") == "actions"
        for element in block["elements"]
    }
