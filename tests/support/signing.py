"""Signed Slack request bodies for driving the bot's HTTP endpoint in tests.

Bodies follow the payloads in Slack's docs (slash commands, block_actions, view_submission,
Events API); :func:`sign` produces the same headers Slack sends, so the app's real signature
verification runs instead of being switched off.

    body = slash_command_body("10000 users startup", response_url=slack.response_url("cmd"))
    await http.post("/slack/events", data=body, headers=headers_for(body, SIGNING_SECRET))
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T1"
TEAM_DOMAIN = "aicost-test"
API_APP_ID = "A0AICOST"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
# Deprecated verification token; Slack still sends it, bolt ignores it.
VERIFICATION_TOKEN = "verification-token-not-used"
# Loopback on a port nothing listens on: a test that forgets to pass the fake's response_url
# gets a refused connection, never traffic to a real host.
DEFAULT_RESPONSE_URL = "http://127.0.0.1:9/commands/T1/1000000000001/abcdefABCDEF1234567890"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"

_seq = itertools.count(1)


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack adds to every request: v0 HMAC-SHA256 over ``v0:{ts}:{body}``."""
    ts = int(time.time()) if timestamp is None else timestamp
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def headers_for(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """:func:`sign` plus the Content-Type Slack uses for this kind of body."""
    content_type = JSON_CONTENT_TYPE if body.lstrip().startswith(b"{") else FORM_CONTENT_TYPE
    return {"Content-Type": content_type, **sign(body, secret, timestamp)}


def new_ts() -> str:
    """A unique, increasing Slack-style message ts (distinct range from FakeSlack's)."""
    n = next(_seq)
    return f"{1710000000 + n // 10000}.{(n % 10000) * 100:06d}"


def new_trigger_id() -> str:
    n = next(_seq)
    return f"{1000000000 + n}.{1000000000 + n}.{n:032x}"


def slash_command_body(
    text: str,
    *,
    command: str = "/aicost",
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    channel_id: str = "C1",
    channel_name: str = "general",
    user_id: str = "U1",
    user_name: str = "alice",
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str | None = None,
    api_app_id: str = API_APP_ID,
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
) -> bytes:
    """Form-encoded slash command body with every field Slack documents."""
    fields: dict[str, str] = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
    }
    # Enterprise fields only appear for Enterprise Grid workspaces.
    if enterprise_id is not None:
        fields["enterprise_id"] = enterprise_id
        fields["enterprise_name"] = enterprise_name or "Enterprise"
    fields.update(
        {
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )
    return urlencode(fields).encode()


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": "alice", "name": "alice", "team_id": team_id}


def _form_payload(payload: dict[str, Any]) -> bytes:
    # Interactivity payloads arrive as a single form field holding JSON.
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_actions_body(
    action_id: str,
    value: str,
    *,
    channel_id: str = "C1",
    message_ts: str = "1700000000.000100",
    thread_ts: str | None = None,
    team_id: str = TEAM_ID,
    user_id: str = "U1",
    response_url: str = DEFAULT_RESPONSE_URL,
    block_id: str = "actions",
    action_type: str = "button",
    message_text: str = "",
    message_blocks: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
    is_ephemeral: bool = False,
) -> bytes:
    """Form body whose ``payload`` is a block_actions payload for a click on a message.

    ``action_type="static_select"`` sends ``selected_option`` instead of ``value``.
    """
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": new_ts(),
    }
    if action_type == "static_select":
        option = {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
        action["selected_option"] = option
    else:
        action["value"] = value
        action["text"] = {"type": "plain_text", "text": value, "emoji": True}

    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
    }
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": API_APP_ID,
        "team": team_id,
        "ts": message_ts,
        "text": message_text,
        "blocks": message_blocks or [],
    }
    if thread_ts is not None:
        container["thread_ts"] = thread_ts
        message["thread_ts"] = thread_ts

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    # Slack omits "message" for ephemeral messages; there is nothing to fetch.
    if not is_ephemeral:
        payload["message"] = message
    return _form_payload(payload)


def input_state(values: dict[str, dict[str, str]]) -> dict[str, Any]:
    """``{block_id: {action_id: text}}`` -> view.state.values for plain_text_input fields."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": text}
            for action_id, text in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission_body(
    callback_id: str,
    state_values: dict[str, Any],
    private_metadata: str = "",
    *,
    team_id: str = TEAM_ID,
    user_id: str = "U1",
    view_id: str = "V0000000001",
    title: str = "aicost",
    blocks: list[dict[str, Any]] | None = None,
    trigger_id: str | None = None,
) -> bytes:
    """Form body whose ``payload`` is a view_submission for a modal.

    ``state_values`` is the ``view.state.values`` mapping (see :func:`input_state`).
    """
    view = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks or [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values},
        "hash": "1700000000.abcdefgh",
        "title": {"type": "plain_text", "text": title, "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
        "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


def event_callback_body(
    event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None
) -> bytes:
    """JSON Events API envelope around ``event`` (see :func:`message_event`)."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_seq):010d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-eyJldCI6Im1lc3NhZ2UifQ-{next(_seq)}",
    }
    return json.dumps(envelope).encode()


def url_verification_body(challenge: str = "challenge-token") -> bytes:
    """The handshake Slack posts when the Events request URL is saved."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    ).encode()


def message_event(
    text: str,
    *,
    channel: str = "C1",
    user: str = "U1",
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    team: str = TEAM_ID,
    bot_id: str | None = None,
    subtype: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event (message.channels / message.groups via ``channel_type``)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": team,
    }
    if bot_id is not None:
        # Messages posted by apps carry bot_id; apps must ignore their own to avoid loops.
        event["bot_id"] = bot_id
        event["app_id"] = API_APP_ID
    else:
        event["client_msg_id"] = f"00000000-0000-4000-8000-{next(_seq):012d}"
    if subtype is not None:
        event["subtype"] = subtype
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = BOT_USER_ID
    return event


def app_mention_event(
    text: str,
    *,
    channel: str = "C1",
    user: str = "U1",
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
    bot_user_id: str = BOT_USER_ID,
) -> dict[str, Any]:
    """An ``app_mention`` event; prefixes ``<@UBOT>`` if ``text`` lacks the mention."""
    mention = f"<@{bot_user_id}>"
    if mention not in text:
        text = f"{mention} {text}"
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "client_msg_id": f"00000000-0000-4000-8000-{next(_seq):012d}",
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event
