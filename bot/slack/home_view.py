"""The Home tab's view: a New estimate button, the workspace's recent estimates, its settings.

Drawn only from what is stored (each estimate's history entry, the workspace's settings), so
publishing it never recomputes an estimate. Every text that came from a person or from storage is
escaped before it reaches mrkdwn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.slack import limits
from bot.slack.blockkit import (
    actions,
    button,
    context_of,
    escape,
    header,
    marked_up,
    section_of,
)
from bot.slack.fitting import clip
from bot.slack.ids import HomeAction
from bot.slack.workspace import APPLIED_NOTE, WorkspaceSettings
from bot.slack.workspace_settings_form import (
    shown_discounts,
    shown_gpu_prices,
    shown_model_prices,
    shown_salaries,
)
from estimator import (
    DOLLARS,
    SYMBOLS,
    ShownCurrency,
    count,
    percent,
    shown_currency,
    usd_range,
    user_count,
)

DATA_FILE = "the data file's"


def _markup(text: str) -> dict:
    """Home's texts carry our own markup (links, mentions, dates) around parts escaped with
    `escape`; Home has always been sent without `verbatim`."""
    return marked_up(text, verbatim=False)


def _button(action: HomeAction, label: str, primary: bool = False) -> dict:
    return button(action.value, label, action.value, primary)


# --- recent estimates ---------------------------------------------------------------------------


def scenario_summary(entry: dict[str, Any]) -> str:
    """'10,000 users, startup, gpt-4o-mini' from a history entry (what is there of it)."""
    parts = []
    users = entry.get("users")
    if isinstance(users, int | float) and not isinstance(users, bool):
        parts.append(user_count(users))
    for key in ("stage", "model"):
        value = entry.get(key)
        if isinstance(value, str) and value:
            parts.append(value)
    return ", ".join(parts) or "An estimate"


def _first_year(entry: dict[str, Any]) -> str:
    amount = entry.get("first_year")
    if not isinstance(amount, dict):
        return ""
    low, high = amount.get("low"), amount.get("high")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
        return ""
    # In the rate of the estimate's day, not today's.
    return f"first year {usd_range(float(low), float(high), _currency(entry))}"


def _currency(entry: dict[str, Any]) -> ShownCurrency:
    """The currency and rate an estimate was shown in when made (USD for older entries)."""
    currency = entry.get("currency")
    if not isinstance(currency, dict):
        return DOLLARS
    code, rate = currency.get("code"), currency.get("per_usd")
    if code not in SYMBOLS or isinstance(rate, bool) or not isinstance(rate, int | float):
        return DOLLARS
    return shown_currency(code, float(rate)) if rate > 0 else DOLLARS


def _slack_id(value: Any) -> str | None:
    """A Slack ID fit to put inside <@...> or <#...>; anything else is not shown."""
    if isinstance(value, str) and value.isalnum() and 0 < len(value) <= 40:
        return value
    return None


