"""The workspace settings modal: the view, prefilled from what is stored; its submission read back
into settings, with one short message under each bad field (worded like the estimate form's).

Lists are typed the way a person writes them: "openai 15%, anthropic 10%", "gpt-4o 2.5/10",
"h100 2.5/1.6", "ml 150k-200k". Every amount is in US dollars, like the bundled data file; the
currency and its rate only change how estimates are shown.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from bot.parsing import read_number
from bot.slack.blockkit import (
    context_of,
    input_block,
    modal,
    mrkdwn,
    option,
    select,
    selected,
    submitted,
    text_input,
)
from bot.slack.estimate_form import REQUIRED
from bot.slack.ids import SettingsCallback, SettingsField
from bot.slack.workspace import APPLIED_NOTE, MAX_EDITORS, ORIGIN, WorkspaceSettings
from estimator import (
    GPU,
    Currency,
    PriceOverrides,
    SalaryRegion,
    count,
    default_rate,
    gpus_offered,
    messages,
    percent,
    regions_data,
    roles,
)

log = logging.getLogger(__name__)

TITLE = "Workspace settings"
_TEXT_MAX = 500  # a list of a dozen entries; longer is not a setting anyone types
# Commas separate items, except inside a number ("90,000"): a comma before three digits is not one.
_ITEM_SEPARATORS = re.compile(r"[;\n]+|,(?!\d{3}(?!\d))")
# Short names people use for the roles of costs.toml's team section.
_ROLE_ALIASES = {
    "ml": "ml_engineer",
    "devops": "devops_engineer",
    "sre": "site_reliability_engineer",
    "pm": "product_manager",
}
_F = SettingsField


def _setting_input(
    field: SettingsField, label: str, element: dict, hint: str, optional: bool = True
) -> dict:
    """A settings field: optional unless said otherwise (an empty one keeps the default)."""
    return input_block(field, label, element, hint, optional=optional)


def _text(initial: str, placeholder: str) -> dict:
    return text_input(initial, _TEXT_MAX, placeholder)


def _number(value: float) -> str:
    return count(value) if value == int(value) else f"{value:g}"


def _short_role(role: str) -> str:
    return next((alias for alias, name in _ROLE_ALIASES.items() if name == role), role)


# --- what is stored, written back the way it is typed ---------------------------------------------


def _thousands(value: float) -> str:
    """150k for 150,000: shorter, and no comma to read as a separator."""
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def shown_salaries(o: PriceOverrides) -> str:
    return ", ".join(
        f"{_short_role(role)} {_thousands(r.low)}-{_thousands(r.high)}"
        for role, r in o.salaries.items()
    )


def shown_discounts(o: PriceOverrides) -> str:
    return ", ".join(f"{p} {share:g}%" for p, share in o.provider_discounts.items())


def shown_model_prices(o: PriceOverrides) -> str:
    return ", ".join(f"{m} {p.input:g}/{p.output:g}" for m, p in o.model_prices.items())


def shown_gpu_prices(o: PriceOverrides) -> str:
    return ", ".join(
        f"{gpu.value} {p.on_demand:g}" + (f"/{p.reserved:g}" if p.reserved is not None else "")
        for gpu, p in o.gpu_prices.items()
    )


# --- the view -----------------------------------------------------------------------------------


def settings_view(current: WorkspaceSettings, may_choose_editors: bool) -> dict:
    """The modal, prefilled from `current`. Only admins and owners see the editors field."""
    o = current.overrides
    defaults = o.stage_defaults
    rate_default = ", ".join(
        f"{c.value} {default_rate(c):g}" for c in Currency if c is not Currency.USD
    )
    checked = regions_data()["currency"]["EUR"]["checked"]
    blocks: list[dict] = [
        context_of(
            mrkdwn(
                "Amounts are in US dollars, like aicost's data file; estimates are shown in the "
                "currency below at your rate. Leave a field empty for the bundled figure. "
                + APPLIED_NOTE,
                verbatim=False,
            )
        ),
        _setting_input(
            _F.currency,
            "Currency",
            select([option(c.value, c.value) for c in Currency], o.currency.code.value),
            "Estimates are shown in it, with the rate used.",
            optional=False,
        ),
        _setting_input(
            _F.rate,
            "Rate (units per US dollar)",
            _text("" if o.currency.code is Currency.USD else f"{o.currency.per_usd:g}", "0.92"),
            f"Your finance team's rate; saved with today's date. Empty: the data file's "
            f"({rate_default}; checked {checked}).",
        ),
        _setting_input(
            _F.salary_region,
            "Salary region",
            select([option(r.value, r.value) for r in SalaryRegion], o.salary_region.value),
            "Sourced salary ranges per role for the region (data file regions.toml).",
            optional=False,
        ),
        _setting_input(
            _F.salaries,
            "Your own salary ranges (USD a year)",
            _text(shown_salaries(o), "ml 150k-200k, devops 120k-160k"),
            "Base salary per role: ml, devops, sre, pm. They win over the region's.",
        ),
        _setting_input(
            _F.loaded_factor,
            "Loaded-cost factor",
            _text(f"{o.loaded_factor:g}" if o.loaded_factor else "", "1.3"),
            "Salary times this is what a person costs (taxes, benefits): 1 to 3.",
        ),
        _setting_input(
            _F.discounts,
            "LLM discounts by provider",
            _text(shown_discounts(o), "openai 15%, anthropic 10%"),
            "Negotiated or committed-use discount off list token prices, 0-99%.",
        ),
        _setting_input(
            _F.model_prices,
            "Your own model prices (USD per Mtok)",
            _text(shown_model_prices(o), "gpt-4o 2.5/10"),
            "Input/output per million tokens; a model's own price wins over its discount.",
        ),
        _setting_input(
            _F.gpu_prices,
            "GPU prices (USD an hour)",
            _text(shown_gpu_prices(o), "h100 2.5/1.6, a100 1.2"),
            f"On-demand/reserved per GPU: {gpus_offered()}.",
        ),
        _setting_input(
            _F.cloud_multiplier,
            "Cloud price multiplier",
            _text(f"{o.cloud_multiplier:g}", "1"),
            "Scales app-tier cloud prices (servers, network, storage): 0.1 to 10.",
            optional=False,
        ),
        _setting_input(
            _F.requests_per_active_user_per_day,
            "Default requests per active user per day",
            _text(_optional_number(defaults.requests_per_active_user_per_day), "5"),
            "Used when a request does not say. 0.1 to 1,000.",
        ),
        _setting_input(
            _F.input_tokens,
            "Default input tokens per request",
            _text(_optional_number(defaults.input_tokens), "1,000"),
            "System prompt, history and context included. 1 to 2,000,000.",
        ),
        _setting_input(
            _F.output_tokens,
            "Default output tokens per request",
            _text(_optional_number(defaults.output_tokens), "300"),
            "1 to 200,000.",
        ),
        _setting_input(
            _F.daily_active_share,
            "Default share of users active daily",
            _text(
                percent(defaults.daily_active_share) if defaults.daily_active_share else "", "20%"
            ),
            "1% to 100%.",
        ),
    ]
    if may_choose_editors:
        users: dict[str, Any] = {"type": "multi_users_select", "max_selected_items": MAX_EDITORS}
        if current.editors:
            users["initial_users"] = list(current.editors)
        blocks.append(
            _setting_input(
                _F.editors,
                "Also allowed to change settings",
                users,
                "Admins and owners always may; everyone sees the settings.",
            )
        )
    return modal(SettingsCallback.settings.value, TITLE, "Save", blocks)


def _optional_number(value: float | None) -> str:
    return "" if value is None else _number(value)


# --- reading a submission -----------------------------------------------------------------------


class _Bad(ValueError):
    """One field's message for the person."""


