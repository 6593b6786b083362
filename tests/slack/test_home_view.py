"""The Home tab and settings modal as views: valid Block Kit, within Slack's limits, escaped."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.views import View

from bot.slack import limits
from bot.slack.home_view import home_view
from bot.slack.ids import SettingsField
from bot.slack.workspace import WorkspaceSettings
from bot.slack.workspace_settings_form import read_settings, settings_view
from estimator.overrides import Currency, PriceOverrides
from tests.slack.test_blocks import assert_valid_blocks
from tests.support.reading import submitted_state, text_of

TODAY = dt.date(2026, 11, 29)


def _entry(n: int, **extra) -> dict:
    return {
        "ts": f"1700000000.{n:06d}",
        "users": 10_000 + n,
        "stage": "startup",
        "model": "gpt-4o-mini",
        "first_year": {"low": 285_335.2, "high": 459_129.9},
        "user": "U1",
        "channel": "C1",
        "at": 1_700_000_000 + n,
        **extra,
    }


def assert_valid_view(view: dict) -> None:
    assert View(**view).to_dict()  # slack_sdk's own validation of the whole view
    assert_valid_blocks(view["blocks"], limits.MODAL_BLOCKS)


def test_home_with_a_full_history_and_every_setting_stays_within_slacks_limits():
    overrides = PriceOverrides(
        provider_discounts={p: 10 for p in ("openai", "anthropic", "google", "mistral")},
        model_prices={f"model-{n}": {"input": 1, "output": 2} for n in range(30)},
        gpu_prices={"h100": {"on_demand": 2.5, "reserved": 1.6}},
        salaries={"ml_engineer": {"low": 100_000, "high": 150_000}},
        loaded_factor=1.3,
    )
    settings = WorkspaceSettings(overrides=overrides, editors=("U2", "U3"), updated_by="U1",
                                 updated_at=1_700_000_000)  # fmt: skip
    view = home_view([_entry(n) for n in range(20)], {}, settings)
    assert_valid_view(view)
    shown = text_of(view)
    assert "10,009 users" in shown and "10,010 users" not in shown  # ten rows shown
    assert "first year $285,335–459,130" in shown
    assert "<@U2>, <@U3>" in shown and "Last changed by <@U1>" in shown


def test_text_from_storage_is_escaped_and_odd_entries_are_shown_without_the_odd_parts():
    view = home_view(
        [
            _entry(1, stage="<!channel> & co", user="U1> <!here", channel=None, at="soon"),
            {"ts": 5, "first_year": "lots"},
        ],
        {"1700000000.000001": "javascript:alert(1)|x"},
        WorkspaceSettings(),
    )
    assert_valid_view(view)
    shown = text_of(view)
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp; co" in shown
    assert "<!here" not in shown and "javascript" not in shown
    assert "An estimate" in shown


def test_settings_modal_reads_back_exactly_what_it_shows():
    overrides = PriceOverrides(
        currency={"code": "EUR", "per_usd": 0.92, "set_on": dt.date(2026, 1, 5)},
        provider_discounts={"openai": 15},
        model_prices={"gpt-4o": {"input": 2.5, "output": 10}},
        gpu_prices={"a100": {"on_demand": 1.2}},
        salaries={"devops_engineer": {"low": 90_000, "high": 120_000}},
        stage_defaults={"daily_active_share": 0.3, "output_tokens": 400},
        cloud_multiplier=0.9,
        origin="workspace settings",
    )
    current = WorkspaceSettings(overrides=overrides, editors=("U9",))
    view = settings_view(current, may_choose_editors=True)
    assert_valid_view(view)
    read = read_settings(submitted_state(view), current, TODAY, may_choose_editors=True)
    assert read == (overrides, ("U9",))  # unchanged rate keeps the date it was set


def test_a_new_rate_is_dated_today_and_an_empty_one_takes_the_data_files_default():
    current = WorkspaceSettings()
    view = settings_view(current, may_choose_editors=False)
    values = submitted_state(view)
    option = {"text": {"type": "plain_text", "text": "JPY"}, "value": "JPY"}
    values[SettingsField.currency.value][SettingsField.currency.value]["selected_option"] = option
    read = read_settings(values, current, TODAY, may_choose_editors=False)
    assert not isinstance(read, dict)
    currency = read[0].currency
    assert currency.code is Currency.JPY and currency.per_usd == 150 and currency.set_on == TODAY


def test_each_bad_field_gets_its_own_message_under_it():
    view = settings_view(WorkspaceSettings(), may_choose_editors=False)
    values = submitted_state(
        view,
        {
            SettingsField.salaries: "ceo 1M",
            SettingsField.model_prices: "gpt-4o 2.5",
            SettingsField.discounts: "openai",
            SettingsField.cloud_multiplier: "",
            SettingsField.daily_active_share: "150%",
            SettingsField.rate: "lots",
        },
    )
    option = {"text": {"type": "plain_text", "text": "EUR"}, "value": "EUR"}
    values[SettingsField.currency.value][SettingsField.currency.value]["selected_option"] = option
    assert read_settings(values, WorkspaceSettings(), TODAY, False) == {
        "salaries": "Unknown role “ceo”: use ml, devops, sre or pm.",
        "model_prices": "Give input and output, like “gpt-4o 2.5/10”.",
        "discounts": "Write each as a name and a value, like “openai 15%”.",
        "cloud_multiplier": "Required.",
        "daily_active_share": "Daily active share must be between 0.01 and 1.",
        "rate": "Enter a number, like 0.92.",
    }


def test_a_submission_of_any_shape_is_read_without_raising():
    for values in ({}, {"currency": "x"}, {"rate": {"rate": {"value": 5}}}, None):
        assert isinstance(read_settings(values, WorkspaceSettings(), TODAY, True), dict)


def test_lists_are_read_the_way_people_type_them():
    view = settings_view(WorkspaceSettings(), may_choose_editors=False)
    values = submitted_state(
        view,
        {
            SettingsField.salaries: "ml 90,000-120,000, devops 80k-100k; SRE 95k",
            SettingsField.discounts: "OpenAI 15%,anthropic 7.5",
            SettingsField.gpu_prices: "h100 2.5/1.6\nl4 0.5",
        },
    )
    read = read_settings(values, WorkspaceSettings(), TODAY, False)
    assert not isinstance(read, dict), read
    overrides = read[0]
    assert {r: (s.low, s.high) for r, s in overrides.salaries.items()} == {
        "ml_engineer": (90_000, 120_000),
        "devops_engineer": (80_000, 100_000),
        "site_reliability_engineer": (95_000, 95_000),
    }
    assert overrides.provider_discounts == {"openai": 15, "anthropic": 7.5}
    assert {g.value: (p.on_demand, p.reserved) for g, p in overrides.gpu_prices.items()} == {
        "h100": (2.5, 1.6),
        "l4": (0.5, None),
    }
