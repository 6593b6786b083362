"""Listeners are module-level functions: called here as Bolt calls them, without a process."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from bot.slack.acknowledgement import ACK_BUDGET_SECONDS, RECEIVED_AT
from bot.slack.conversation import Conversations
from bot.slack.estimate_form import form_view
from bot.slack.ids import FormField
from bot.slack.listeners import commands, views
from bot.slack.messages.replies import BUSY
from bot.slack.metadata import FormMetadata
from bot.slack.metrics import Metrics
from bot.slack.store import make_store
from bot.slack.workers import Workers
from tests.support.reading import submitted_state


class Ack:
    """What the listener acknowledged with (Bolt's `ack`)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


async def test_a_form_with_bad_fields_is_refused_inline_and_nothing_is_answered_later() -> None:
    conversations = Conversations(make_store(None, 3600), Metrics(), Workers(count=0))
    metadata = FormMetadata(channel="C0123ABCD", thread_ts=None).dump()
    view = form_view(None, metadata)
    state = submitted_state(view, {FormField.users: "0", FormField.cache_hit_rate: "99%"})
    ack = Ack()
    await views.form_submitted(
        ack=ack,
        body={"user": {"id": "U0123ABCD"}},
        view={**view, "state": {"values": state}, "id": "V1", "hash": "h1"},
        client=None,  # type: ignore[arg-type]  # not reached: the form is refused first
        context=AsyncBoltContext({"team_id": "T0123ABCD"}),
        conversations=conversations,
    )
    (answer,) = ack.calls
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {FormField.users.value, FormField.cache_hit_rate.value}
    assert "between" in answer["errors"][FormField.users.value]
    assert conversations.in_flight == 0  # refused: nothing queued, nothing posted


async def test_a_command_reaching_its_listener_after_the_budget_is_told_busy_not_queued() -> None:
    """The listener itself: a command that waited in the event loop past what Slack allows is
    acknowledged with a sentence, and no job is recorded or answered for it."""
    conversations = Conversations(make_store(None, 3600), Metrics(), Workers(count=0))
    ack = Ack()
    late = time.monotonic() - ACK_BUDGET_SECONDS - 0.5
    await commands.aicost(
        ack=ack,
        command={
            "channel_id": "C0123ABCD",
            "user_id": "U0123ABCD",
            "text": "10000 users startup",
            "response_url": "https://hooks.slack.com/commands/1/2/3",
        },
        client=None,  # type: ignore[arg-type]  # not reached
        context=AsyncBoltContext({"team_id": "T0123ABCD", RECEIVED_AT: late}),
        conversations=conversations,
    )
    assert ack.calls == [{"text": BUSY}]
    assert conversations.in_flight == 0
