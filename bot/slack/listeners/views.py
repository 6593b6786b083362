"""The form's submission: inline errors per field, or close it and post the estimate."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.acknowledgement import seconds_left
from bot.slack.conversation import Conversations
from bot.slack.estimate_form import scenario_from_form
from bot.slack.identity import installation_of
from bot.slack.ids import Callback, FormField
from bot.slack.job import Job
from bot.slack.metadata import FormMetadata


def register(app: AsyncApp) -> None:
    app.view(Callback.form.value)(form_submitted)


async def form_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    conversations.metrics.requests.labels(kind="view_submission").inc()
    values = view.get("state", {}).get("values", {})
    result = scenario_from_form(values)
    if isinstance(result, dict):
        await ack(response_action="errors", errors=result)
        return
    metadata = FormMetadata.load(view.get("private_metadata", ""))
    if metadata is None:
        await ack(
            response_action="errors",
            errors={FormField.users.value: "This form has expired: open it again."},
        )
        return
    # Read before the acknowledgement, like the buttons: Bolt loses the ack of a listener that
    # raises after it.
    owner = installation_of(context)
    team = owner["team_id"]
    job = Job(
        kind="form",
        **owner,
        channel=metadata.channel,
        user=body.get("user", {}).get("id", ""),
        thread_ts=metadata.thread_ts,
        values=values,
    )
    # The same submission delivered twice posts one estimate.
    once = f"view:{team}:{view.get('id', '')}:{view.get('hash', '')}"
    # Recorded before the acknowledgement, within what is left of Slack's 3 s.
    await conversations.submit(job, once, wait=seconds_left(context))
    await ack()
