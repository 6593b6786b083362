"""Every Slack identifier the bot sends or matches: action, callback and block IDs, in one place."""

from __future__ import annotations

from enum import StrEnum

SLASH_COMMAND = "/aicost"


class Action(StrEnum):
    """Buttons under an estimate (and under each follow-up answer in its thread)."""

    edit_in_form = "aicost_edit_in_form"
    what_if_10x = "aicost_what_if_10x"
    apply_caching = "aicost_apply_caching"
    cheaper_model = "aicost_cheaper_model"
    chart = "aicost_chart"  # the estimate's chart again, in its thread
    export = "aicost_export"  # the estimate as CSV and JSON files, in its thread


# Slack's feedback buttons under an estimate; their values are the verdicts counted.
FEEDBACK_ACTION = "aicost_feedback"


# The shareable page's link under an estimate, and its "Revoke link" button (value: the page ID).
PAGE_LINK_BLOCK = "aicost_page_link"
REVOKE_LINK_ACTION = "aicost_revoke_link"


class Verdict(StrEnum):
    useful = "useful"
    not_useful = "not_useful"


class Callback(StrEnum):
    form = "aicost_form"


class FormField(StrEnum):
    """Block IDs of the modal's inputs; each input's action_id is the same string."""

    users = "users"
    stage = "stage"
    prototype_cost = "prototype_cost"
    model = "model"
    requests_per_active_user_per_day = "requests_per_active_user_per_day"
    input_tokens = "input_tokens"
    output_tokens = "output_tokens"
    cache_hit_rate = "cache_hit_rate"
    regions = "regions"
    compliance = "compliance"
    uptime = "uptime"
    hosting = "hosting"


class HomeAction(StrEnum):
    """Buttons on the App Home tab."""

    new_estimate = "aicost_home_new_estimate"
    edit_settings = "aicost_home_edit_settings"


class SettingsCallback(StrEnum):
    settings = "aicost_settings"


class SettingsField(StrEnum):
    """Block IDs of the settings modal's inputs; each input's action_id is the same string."""

    currency = "currency"
    rate = "rate"
    salary_region = "salary_region"
    salaries = "salaries"
    loaded_factor = "loaded_factor"
    discounts = "discounts"
    model_prices = "model_prices"
    gpu_prices = "gpu_prices"
    cloud_multiplier = "cloud_multiplier"
    requests_per_active_user_per_day = "requests_per_active_user_per_day"
    input_tokens = "input_tokens"
    output_tokens = "output_tokens"
    daily_active_share = "daily_active_share"
    editors = "editors"