def _typed(element: dict) -> str:
    value = element.get("value")
    return value.strip() if isinstance(value, str) else ""


def _amount(text: str, example: str, as_percent: bool = False) -> float:
    value = read_number(text, as_percent)
    if value is None:
        raise _Bad(f"Enter a number, like {example}.")
    return value


def _items(text: str, example: str) -> list[tuple[str, str]]:
    """'openai 15%, anthropic 10%' -> [('openai', '15%'), ('anthropic', '10%')]."""
    items = []
    for item in _ITEM_SEPARATORS.split(text):
        words = item.strip().rsplit(maxsplit=1)
        if not item.strip():
            continue
        if len(words) != 2:
            raise _Bad(f"Write each as a name and a value, like “{example}”.")
        items.append((words[0].strip().lower(), words[1].strip()))
    return items


def _salaries(text: str) -> dict[str, dict[str, float]]:
    example = "ml 150k-200k"
    ranges = {}
    for name, value in _items(text, example):
        role = _ROLE_ALIASES.get(name, name.replace(" ", "_"))
        if role not in roles():
            raise _Bad(f"Unknown role “{name}”: use ml, devops, sre or pm.")
        low, _, high = value.partition("-")
        ranges[role] = {"low": _amount(low, "150k"), "high": _amount(high or low, "200k")}
    return ranges


def _discounts(text: str) -> dict[str, float]:
    found = {}
    for provider, value in _items(text, "openai 15%"):
        found[provider] = _amount(value, "15%", as_percent=True) * 100
    return found


def _pair(value: str, example: str) -> tuple[float, float | None]:
    first, _, second = value.partition("/")
    return _amount(first, example), (_amount(second, example) if second else None)


def _model_prices(text: str) -> dict[str, dict[str, float]]:
    prices = {}
    for model, value in _items(text, "gpt-4o 2.5/10"):
        input_price, output_price = _pair(value, "2.5/10")
        if output_price is None:
            raise _Bad("Give input and output, like “gpt-4o 2.5/10”.")
        prices[model] = {"input": input_price, "output": output_price}
    return prices


def _gpu_prices(text: str) -> dict[str, dict[str, float]]:
    prices = {}
    for gpu, value in _items(text, "h100 2.5/1.6"):
        if gpu not in set(GPU):
            raise _Bad(f"Unknown GPU “{gpu}”: use {gpus_offered()}.")
        on_demand, reserved = _pair(value, "2.5/1.6")
        prices[gpu] = {"on_demand": on_demand}
        if reserved is not None:
            prices[gpu]["reserved"] = reserved
    return prices


