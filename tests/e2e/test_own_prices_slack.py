"""A workspace's saved prices applied to its estimates, end to end: a real `python -m bot` (with
its estimate workers), the fake Slack Web API and a real Redis. An admin saves settings through
the modal as Slack sends it; /aicost then shows the currency and the discounted LLM line; a past
estimate's history keeps the rate of its day after the rate changes."""

from __future__ import annotations

import json
import uuid

import pytest
import redis.asyncio as redis

from bot.parsing import first_scenario
from bot.slack.ids import HomeAction, SettingsCallback, SettingsField
from bot.slack.job import Job
from bot.slack.job_queue import STREAM
from estimator.estimate import estimate
from estimator.money import DOLLARS, shown_currency, usd_range
from estimator.overrides import PriceOverrides
from estimator.price_book import price_book
from tests.support.bot_process import BotProcess, free_port
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
    event_callback_body,
    message_event,
    slash_command_body,
    view_submission_body,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
STANDARD = "10000 users startup"


async def save_settings(slack, bot, team: str, admin: str, typed: dict, currency: str) -> None:
    """The admin clicks Edit settings on Home, types into the modal and submits it."""
    trigger = "trigger-" + uuid.uuid4().hex
    await bot.post(
        home_button_body(
            HomeAction.edit_settings.value, user_id=admin, team_id=team, trigger_id=trigger
        )
    )
    (opened,) = await slack.wait_for(
        lambda c: c.method == "views.open" and c.args.get("trigger_id") == trigger
    )
    values = submitted_state(opened.args["view"], typed)
    option = {"text": {"type": "plain_text", "text": currency, "emoji": True}, "value": currency}
    values[SettingsField.currency.value][SettingsField.currency.value]["selected_option"] = option
    body = view_submission_body(
        SettingsCallback.settings.value, values, team_id=team, user_id=admin
    )
    status, text, _ = await bot.post(body)
    assert status == 200 and not text.strip(), text


async def estimate_text(slack, bot, team: str) -> str:
    """Everything the bot posted for `/aicost 10000 users startup` in a new channel."""
    channel = channel_id()
    await bot.post(slash_command_body(STANDARD, team_id=team, channel_id=channel))
    await estimate_with_tips(slack, channel, STANDARD)
    return " ".join(text_of(call.args) for call in posts(slack, channel))


async def thread_reply_text(slack, bot, team: str, text: str) -> str:
    """A new estimate, then `text` replied in its thread: the bot's answer."""
    channel = channel_id()
    await bot.post(slash_command_body(STANDARD, team_id=team, channel_id=channel))
    ts = await estimate_with_tips(slack, channel, STANDARD)
    event = message_event(text, channel=channel, thread_ts=ts, team=team)
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    return text_of(reply.args["blocks"])


def expected(rate: float, discount: float):
    own = PriceOverrides(
        currency={"code": "EUR", "per_usd": rate}, provider_discounts={"openai": discount}
    )
    return estimate(first_scenario(STANDARD), price_book(own))


def llm_line(e) -> str:
    item = next(i for i in e.line_items if i.item.startswith("LLM tokens"))
    return f"*{item.item}*: {usd_range(item.low, item.high, e.shown)}/month"


