"""Reading what the bot sent, as a person would: the text of messages, the posts in a channel,
and fresh Slack-shaped IDs so tests never share a channel or workspace."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from bot.advisor import ConversationState, request
from bot.slack.messages.tips import thread_tips
from tests.support.fake_slack import Call, FakeSlack

STANDARD = "10000 users startup"


def text_of(node: Any) -> str:
    """Every piece of text in a message or view, joined: what a person would read."""
    if isinstance(node, dict):
        return " ".join(text_of(v) for k, v in node.items() if k not in ("action_id", "block_id"))
    if isinstance(node, list):
        return " ".join(text_of(v) for v in node)
    return node if isinstance(node, str) else ""


def thread_replies(slack: FakeSlack, ts: str) -> list[Call]:
    """The bot's replies posted successfully in the thread under the message `ts`, oldest first."""
    return [c for c in slack.calls_to("chat.postMessage") if c.ok and c.args.get("thread_ts") == ts]


async def next_thread_reply(
    slack: FakeSlack, ts: str, send: Awaitable[object], timeout: float = 5.0
) -> Call:
    """The bot's next reply in the thread under `ts` to what `send` sends (a request to the bot,
    not yet awaited): the replies already there are counted first, so an answer posted before
    `send` returns still counts as the next one."""
    before = len(thread_replies(slack, ts))
    await send
    found = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.ok and c.args.get("thread_ts") == ts,
        count=before + 1,
        timeout=timeout,
    )
    return found[before]


def posts(slack: FakeSlack, channel: str, thread_ts: str | None = None) -> list[Call]:
    """Messages the bot posted successfully in `channel` (in one thread, when given)."""
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel
        and c.ok
        and (thread_ts is None or c.args.get("thread_ts") == thread_ts)
    ]


def new_team() -> str:
    return "T" + uuid.uuid4().hex[:10].upper()


def channel_id() -> str:
    return "C" + uuid.uuid4().hex[:9].upper()


def submitted_state(view: dict, overrides: dict[str, str] | None = None) -> dict:
    """view.state.values as Slack would send them for the view's initial values, with some
    plain-text inputs typed over."""
    overrides = overrides or {}
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        action_id = element["action_id"]
        kind = element["type"]
        if kind == "plain_text_input":
            value = overrides.get(block["block_id"], element.get("initial_value", ""))
            state = {"type": kind, "value": value}
        elif kind == "static_select":
            state = {"type": kind, "selected_option": element.get("initial_option")}
        elif kind == "checkboxes":
            state = {"type": kind, "selected_options": element.get("initial_options", [])}
        elif kind == "multi_users_select":
            state = {"type": kind, "selected_users": element.get("initial_users", [])}
        else:
            raise AssertionError(f"form element {kind} not covered by this test")
        values[block["block_id"]] = {action_id: state}
    return values


def tips_for(text: str) -> int:
    """How many replies the bot posts in an estimate's thread for `/aicost text`."""
    estimate = request(text, ConversationState()).reply.estimate
    assert estimate is not None, text
    return len(thread_tips(estimate))


async def estimate_with_tips(slack: FakeSlack, channel: str, text: str = STANDARD) -> str:
    """Wait for the estimate of `/aicost text` posted in `channel` and every reply in its thread
    (so a later reply in the thread is the answer to whatever comes next); its ts."""
    tips = tips_for(text)
    (main,) = await slack.wait_for(
        lambda c: (
            c.method == "chat.postMessage"
            and c.args.get("channel") == channel
            and "thread_ts" not in c.args
            and c.ok
        )
    )
    ts = main.response["ts"]
    await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts, count=tips
    )
    return ts