def _optional(example: str, as_percent: bool = False) -> Callable[[str], float | None]:
    def read(text: str) -> float | None:
        return _amount(text, example, as_percent) if text else None

    return read


def _whole(example: str) -> Callable[[str], float | int | None]:
    def read(text: str) -> float | int | None:
        value = _amount(text, example) if text else None
        return int(value) if value is not None and value == int(value) else value

    return read


# Typed fields: how each is read and where it goes in PriceOverrides (top-level or stage default).
_READERS: dict[SettingsField, tuple[Callable[[str], Any], str]] = {
    _F.salaries: (_salaries, "salaries"),
    _F.loaded_factor: (_optional("1.3"), "loaded_factor"),
    _F.discounts: (_discounts, "provider_discounts"),
    _F.model_prices: (_model_prices, "model_prices"),
    _F.gpu_prices: (_gpu_prices, "gpu_prices"),
    _F.cloud_multiplier: (_optional("1.1"), "cloud_multiplier"),
    _F.requests_per_active_user_per_day: (_optional("5"), "stage_defaults"),
    _F.input_tokens: (_whole("1,000"), "stage_defaults"),
    _F.output_tokens: (_whole("300"), "stage_defaults"),
    _F.daily_active_share: (_optional("20%", as_percent=True), "stage_defaults"),
}
# A settings field's errors appear under these blocks (stage defaults: under the one named).
_BLOCK_OF = {reader[1]: field for field, reader in _READERS.items()}
_BLOCK_OF["currency"] = _F.rate
_BLOCK_OF["salary_region"] = _F.salary_region


def read_settings(
    state_values: dict,
    current: WorkspaceSettings,
    today: dt.date,
    may_choose_editors: bool,
) -> tuple[PriceOverrides, tuple[str, ...]] | dict[str, str]:
    """(overrides, editors) from a view_submission's `view.state.values`, or the errors by
    block_id. Never raises. The rate is dated today when it (or the currency) changed."""
    values: dict[str, Any] = {"stage_defaults": {}, "origin": ORIGIN}
    errors: dict[str, str] = {}
    code = selected(submitted(state_values, _F.currency))
    region = selected(submitted(state_values, _F.salary_region))
    if code not in set(Currency):
        errors[_F.currency.value] = REQUIRED
    if region in set(SalaryRegion):
        values["salary_region"] = region
    else:
        errors[_F.salary_region.value] = REQUIRED
    for field, (read, name) in _READERS.items():
        text = _typed(submitted(state_values, field))
        if field is _F.cloud_multiplier and not text:
            errors[field.value] = REQUIRED
            continue
        try:
            value = read(text) if text or name != "stage_defaults" else None
        except _Bad as exc:
            errors[field.value] = str(exc)
            continue
        except Exception:
            log.warning("could not read settings field %s", field.value, exc_info=True)
            errors[field.value] = "Please enter this again."
            continue
        if name == "stage_defaults":
            if value is not None:
                values["stage_defaults"][field.value] = value
        elif value is not None and value != {}:
            values[name] = value
    if code in set(Currency):
        try:
            values["currency"] = _currency(
                Currency(code), _typed(submitted(state_values, _F.rate)), current, today
            )
        except _Bad as exc:
            errors[_F.rate.value] = str(exc)
    try:
        overrides = PriceOverrides.model_validate(values)
    except ValidationError as exc:
        # Every bad field at once: the model's messages go under inputs that read fine.
        return {**_errors_by_block(exc), **errors}
    if errors:
        return errors
    editors = current.editors
    if may_choose_editors:
        chosen = submitted(state_values, _F.editors).get("selected_users") or []
        if not isinstance(chosen, list) or not all(isinstance(u, str) for u in chosen):
            return {_F.editors.value: "Choose people from the list."}
        editors = tuple(dict.fromkeys(chosen))
    return overrides, editors


def _currency(code: Currency, typed: str, current: WorkspaceSettings, today: dt.date) -> dict:
    if code is Currency.USD:
        return {"code": code.value, "per_usd": 1.0}
    rate = _amount(typed, "0.92") if typed else default_rate(code)
    before = current.overrides.currency
    same = before.code is code and before.per_usd == rate
    set_on = before.set_on if same and before.set_on else today
    return {"code": code.value, "per_usd": rate, "set_on": set_on}


def _errors_by_block(exc: ValidationError) -> dict[str, str]:
    """Model messages, each under the input it came from."""
    errors: dict[str, str] = {}
    for field, message in messages(exc).items():
        block = _BLOCK_OF.get(field)
        if field == "stage_defaults":
            loc = next(
                (e["loc"] for e in exc.errors() if e["loc"] and e["loc"][0] == field), (field,)
            )
            block = SettingsField(str(loc[1])) if len(loc) > 1 else _F.input_tokens
        errors[(block or _F.cloud_multiplier).value] = message
    return errors
