"""The App Home tab and workspace settings: app_home_opened, the Home buttons, `/aicost settings`
and the settings modal's submission. Settings and Home belong to the installation (its workspace,
or its organisation for an org-wide install), like conversations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import Conversations
from bot.slack.home_data import HomeTab
from bot.slack.identity import workspace_of
from bot.slack.ids import SLASH_COMMAND, HomeAction, SettingsCallback, SettingsField
from bot.slack.where import Where
from bot.slack.workspace_settings_form import read_settings

SETTINGS_WORD = "settings"


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(HomeAction.new_estimate.value)(new_estimate)
    app.action(HomeAction.edit_settings.value)(edit_settings)
    app.view(SettingsCallback.settings.value)(settings_submitted)


def register_settings_command(app: AsyncApp) -> None:
    """`/aicost settings`: registered before the general /aicost listener, which then never
    sees "settings"."""
    app.command(SLASH_COMMAND, matchers=[is_settings])(settings_command)


async def home_opened(
    event: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
    home_tab: HomeTab,
) -> None:
    if event.get("tab") != "home":
        return  # the Messages tab
    conversations.metrics.requests.labels(kind="home_opened").inc()
    team = workspace_of(context)
    user = event.get("user") or ""
    where = Where(team=team, channel="", user=user)
    conversations.spawn(home_tab.publish(client, team, user), "home", where)


async def new_estimate(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
) -> None:
    trigger_id = body.get("trigger_id")
    user = (body.get("user") or {}).get("id", "")
    await ack()
    conversations.metrics.requests.labels(kind="home_button").inc()
    # From Home there is no channel: the estimate goes to the person's DM with the app.
    where = Where(
        team=workspace_of(context), enterprise=context.enterprise_id, channel=user, user=user
    )
    work = conversations.open_form(client, where, trigger_id, None)
    conversations.spawn(work, "home_button", where)


async def edit_settings(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
    home_tab: HomeTab,
) -> None:
    trigger_id = body.get("trigger_id")
    team, user = workspace_of(context), (body.get("user") or {}).get("id", "")
    await ack()
    conversations.metrics.requests.labels(kind="home_button").inc()
    where = Where(team=team, channel="", user=user)
    conversations.spawn(home_tab.open_settings(client, team, user, trigger_id), "settings", where)


async def settings_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
    home_tab: HomeTab,
) -> None:
    conversations.metrics.requests.labels(kind="view_submission").inc()
    team, user = workspace_of(context), (body.get("user") or {}).get("id", "")
    # Checked on arrival, not only when the modal opened: a forged submission changes nothing.
    current = await home_tab.settings(team)
    allowed, admin, why = await home_tab.may_change(client, user, current)
    if not allowed:
        await ack(response_action="errors", errors={SettingsField.currency.value: why})
        return
    values = (view.get("state") or {}).get("values") or {}
    result = read_settings(values, current, dt.datetime.now(dt.UTC).date(), admin)
    if isinstance(result, dict):
        await ack(response_action="errors", errors=result)
        return
    overrides, editors = result
    problem = await home_tab.save(team, user, overrides, editors)
    if problem:
        await ack(response_action="errors", errors={SettingsField.currency.value: problem})
        return
    await ack()
    where = Where(team=team, channel="", user=user)
    conversations.spawn(home_tab.publish(client, team, user), "home", where)


async def is_settings(command: dict[str, Any]) -> bool:
    return (command.get("text") or "").strip().lower() == SETTINGS_WORD


async def settings_command(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    conversations: Conversations,
    home_tab: HomeTab,
) -> None:
    await ack()
    conversations.metrics.requests.labels(kind="slash_command").inc()
    team, user = workspace_of(context), command.get("user_id", "")
    where = Where(team=team, channel="", user=user, response_url=command.get("response_url"))
    work = home_tab.open_settings(client, team, user, command.get("trigger_id"))
    conversations.spawn(work, "settings", where)
