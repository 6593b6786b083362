"""The App Home tab and workspace settings end to end, driven the way Slack drives them.

A real `python -m bot` serves HTTP; the app_home_opened event, Home button clicks and the
settings modal's view_submission are signed exactly as Slack signs them; the bot calls the fake
Slack Web API, which validates every view with slack_sdk's models; settings live in a real Redis.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest

from bot.slack.ids import Action, Callback, FormField, HomeAction, SettingsCallback, SettingsField
from tests.support.bot_process import BotProcess
from tests.support.home_payloads import app_home_opened_body, home_button_body
from tests.support.reading import (
    channel_id,
    estimate_with_tips,
    new_team,
    next_thread_reply,
    posts,
    submitted_state,
    text_of,
)
from tests.support.signing import (
    block_actions_body,
    event_callback_body,
    message_event,
    slash_command_body,
    view_submission_body,
)
from tests.support.slack_shapes import estimate_buttons

pytestmark = pytest.mark.asyncio(loop_scope="module")


def new_user() -> str:
    return "U" + uuid.uuid4().hex[:9].upper()


async def open_home(slack, bot, team, user) -> dict:
    """The person opens the Home tab; returns the view the bot published for them."""
    before = len([c for c in slack.calls_to("views.publish") if c.args.get("user_id") == user])
    status, _, seconds = await bot.post(app_home_opened_body(user_id=user, team_id=team))
    assert status == 200 and seconds < 3
    published = await slack.wait_for(
        lambda c: c.method == "views.publish" and c.args.get("user_id") == user and c.ok,
        count=before + 1,
    )
    return published[-1].args["view"]


async def click(slack, bot, team, user, action: HomeAction) -> dict:
    """A click on a Home button; returns the modal it opened."""
    trigger = "trigger-" + uuid.uuid4().hex
    await bot.post(home_button_body(action.value, user_id=user, team_id=team, trigger_id=trigger))
    (opened,) = await slack.wait_for(
        lambda c: c.method == "views.open" and c.args.get("trigger_id") == trigger
    )
    assert opened.ok, slack.summary()
    return opened.args["view"]


async def submit_settings(bot, team, user, values) -> tuple[int, dict]:
    body = view_submission_body(SettingsCallback.settings.value, values, team_id=team, user_id=user)
    status, text, _ = await bot.post(body)
    return status, json.loads(text) if text.strip() else {}


def choose(values: dict, field: SettingsField, value: str) -> None:
    option = {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
    values[field.value][field.value]["selected_option"] = option


def estimates_so_far(metrics: str) -> float:
    return float(re.search(r"^aicost_estimate_seconds_count (\S+)$", metrics, re.M).group(1))


async def test_home_lists_the_workspaces_recent_estimates_with_links_who_and_when(slack, bot, team):
    first, second = channel_id(), channel_id()
    await bot.post(slash_command_body("10000 users startup", team_id=team, channel_id=first))
    first_ts = await estimate_with_tips(slack, first, "10000 users startup")
    await bot.post(
        slash_command_body("42000 users midsize", team_id=team, channel_id=second, user_id="U7")
    )
    second_ts = await estimate_with_tips(slack, second, "42000 users midsize")
    _, metrics = await bot.get("/metrics")

    view = await open_home(slack, bot, team, new_user())
    shown = text_of(view)
    assert shown.index("42,000 users, midsize") < shown.index("10,000 users, startup")
    assert "first year $" in shown
    assert f"<#{first}>" in shown and f"<#{second}>" in shown and "<@U7>" in shown
    assert f"/archives/{first}/p{first_ts.replace('.', '')}|" in shown
    assert f"/archives/{second}/p{second_ts.replace('.', '')}|" in shown
    assert "<!date^" in shown
    buttons = [
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == [HomeAction.new_estimate.value, HomeAction.edit_settings.value]
    # Drawn from stored entries: publishing Home computed no estimate.
    _, after = await bot.get("/metrics")
    assert estimates_so_far(after) == estimates_so_far(metrics)
    assert slack.violations == []


async def test_home_of_a_new_workspace_says_there_are_no_estimates_and_shows_bundled_prices(
    slack, bot, team
):
    shown = text_of(await open_home(slack, bot, team, new_user()))
    assert "No estimates yet" in shown
    assert "USD" in shown and "Salary region" in shown and "Cloud multiplier" in shown
    assert "admins and owners" in shown


async def test_recent_estimates_stay_in_their_own_workspace(slack, bot, team):
    channel = channel_id()
    await bot.post(slash_command_body("10000 users startup", team_id=team, channel_id=channel))
    await estimate_with_tips(slack, channel, "10000 users startup")
    shown = text_of(await open_home(slack, bot, new_team(), new_user()))
    assert "No estimates yet" in shown and channel not in shown


async def test_new_estimate_on_home_opens_the_form_and_posts_to_the_persons_dm(slack, bot, team):
    user = new_user()
    form = await click(slack, bot, team, user, HomeAction.new_estimate)
    assert form["callback_id"] == Callback.form.value
    values = submitted_state(form, {FormField.users: "25k"})
    body = view_submission_body(
        Callback.form.value, values, form["private_metadata"], team_id=team, user_id=user
    )
    status, text, _ = await bot.post(body)
    assert status == 200 and text in ("", "{}")
    # Posted in the app's DM with the person, under the id Slack sends their clicks with (D…).
    (opened,) = await slack.wait_for(
        lambda c: c.method == "conversations.open" and c.args.get("users") == user and c.ok
    )
    dm = opened.response["channel"]["id"]
    assert dm.startswith("D")
    ts = await estimate_with_tips(slack, dm, "25000 users startup")
    (posted,) = [
        c for c in slack.calls_to("chat.postMessage") if c.response.get("ts") == ts and c.ok
    ]
    assert "25,000" in text_of(posted.args["blocks"])
    shown = text_of(await open_home(slack, bot, team, user))
    assert "25,000 users, startup" in shown and "in a direct message" in shown
    # Home links to the estimate in the DM: Slack makes permalinks of conversation ids only.
    assert f"/archives/{dm}/p{ts.replace('.', '')}|" in shown

    # Its buttons and its thread work there, with the DM's id as Slack sends them.
    button = estimate_buttons(posted.args["blocks"])[Action.what_if_10x]
    pressed = block_actions_body(
        Action.what_if_10x.value, button, channel_id=dm, message_ts=ts, team_id=team,
        user_id=user,
    )  # fmt: skip
    reply = await next_thread_reply(slack, ts, bot.post(pressed))
    assert "users 25,000 → 250,000" in text_of(reply.args["blocks"])
    event = message_event("what if 40k users?", channel=dm, thread_ts=ts, team=team, user=user)
    event["channel_type"] = "im"
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    assert "→ 40,000" in text_of(reply.args["blocks"])
    assert slack.violations == []


async def test_an_admin_changes_settings_with_inline_errors_and_home_shows_them(slack, bot, team):
    admin = new_user()
    slack.make_admin(admin)
    modal = await click(slack, bot, team, admin, HomeAction.edit_settings)
    assert modal["callback_id"] == SettingsCallback.settings.value
    assert SettingsField.editors.value in [b.get("block_id") for b in modal["blocks"]]

    bad = submitted_state(
        modal,
        {
            SettingsField.discounts: "openaii 15%",
            SettingsField.loaded_factor: "9",
            SettingsField.gpu_prices: "b200 3",
            SettingsField.input_tokens: "a lot",
        },
    )
    status, answer = await submit_settings(bot, team, admin, bad)
    assert status == 200 and answer["response_action"] == "errors"
    assert answer["errors"] == {
        SettingsField.discounts.value: "Unknown provider 'openaii': use e.g. openai, anthropic, "
        "google.",
        SettingsField.loaded_factor.value: "Loaded factor must be between 1 and 3.",
        SettingsField.gpu_prices.value: "Unknown GPU “b200”: use h100, h200, a100 or l4.",
        SettingsField.input_tokens.value: "Enter a number, like 1,000.",
    }

    good = submitted_state(
        modal,
        {
            SettingsField.rate: "0.9",
            SettingsField.discounts: "openai 15%, anthropic 10",
            SettingsField.gpu_prices: "h100 2.5/1.6",
            SettingsField.salaries: "ml 150k-200k",
            SettingsField.cloud_multiplier: "1.1",
            SettingsField.input_tokens: "1500",
        },
    )
    choose(good, SettingsField.currency, "EUR")
    choose(good, SettingsField.salary_region, "UK")
    status, answer = await submit_settings(bot, team, admin, good)
    assert status == 200 and answer == {}, answer

    shown = text_of(await open_home(slack, bot, team, new_user()))
    assert re.search(r"EUR at 0\.9 per USD \(set \d{4}-\d\d-\d\d\)", shown)
    for words in ("openai 15%, anthropic 10%", "h100 2.5/1.6", "ml 150k-200k", "1.1x"):
        assert words in shown
    assert "UK" in shown and "1,500 tokens in" in shown and f"<@{admin}>" in shown

    again = await click(slack, bot, team, admin, HomeAction.edit_settings)
    prefilled = {
        b["block_id"]: b["element"].get("initial_value") for b in again["blocks"] if "element" in b
    }
    assert prefilled[SettingsField.discounts.value] == "openai 15%, anthropic 10%"
    assert prefilled[SettingsField.rate.value] == "0.9"
    assert slack.violations == []


async def test_someone_who_is_not_an_admin_is_told_why_and_a_forged_submission_changes_nothing(
    slack, bot, team
):
    member, admin = new_user(), new_user()
    slack.make_admin(admin, "is_primary_owner")
    notice = await click(slack, bot, team, member, HomeAction.edit_settings)
    assert "Only workspace admins and owners" in text_of(notice)
    assert not [b for b in notice["blocks"] if b["type"] == "input"]

    modal = await click(slack, bot, team, admin, HomeAction.edit_settings)
    forged = submitted_state(modal, {SettingsField.cloud_multiplier: "0.2"})
    status, answer = await submit_settings(bot, team, member, forged)
    assert status == 200 and answer["response_action"] == "errors"
    assert "Only workspace admins and owners" in answer["errors"][SettingsField.currency.value]
    assert "0.2x" not in text_of(await open_home(slack, bot, team, member))


async def test_people_an_admin_lists_may_change_settings_but_not_the_list(slack, bot, team):
    admin, editor = new_user(), new_user()
    slack.make_admin(admin, "is_owner")
    modal = await click(slack, bot, team, admin, HomeAction.edit_settings)
    values = submitted_state(modal)
    values[SettingsField.editors.value][SettingsField.editors.value]["selected_users"] = [editor]
    status, answer = await submit_settings(bot, team, admin, values)
    assert status == 200 and answer == {}, answer

    theirs = await click(slack, bot, team, editor, HomeAction.edit_settings)
    assert theirs["callback_id"] == SettingsCallback.settings.value
    assert SettingsField.editors.value not in [b.get("block_id") for b in theirs["blocks"]]
    status, answer = await submit_settings(
        bot, team, editor, submitted_state(theirs, {SettingsField.cloud_multiplier: "1.25"})
    )
    assert status == 200 and answer == {}, answer
    shown = text_of(await open_home(slack, bot, team, new_user()))
    assert "1.25x" in shown and f"<@{editor}>" in shown


async def test_settings_command_opens_the_settings_modal(slack, bot, team):
    admin = new_user()
    slack.make_admin(admin)
    trigger = "trigger-" + uuid.uuid4().hex
    await bot.post(
        slash_command_body(" Settings ", team_id=team, user_id=admin, trigger_id=trigger)
    )
    (opened,) = await slack.wait_for(
        lambda c: c.method == "views.open" and c.args.get("trigger_id") == trigger
    )
    assert opened.args["view"]["callback_id"] == SettingsCallback.settings.value


async def test_settings_survive_a_bot_restart(slack, redis_url, team):
    admin = new_user()
    slack.make_admin(admin)
    first = await BotProcess(slack.base_url, redis_url).start()
    try:
        modal = await click(slack, first, team, admin, HomeAction.edit_settings)
        values = submitted_state(modal, {SettingsField.discounts: "anthropic 12%"})
        status, answer = await submit_settings(first, team, admin, values)
        assert status == 200 and answer == {}, answer
    finally:
        assert await first.stop() == 0
    second = await BotProcess(slack.base_url, redis_url).start()
    try:
        assert "anthropic 12%" in text_of(await open_home(slack, second, team, new_user()))
    finally:
        assert await second.stop() == 0


async def test_when_slack_cannot_say_who_is_an_admin_the_modal_says_so_instead_of_refusing(
    slack, bot, team
):
    admin = new_user()
    slack.make_admin(admin)
    slack.fail_next("users.info", "fatal_error")
    notice = await click(slack, bot, team, admin, HomeAction.edit_settings)
    assert "couldn't check with Slack" in text_of(notice)
    retried = await click(slack, bot, team, admin, HomeAction.edit_settings)
    assert retried["callback_id"] == SettingsCallback.settings.value


async def test_opening_the_messages_tab_publishes_nothing(slack, bot, team):
    user = new_user()
    status, _, _ = await bot.post(app_home_opened_body(user_id=user, team_id=team, tab="messages"))
    assert status == 200
    await open_home(slack, bot, team, user)  # answered after the messages tab was handled
    assert len([c for c in slack.calls_to("views.publish") if c.args["user_id"] == user]) == 1


async def test_feedback_buttons_under_an_estimate_are_counted_on_home_and_in_metrics(
    slack, bot, team
):
    channel = channel_id()
    await bot.post(slash_command_body("10000 users startup", team_id=team, channel_id=channel))
    ts = await estimate_with_tips(slack, channel, "10000 users startup")
    (main,) = [c for c in posts(slack, channel) if c.response.get("ts") == ts]
    (block,) = [b for b in main.args["blocks"] if b["type"] == "context_actions"]
    (element,) = block["elements"]
    assert element["type"] == "feedback_buttons"
    _, before = await bot.get("/metrics")

    async def vote(user: str, button: str, name: str) -> None:
        await bot.post(
            block_actions_body(
                element["action_id"], element[button]["value"], channel_id=channel,
                message_ts=ts, team_id=team, user_id=user, action_type="feedback_buttons",
                response_url=slack.response_url(name),
            )
        )  # fmt: skip

    await vote("U0LIKES", "positive_button", "like")
    (thanks,) = await slack.wait_for_response("like")
    assert thanks.body["response_type"] == "ephemeral" and "Thanks" in text_of(thanks.body)
    await vote("U0LIKES", "positive_button", "like-again")  # the same person again: not counted
    await vote("U0DOUBTS", "negative_button", "doubt")
    await slack.wait_for_response("doubt")
    shown = text_of(await open_home(slack, bot, team, new_user()))
    assert "Feedback on estimates: 1 found useful, 1 not useful" in shown
    _, after = await bot.get("/metrics")

    def counted(metrics: str, verdict: str) -> float:
        found = re.search(rf'^aicost_feedback_total{{verdict="{verdict}"}} (\S+)$', metrics, re.M)
        return float(found.group(1)) if found else 0.0

    assert counted(after, "useful") - counted(before, "useful") == 1
    assert counted(after, "not_useful") - counted(before, "not_useful") == 1
    assert slack.violations == []
