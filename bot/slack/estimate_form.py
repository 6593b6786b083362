"""The estimate form (a Slack modal): the view, prefilled; its submission read back.

Numbers are read with the same syntax as typed requests ("10k", "1.5M", "50,000", "$80k", "40%"),
and every field is checked on its own against the scenario's own ranges, so each bad field gets
its own short message under it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# One number syntax for typed requests and the form: parsing owns it.
from bot.parsing import read_number
from bot.slack import limits
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
from bot.slack.ids import Callback, FormField
from estimator import (
    COMPLIANCE_LABELS,
    DOLLARS,
    GPU,
    UPTIME_TARGETS,
    Compliance,
    Hosting,
    Scenario,
    ScenarioError,
    Stage,
    build_scenario,
    count,
    field_bounds,
    percent,
    resolve_family,
    stage_defaults,
    usd,
)

log = logging.getLogger(__name__)

TITLE = "AI production cost"
REQUIRED = "Required."
_NOT_A_NUMBER = "Enter a number, like {example}."
_NOT_AN_OPTION = "Choose one of the options."
_NUMBER_INPUT_MAX = 40  # longer than any number anyone types; keeps garbage short
_STAGE_LABELS = {
    Stage.startup: "Startup",
    Stage.midsize: "Mid-size",
    Stage.enterprise: "Enterprise",
}
_GPU_LABELS = {GPU.h100: "H100", GPU.h200: "H200", GPU.a100: "A100", GPU.l4: "L4"}
_API = "api"
_SELF_HOSTED = "self-hosted:"  # + GPU, one option per card


def _bounds(name: str) -> tuple[float, float]:
    return field_bounds(name) or (math.nan, math.nan)


def _max_length(name: str) -> int:
    for meta in Scenario.model_fields[name].metadata:
        if getattr(meta, "max_length", None):
            return int(meta.max_length)
    return _NUMBER_INPUT_MAX


# --- the fields -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Number:
    """A number typed into a plain text input."""

    label: str
    show: Callable[[float], str]  # how the range and the prefill are written
    example: str
    whole: bool = False
    percent: bool = False
    note: str = ""

    def hint(self, name: str) -> str:
        low, high = _bounds(name)
        return f"{self.show(low)} to {self.show(high)}.{' ' + self.note if self.note else ''}"


def _exact(value: float) -> str:
    """10,000 or 1.5: as typed, and read back to the same value."""
    text = count(value)
    return text if float(text.replace(",", "")) == value else repr(float(value))


def _usd(value: float) -> str:
    """The form's prototype cost is in USD, whatever currency the workspace's estimates show."""
    return usd(value, DOLLARS)


def _dollars(value: float) -> str:
    return _usd(value) if value == int(value) else "$" + _exact(value)


_NUMBERS: dict[FormField, _Number] = {
    FormField.users: _Number(
        "Monthly active users", count, "10k", whole=True, note="10k, 1.5M and 50,000 all work."
    ),
    FormField.prototype_cost: _Number(
        "Prototype cost (USD)", _usd, "$50k", note="What the prototype cost to build, e.g. $50k."
    ),
    FormField.requests_per_active_user_per_day: _Number(
        "Requests per active user per day", count, "5"
    ),
    FormField.input_tokens: _Number(
        "Input tokens per request",
        count,
        "1,000",
        whole=True,
        note="System prompt, history and context included.",
    ),
    FormField.output_tokens: _Number("Output tokens per request", count, "300", whole=True),
    FormField.cache_hit_rate: _Number(
        "Response cache hit rate",
        percent,
        "20%",
        percent=True,
        note="Share of requests answered from the cache; 40-60% is typical of FAQ-heavy bots.",
    ),
    FormField.regions: _Number("Regions", count, "1", whole=True),
}


_STAGE_OPTIONS = [option(_STAGE_LABELS[s], s.value) for s in Stage]
_UPTIME_OPTIONS = [option(f"{u:g}%", f"{u:g}") for u in UPTIME_TARGETS]
_HOSTING_OPTIONS = [
    option("API (pay per token)", _API),
    *(option(f"Self-hosted, {_GPU_LABELS[g]} GPUs", _SELF_HOSTED + g.value) for g in GPU),
]
_COMPLIANCE_OPTIONS = [option(COMPLIANCE_LABELS[c], c.value) for c in Compliance]


# --- the view ---------------------------------------------------------------------------------


def _hosting_value(s: Scenario) -> str:
    return _API if s.hosting is Hosting.api else _SELF_HOSTED + s.gpu.value


def _number_input(field: FormField, value: float) -> dict:
    spec = _NUMBERS[field]
    if spec.percent:
        shown = percent(value)
    elif field is FormField.prototype_cost:
        shown = _dollars(value)
    else:
        shown = _exact(value)
    return input_block(
        field, spec.label, text_input(shown, _NUMBER_INPUT_MAX), spec.hint(field.value)
    )


def form_view(prefill: Scenario | None, private_metadata: str) -> dict:
    """The modal, prefilled from `prefill` (or a startup's defaults). `private_metadata` travels
    back unchanged with the submission; it must fit limits.PRIVATE_METADATA."""
    if len(private_metadata) > limits.PRIVATE_METADATA:
        # Cutting it would corrupt whatever the caller encoded; that is a bug to see, not hide.
        raise ValueError(f"private_metadata is {len(private_metadata)} characters")
    s = prefill or build_scenario(stage=Stage.startup, **stage_defaults(Stage.startup))
    compliance = [o for o in _COMPLIANCE_OPTIONS if Compliance(o["value"]) in s.compliance]
    checkboxes: dict[str, Any] = {"type": "checkboxes", "options": _COMPLIANCE_OPTIONS}
    if compliance:
        checkboxes["initial_options"] = compliance
    blocks = [
        context_of(
            mrkdwn(
                "Numbers can be typed as 10k, 1.5M, $80k or 40%. Share of users active daily, "
                "prompt caching, stored records and growth are not on the form: say them in a "
                "message, e.g. “20% daily active” or “2M records”.",
                verbatim=False,
            )
        ),
        _number_input(FormField.users, s.users),
        input_block(
            FormField.stage,
            "Company stage",
            select(_STAGE_OPTIONS, s.stage.value),
            "Sets team size and where costs fall in the article's ranges; the fields below stay "
            "as entered.",
        ),
        _number_input(FormField.prototype_cost, s.prototype_cost),
        input_block(
            FormField.model,
            "LLM model",
            text_input(s.model, _max_length("model")),
            "Any model genai-prices knows, e.g. gpt-4o-mini, claude-haiku-4-5, gemini-2.5-flash, "
            "or a family: claude, gpt, gemini flash, llama 70b.",
        ),
        _number_input(
            FormField.requests_per_active_user_per_day, s.requests_per_active_user_per_day
        ),
        _number_input(FormField.input_tokens, s.input_tokens),
        _number_input(FormField.output_tokens, s.output_tokens),
        _number_input(FormField.cache_hit_rate, s.cache_hit_rate),
        _number_input(FormField.regions, s.regions),
        input_block(
            FormField.compliance,
            "Compliance",
            checkboxes,
            # As the compliance lines word it (estimator/costs): HIPAA and GDPR certify nothing.
            "Each adds a first-year setup and its yearly upkeep: SOC 2 and ISO 27001 audits, "
            "a HIPAA risk assessment, GDPR's DPIA and DPO time.",
            optional=True,
        ),
        input_block(
            FormField.uptime,
            "Uptime target",
            select(_UPTIME_OPTIONS, f"{s.uptime:g}"),
            "Higher uptime keeps standby capacity warm.",
        ),
        input_block(
            FormField.hosting,
            "Hosting",
            select(_HOSTING_OPTIONS, _hosting_value(s)),
            "API: pay per token. Self-hosted: rent GPUs by the hour.",
        ),
    ]
    return modal(Callback.form.value, TITLE, "Estimate", blocks, private_metadata)


# --- reading a submission ---------------------------------------------------------------------


def _text(element: dict) -> str:
    value = element.get("value")
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _check(name: str, value: Any) -> str | None:
    """The scenario's own message for `value` in field `name`, or None when it is allowed.
    Ranges do not depend on other fields, so a startup scenario with just this value says it."""
    try:
        build_scenario(**{name: value})
    except ScenarioError as exc:
        return str(exc)
    return None


def _read_field(field: FormField, element: dict) -> tuple[dict[str, Any], str | None]:
    """(scenario values, error) for one input."""
    if field in _NUMBERS:
        spec = _NUMBERS[field]
        text = _text(element)
        if not text:
            return {}, REQUIRED
        value = read_number(text, spec.percent)
        if value is None:
            return {}, _NOT_A_NUMBER.format(example=spec.example)
        # Fractions stay fractions so the scenario can say "must be a whole number".
        number: float | int = int(value) if spec.whole and value == int(value) else value
        error = _check(field.value, number)
        return ({}, error) if error else ({field.value: number}, None)
    if field is FormField.model:
        model = _text(element)
        if not model:
            return {}, REQUIRED
        family = resolve_family(" ".join(model.lower().split()))
        model = family.model if family else model  # "claude": the newest Claude Sonnet
        error = _check("model", model)
        return ({}, error) if error else ({"model": model}, None)
    if field is FormField.compliance:
        options = element.get("selected_options") or []
        if not isinstance(options, list):
            return {}, _NOT_AN_OPTION
        chosen = [o.get("value") if isinstance(o, dict) else None for o in options]
        known = {c.value for c in Compliance}
        if not all(isinstance(c, str) and c in known for c in chosen):
            return {}, _NOT_AN_OPTION
        return {"compliance": tuple(Compliance(c) for c in chosen)}, None
    value = selected(element)
    if not value:
        return {}, REQUIRED
    if field is FormField.stage:
        return ({"stage": Stage(value)}, None) if value in set(Stage) else ({}, _NOT_AN_OPTION)
    if field is FormField.uptime:
        uptimes = {f"{u:g}": u for u in UPTIME_TARGETS}
        return ({"uptime": uptimes[value]}, None) if value in uptimes else ({}, _NOT_AN_OPTION)
    # hosting
    if value == _API:
        return {"hosting": Hosting.api}, None
    gpu = value.removeprefix(_SELF_HOSTED)
    if value.startswith(_SELF_HOSTED) and gpu in set(GPU):
        return {"hosting": Hosting.self_hosted, "gpu": GPU(gpu)}, None
    return {}, _NOT_AN_OPTION


def read_form(state_values: dict) -> tuple[dict, dict[str, str]]:
    """(values for build_scenario, errors by block_id) from a view_submission's
    `view.state.values`: one short message per bad field. Never raises, whatever the shape."""
    if not isinstance(state_values, dict):
        state_values = {}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in FormField:
        try:
            read, error = _read_field(field, submitted(state_values, field.value))
        except Exception:
            # A payload shape nobody planned for: the user re-enters one field, the log says why.
            log.warning("could not read form field %s", field.value, exc_info=True)
            read, error = {}, "Please enter this again."
        values.update(read)
        if error:
            errors[field.value] = error
    return values, errors


# Scenario fields the form shows (hosting carries the GPU when self-hosted).
_ON_FORM = frozenset({*(f.value for f in FormField), "gpu"})


def scenario_from_form(
    state_values: dict, base: Scenario | None = None
) -> Scenario | dict[str, str]:
    """The scenario the form describes, or the errors by block_id. With `base` (the scenario the
    form was opened from), fields the user chose that the form does not show are kept."""
    values, errors = read_form(state_values)
    if errors:
        return errors
    if base is not None:
        for name in base.given - _ON_FORM:
            values.setdefault(name, getattr(base, name))
        if values.get("hosting") is Hosting.api and "gpu" in base.given:
            values["gpu"] = base.gpu
        if "model" not in base.given and values.get("model") == base.model:
            # The model was the stage's default: let it follow the hosting (self-hosting needs an
            # open model), as a typed "self-hosted" does.
            del values["model"]
    try:
        return build_scenario(**values)
    except ScenarioError as exc:
        if values.get("hosting") is Hosting.self_hosted:  # a closed or too-large model
            return {FormField.hosting.value: str(exc)}
        log.warning("form values valid alone but not together: %s", exc)
        return {FormField.users.value: str(exc)}