async def test_saved_settings_price_every_estimate_and_history_keeps_the_rate_of_its_day(
    slack, bot
):
    team, admin = new_team(), "U" + uuid.uuid4().hex[:9].upper()
    slack.make_admin(admin)
    plain = await estimate_text(slack, bot, team)
    assert llm_line(estimate(first_scenario(STANDARD))) in plain

    await save_settings(
        slack, bot, team, admin, {SettingsField.rate: "0.9", SettingsField.discounts: "openai 20%"},
        "EUR",
    )  # fmt: skip
    first = await estimate_text(slack, bot, team)
    at_09 = expected(0.9, 20)
    assert llm_line(at_09) in first  # in euros, 20% off the list price
    assert "EUR at 0.9 per USD" in first and "openai token prices less 20%" in first
    assert "$" not in llm_line(at_09)
    follow_up = await thread_reply_text(slack, bot, team, "what if 50k users?")
    assert "Updated: 50,000 users" in follow_up and "€" in follow_up and "$" not in follow_up
    assert "openai token prices less 20% (workspace settings)" in follow_up

    await save_settings(
        slack, bot, team, admin, {SettingsField.rate: "0.5", SettingsField.discounts: "openai 20%"},
        "EUR",
    )  # fmt: skip
    second = await estimate_text(slack, bot, team)
    assert llm_line(expected(0.5, 20)) in second and "EUR at 0.5 per USD" in second

    # Home: each estimate in the currency and at the rate it was made with.
    viewer = "U" + uuid.uuid4().hex[:9].upper()
    await bot.post(app_home_opened_body(user_id=viewer, team_id=team))
    (home,) = await slack.wait_for(
        lambda c: c.method == "views.publish" and c.args.get("user_id") == viewer and c.ok
    )
    shown = text_of(home.args["view"])
    first_year = at_09.totals.first_year
    then = f"first year {usd_range(first_year.low, first_year.high, shown_currency('EUR', 0.9))}"
    now = f"first year {usd_range(first_year.low, first_year.high, shown_currency('EUR', 0.5))}"
    usd_year = estimate(first_scenario(STANDARD)).totals.first_year
    assert then in shown and now in shown  # the 0.9 one kept, the 0.5 one new
    assert (
        f"first year {usd_range(usd_year.low, usd_year.high, DOLLARS)}" in shown
    )  # before any setting
    assert slack.violations == []


async def test_estimates_of_another_workspace_use_their_own_prices(slack, bot):
    other = await estimate_text(slack, bot, new_team())
    assert llm_line(estimate(first_scenario(STANDARD))) in other
    assert "EUR" not in other


async def test_a_job_queued_by_an_older_replica_still_reads_the_workspace_prices(
    slack, bot, redis_url
):
    """Jobs carry their workspace's settings in their stream entry; an entry an older replica
    wrote (during a rolling upgrade) has none, and the replica taking it reads the store."""
    team, admin = new_team(), "U" + uuid.uuid4().hex[:9].upper()
    slack.make_admin(admin)
    await save_settings(
        slack, bot, team, admin, {SettingsField.rate: "0.9", SettingsField.discounts: "openai 20%"},
        "EUR",
    )  # fmt: skip
    channel = channel_id()
    old = Job(kind="slash_command", team_id=team, channel=channel, user=admin, text=STANDARD,
              response_url=slack.response_url(channel))  # fmt: skip
    queue = redis.Redis.from_url(redis_url)
    try:
        await queue.xadd(STREAM, {"job": old.dump()})  # as a replica before this change wrote it
    finally:
        await queue.aclose()
    await estimate_with_tips(slack, channel, STANDARD)
    shown = " ".join(text_of(call.args) for call in posts(slack, channel))
    assert llm_line(expected(0.9, 20)) in shown and "EUR at 0.9 per USD" in shown


async def test_healthz_says_which_token_prices_are_in_use_when_the_refresh_fails(slack, redis_url):
    closed = free_port()  # nothing listens: the refresh fails and the bundled snapshot stays
    process = await BotProcess(
        slack.base_url,
        redis_url,
        extra_env={
            "PRICES_AUTO_UPDATE": "1",
            "PRICES_UPDATE_URL": f"http://127.0.0.1:{closed}/data.json",
        },
    ).start()
    try:
        status, body = await process.get("/healthz")
        health = json.loads(body)
        assert status == 200
        assert health["token_prices"]["source"] == "bundled"
        assert health["token_prices"]["refresh_error"] == "ConnectError"
        note = health["token_prices"]["note"]
        assert "bundled snapshot, read 2026-12-06 (refresh failed: ConnectError)" in note
    finally:
        assert await process.stop() == 0, process.logs()