def _fallback_date(at: int) -> str:
    """What clients that cannot format <!date> show instead."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _estimate_blocks(entry: dict[str, Any], link: str | None) -> list[dict]:
    title = escape(scenario_summary(entry))
    if link and link.startswith("https://") and not any(c in link for c in "|<> "):
        title = f"<{link}|{title}>"
    figure = _first_year(entry)
    blocks = [section_of(_markup(f"*{title}*" + (f"  ·  {figure}" if figure else "")))]
    who = []
    user, channel = _slack_id(entry.get("user")), _slack_id(entry.get("channel"))
    if user:
        who.append(f"<@{user}>")
    if channel and channel.startswith(("U", "W", "D")):  # the person's DM with the app
        who.append("in a direct message")
    elif channel:
        who.append(f"in <#{channel}>")
    at = entry.get("at")
    if isinstance(at, int) and not isinstance(at, bool) and at > 0:
        who.append(f"· <!date^{at}^{{date_short_pretty}} at {{time}}|{_fallback_date(at)}>")
    if who:
        blocks.append(context_of(_markup(" ".join(who))))
    return blocks


# --- settings -----------------------------------------------------------------------------------


def settings_lines(settings: WorkspaceSettings) -> list[tuple[str, str]]:
    """(label, value) for each setting, as a person reads them on Home."""
    o = settings.overrides
    defaults = o.stage_defaults
    usage = [
        f"{count(defaults.requests_per_active_user_per_day)} requests/user/day"
        if defaults.requests_per_active_user_per_day is not None
        else "",
        f"{count(defaults.input_tokens)} tokens in" if defaults.input_tokens is not None else "",
        f"{count(defaults.output_tokens)} out" if defaults.output_tokens is not None else "",
        f"{percent(defaults.daily_active_share)} active daily"
        if defaults.daily_active_share is not None
        else "",
    ]
    return [
        ("Currency", o.currency.describe()),
        ("Salary region", o.salary_region.value),
        ("Own salary ranges", shown_salaries(o) or "the region's"),
        ("Loaded-cost factor", f"{o.loaded_factor:g}x" if o.loaded_factor else DATA_FILE),
        ("LLM discounts", shown_discounts(o) or "none: list prices"),
        ("Own model prices ($/Mtok)", shown_model_prices(o) or "none: list prices"),
        ("GPU prices ($/hour)", shown_gpu_prices(o) or DATA_FILE),
        ("Cloud multiplier", f"{o.cloud_multiplier:g}x"),
        ("Stage defaults", ", ".join(u for u in usage if u) or "the stage's own"),
    ]


def _settings_blocks(settings: WorkspaceSettings) -> list[dict]:
    fields = [
        _markup(clip(f"*{label}*\n{escape(value)}", limits.SECTION_FIELD_TEXT))
        for label, value in settings_lines(settings)
    ]
    blocks = [
        section_of(fields=fields[i : i + limits.SECTION_FIELDS])
        for i in range(0, len(fields), limits.SECTION_FIELDS)
    ]
    editors = [f"<@{u}>" for u in settings.editors if _slack_id(u)]
    who = "Workspace admins and owners" + (f", and {', '.join(editors)}" if editors else "")
    notes = [f"{who} may change these; everyone sees them. {APPLIED_NOTE}"]
    changer = _slack_id(settings.updated_by)
    if changer and settings.updated_at:
        notes.append(
            f"Last changed by <@{changer}> "
            f"<!date^{settings.updated_at}^{{date_short_pretty}}|"
            f"{_fallback_date(settings.updated_at)}>."
        )
    blocks.append(context_of(*(_markup(clip(n, 2000)) for n in notes)))
    blocks.append(actions(_button(HomeAction.edit_settings, "Edit settings")))
    return blocks


# --- the view -----------------------------------------------------------------------------------


def home_view(
    recent: list[dict[str, Any]],
    links: dict[str, str],
    settings: WorkspaceSettings,
    feedback: dict[str, int] | None = None,
) -> dict:
    """The Home tab. `links` maps a message ts to its permalink (missing ones show unlinked)."""
    blocks: list[dict] = [
        header("What will your AI prototype cost in production?"),
        section_of(
            _markup(
                "An itemised estimate: monthly run-rate, one-time costs, first year, and what "
                "to change to spend less. Or type `/aicost 10000 users startup` in any channel."
            )
        ),
        actions(_button(HomeAction.new_estimate, "New estimate", True)),
        {"type": "divider"},
        header("Recent estimates in this workspace"),
    ]
    shown = recent[: limits.HOME_RECENT_ESTIMATES]
    if not shown:
        blocks.append(context_of(_markup("No estimates yet: yours will be listed here.")))
    for entry in shown:
        ts = entry.get("ts")
        blocks.extend(_estimate_blocks(entry, links.get(ts) if isinstance(ts, str) else None))
    if feedback:
        blocks.append(context_of(_markup(_feedback_line(feedback))))
    blocks.append({"type": "divider"})
    blocks.append(header("Workspace settings"))
    blocks.extend(_settings_blocks(settings))
    return {"type": "home", "blocks": blocks[: limits.HOME_BLOCKS]}


def _feedback_line(feedback: dict[str, int]) -> str:
    """What people said of the workspace's estimates, from the feedback buttons under them."""
    useful, not_useful = feedback.get("useful", 0), feedback.get("not_useful", 0)
    return f"Feedback on estimates: {count(useful)} found useful, {count(not_useful)} not useful."
