"""The scenario: what a team plans to run, with every default taken from its stage.

Fields the user did not give come from `[defaults.<stage>]` in the data file; `given` remembers
which ones the user chose, so that changing the stage later re-derives only the defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from estimator import facts
from estimator.gpus import GPU, Precision
from estimator.gpus import gpus_offered as gpus_offered  # named here too: the scenario's GPUs
from estimator.money import DOLLARS, ShownCurrency, count, percent, usd
from estimator.open_models import SelfHostingError, own_size
from estimator.reasoning import ReasoningEffort
from estimator.reasoning import of as reasoning_of
from estimator.replicas import check_hostable, replica
from estimator.token_prices import READ_BACK, PricingError, today, token_prices


class Stage(StrEnum):
    startup = "startup"
    midsize = "midsize"
    enterprise = "enterprise"


class Compliance(StrEnum):
    soc2 = "soc2"
    gdpr = "gdpr"
    hipaa = "hipaa"
    iso27001 = "iso27001"

    @property
    def label(self) -> str:
        return COMPLIANCE_LABELS[self]


# Each framework's place in the definition order (compliance is kept in it, deduplicated).
_COMPLIANCE_ORDER = {c: i for i, c in enumerate(Compliance)}

COMPLIANCE_LABELS = {
    Compliance.soc2: "SOC 2",
    Compliance.gdpr: "GDPR",
    Compliance.hipaa: "HIPAA",
    Compliance.iso27001: "ISO 27001",
}


class Hosting(StrEnum):
    api = "api"
    self_hosted = "self-hosted"


class VectorStore(StrEnum):
    """Where the retrieval corpus's embeddings are searched."""

    pgvector = "pgvector"  # in the existing PostgreSQL database
    managed = "managed"  # a managed serverless vector database, per GB-month and per read
    object_storage = "object-storage"  # object-storage vectors, for cold corpora
    in_memory = "in-memory"  # a RAM-resident index, only when asked for

    @property
    def label(self) -> str:
        return VECTOR_STORE_LABELS[self]


VECTOR_STORE_LABELS = {
    VectorStore.pgvector: "pgvector in the database",
    VectorStore.managed: "managed vector database",
    VectorStore.object_storage: "object-storage vectors",
    VectorStore.in_memory: "in-memory index",
}


UPTIME_TARGETS = (99.5, 99.9, 99.99)
MAX_USERS = int(facts.bundled_figure("traffic.max_users").low)  # everyone online (ITU)

Share = Annotated[float, Field(ge=0.0, le=1.0)]


_new, _set = object.__new__, object.__setattr__


class ScenarioError(ValueError):
    """A scenario value out of range or unknown; the message is written for the user."""


def _records_per_user() -> float:
    return facts.bundled_figure("storage.records_per_user").low


class ContextWindowError(ValueError):
    """A request larger than the model's context window; the message gives the window."""


class Scenario(BaseModel):
    """One team's production plan. Every field is validated; every default is visible in `given`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Stage = Field(description="company stage")
    users: int = Field(ge=1, le=MAX_USERS, description="monthly active users")
    prototype_cost: float = Field(ge=1_000, le=1_000_000_000, description="prototype cost (USD)")
    daily_active_share: float = Field(
        ge=0.01, le=1.0, description="share of monthly users active on a given day"
    )
    requests_per_active_user_per_day: float = Field(
        ge=0.1, le=1_000, description="requests per daily active user per day"
    )
    input_tokens: int = Field(ge=1, le=2_000_000, description="input tokens per request")
    output_tokens: int = Field(ge=1, le=200_000, description="output tokens per request")
    model: str = Field(min_length=1, max_length=100, description="LLM model")
    cache_hit_rate: float = Field(ge=0.0, le=0.95, description="response cache hit rate")
    prompt_cache_share: Share = Field(description="share of input tokens served from prompt cache")
    regions: int = Field(ge=1, le=20, description="regions")
    compliance: tuple[Compliance, ...] = Field(description="compliance frameworks")
    uptime: float = Field(description="uptime target (%)")
    stored_records: int = Field(ge=0, le=1_000_000_000_000, description="stored records")
    corpus_documents: int = Field(
        ge=0, le=10_000_000_000, description="documents in the retrieval corpus"
    )
    vector_store: VectorStore = Field(description="vector store")
    hosting: Hosting = Field(description="hosting")
    gpu: GPU = Field(description="GPU type when self-hosted")
    precision: Precision = Field(description="weight precision when self-hosted")
    monthly_user_growth: float = Field(ge=0.0, le=1.0, description="monthly user growth")
    start_month: dt.date = Field(description="first month of the projection")
    reasoning_effort: ReasoningEffort | None = Field(
        default=None, description="reasoning effort (None: the model's default)"
    )
    reasoning_tokens: int | None = Field(
        default=None, ge=0, le=100_000, description="reasoning tokens per request"
    )
    given: frozenset[str] = Field(
        default=frozenset(), description="fields the user chose; the rest follow the stage"
    )

    @field_serializer("given")
    def _given_in_order(self, given: frozenset[str]) -> list[str]:
        # A set's order changes from process to process (string hashing): sorted, the same
        # scenario is the same JSON everywhere (button values, cache keys, exports).
        return sorted(given)

    @model_validator(mode="before")
    @classmethod
    def _fill_stage_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        stage = data.get("stage") or Stage.startup
        try:
            stage = Stage(stage)
        except ValueError:
            return data  # the field validator reports the bad stage
        chosen = {k for k, v in data.items() if v is not None and k != "given"}
        merged = dict(_stage_defaults(stage))
        merged.update({k: v for k, v in data.items() if v is not None})
        merged["stage"] = stage
        if "stored_records" not in chosen and isinstance(merged.get("users"), int | float):
            # Records follow users unless given (the same rule storage prices with).
            merged["stored_records"] = round(merged["users"] * _records_per_user())
        if "start_month" not in chosen:
            # Token prices are read month by month from here (this month unless given).
            merged["start_month"] = today().replace(day=1)
        if merged.get("hosting") == Hosting.self_hosted.value and "model" not in chosen:
            # The stage's default model is an API model; self-hosting needs open weights.
            merged["model"] = facts.bundled_entry("self_hosting.default_model")["model"]
        if "given" not in data:
            merged["given"] = frozenset(chosen - {"stage"} if "stage" not in data else chosen)
        return merged

    @field_validator("compliance", mode="before")
    @classmethod
    def _dedupe_compliance(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        return tuple(sorted({Compliance(v) for v in value}, key=_COMPLIANCE_ORDER.__getitem__))

    @field_validator("start_month")
    @classmethod
    def _first_of_month(cls, value: dt.date) -> dt.date:
        if not dt.date(2020, 1, 1) <= value <= dt.date(2100, 12, 31):
            raise ValueError("start_month")
        return value.replace(day=1)

    @field_validator("uptime")
    @classmethod
    def _known_uptime(cls, value: float) -> float:
        for target in UPTIME_TARGETS:
            if abs(value - target) < 1e-9:
                return target
        raise ValueError("uptime")

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str, info: ValidationInfo) -> str:
        if own_size(value) is not None or info.context == READ_BACK:
            return value.strip().lower()  # own model: no API price; read back: priced elsewhere
        window = token_prices(value).context_window  # raises PricingError naming close matches
        # Token counts are declared (so validated) before the model: refuse a request that would
        # not fit the model's context window, with the window's size.
        # A token count out of its own range is missing here and reported on its own.
        counts = [info.data.get(name) for name in ("input_tokens", "output_tokens")]
        if window and None not in counts and sum(counts) > window:
            raise ContextWindowError(
                f"{value.strip().lower()}'s context window is {count(window)} tokens, so a "
                f"request of {count(info.data['input_tokens'])} in + "
                f"{count(info.data['output_tokens'])} out does not fit. Use fewer tokens per "
                "request or a model with a larger window."
            )
        return value.strip().lower()

    @model_validator(mode="after")
    def _reasoning_fits_the_window(self, info: ValidationInfo) -> Scenario:
        # Reasoning tokens take room in the context window too (the model's own is checked with
        # input and output above, before reasoning is known).
        thought = 0 if info.context == READ_BACK else reasoning_of(self).tokens
        window = token_prices(self.model).context_window if thought else None
        if window and self.input_tokens + self.output_tokens + thought > window:
            raise ContextWindowError(
                f"{self.model}'s context window is {count(window)} tokens, so a request of "
                f"{count(self.input_tokens)} in + {count(self.output_tokens)} out + "
                f"{count(thought)} reasoning does not fit. Use fewer tokens per request, less "
                "reasoning or a model with a larger window."
            )
        return self

    @model_validator(mode="after")
    def _self_hostable(self) -> Scenario:
        size = own_size(self.model)
        if size is not None and self.hosting is not Hosting.self_hosted:
            raise SelfHostingError(
                f"A model of your own ({count(size)}B parameters) has no API price: it can only "
                "be self-hosted. Add “self-hosted”, or name an API model."
            )
        if self.hosting is Hosting.self_hosted:
            # Raises SelfHostingError naming what can be hosted.
            check_hostable(self.model, self.gpu, self.precision, "precision" in self.given)
        return self

    def at_users(self, users: int) -> Scenario:
        """This scenario with `users` (within bounds: not validated again), its stored records
        following them as validation derives them, unless the user gave a count."""
        update: dict[str, int] = {"users": users}
        if "stored_records" not in self.given:
            update["stored_records"] = round(users * _records_per_user())
        return self.varied(update)  # model_copy's copy, made directly (16 an answer)

    def varied(self, update: dict[str, Any]) -> Scenario:
        """`model_copy(update=update)`, the same copy made directly (the sensitivity makes about
        twenty an estimate): not validated, `update`'s fields counted as set."""
        copied = _new(type(self))
        _set(copied, "__dict__", {**self.__dict__, **update})
        _set(copied, "__pydantic_extra__", None)  # extra="forbid": never any
        _set(copied, "__pydantic_fields_set__", self.__pydantic_fields_set__ | update.keys())
        _set(copied, "__pydantic_private__", None)  # no private attributes
        return copied

    def describe(self, shown: ShownCurrency) -> list[tuple[str, str, bool]]:
        """(label, value, chosen by the user) for every field, in display order; the prototype's
        cost in `shown`, the currency the estimate is shown in."""
        return [
            (
                label,
                usd(self.prototype_cost, shown) if render is None else render(self),
                name in self.given,
            )
            for name, label, render in _DESCRIBED
        ]


def _compliance_text(s: Scenario) -> str:
    return ", ".join(c.label for c in s.compliance) or "none"


_DESCRIBED: list[tuple[str, str, Callable[[Scenario], str] | None]] = [
    ("users", "Monthly active users", lambda s: count(s.users)),
    ("stage", "Stage", lambda s: s.stage.value),
    ("prototype_cost", "Prototype cost", None),  # money: worded in the shown currency
    ("daily_active_share", "Active daily", lambda s: percent(s.daily_active_share)),
    (
        "requests_per_active_user_per_day",
        "Requests per active user/day",
        lambda s: count(s.requests_per_active_user_per_day),
    ),
    (
        "input_tokens",
        "Tokens per request (in/out)",
        lambda s: f"{count(s.input_tokens)} / {count(s.output_tokens)}",
    ),
    ("model", "Model", lambda s: s.model),
    ("cache_hit_rate", "Response cache hit rate", lambda s: percent(s.cache_hit_rate)),
    ("prompt_cache_share", "Prompt-cached input", lambda s: percent(s.prompt_cache_share)),
    ("regions", "Regions", lambda s: count(s.regions)),
    ("compliance", "Compliance", _compliance_text),
    ("uptime", "Uptime target", lambda s: f"{s.uptime:g}%"),
    ("stored_records", "Stored records", lambda s: count(s.stored_records)),
    ("corpus_documents", "Retrieval corpus", lambda s: f"{count(s.corpus_documents)} documents"),
    ("vector_store", "Vector search", lambda s: s.vector_store.label),
    ("hosting", "Hosting", lambda s: _hosting_text(s)),
    ("monthly_user_growth", "User growth per month", lambda s: percent(s.monthly_user_growth)),
    ("start_month", "Projection starts", lambda s: s.start_month.strftime("%b %Y")),
    ("reasoning_effort", "Reasoning", lambda s: _reasoning_text(s)),
]


def _hosting_text(s: Scenario) -> str:
    """'self-hosted (H100, FP8 weights)': the precision the replica is served in (FP8 when BF16
    does not fit a node, or as the weights ship: FP8, MXFP4), not the field's default."""
    if s.hosting is not Hosting.self_hosted:
        return s.hosting.value
    served = replica(s.model, s.gpu, s.precision, "precision" in s.given).precision
    return f"{s.hosting.value} ({s.gpu.value.upper()}, {served} weights)"


def _reasoning_text(s: Scenario) -> str:
    return reasoning_of(s).words(s.model) or "none (the model does not reason)"


FIELD_NAMES = tuple(name for name in Scenario.model_fields if name != "given")


def stage_defaults(stage: Stage) -> Mapping[str, Any]:
    """The data file's defaults for a stage (without the bookkeeping keys), read-only."""
    return _stage_defaults(Stage(stage))


@cache  # every scenario built reads them; the bundled data file does not change
def _stage_defaults(stage: Stage) -> Mapping[str, Any]:
    table = facts.bundled_entry(f"defaults.{stage.value}")
    return MappingProxyType({k: v for k, v in table.items() if k not in ("source", "checked")})


def build_scenario(**values: Any) -> Scenario:
    """A validated scenario, or a ScenarioError whose message says what is allowed."""
    try:
        return Scenario(**values)
    except ValidationError as exc:
        raise ScenarioError(_explain(exc, values)) from None
    except PricingError as exc:
        raise ScenarioError(str(exc)) from None


def _explain(exc: ValidationError, values: dict[str, Any]) -> str:
    error = exc.errors()[0]
    if isinstance(error.get("ctx", {}).get("error"), SelfHostingError):
        return str(error["ctx"]["error"])
    name = str(error["loc"][0]) if error["loc"] else ""
    if isinstance(error.get("ctx", {}).get("error"), PricingError | ContextWindowError):
        return str(error["ctx"]["error"])
    field = Scenario.model_fields.get(name)
    label = field.description if field and field.description else name
    got = values.get(name)
    if name == "users" and error["type"] == "less_than_equal":  # said, or it reads as arbitrary
        ceiling = f"{count(MAX_USERS)} (everyone online in 2025, by ITU's count)"
        return f"Monthly active users must be between 1 and {ceiling}; got {_show(name, got)}."
    if name == "stage":
        return f"Unknown stage {got!r}: use startup, midsize or enterprise."
    if name == "uptime":
        return "Uptime target must be one of 99.5, 99.9 or 99.99 (%)."
    if name == "compliance":
        return "Compliance frameworks: soc2, gdpr, hipaa or iso27001."
    if name == "start_month":
        return (
            "The projection's start must be a month between 2020 and 2100, e.g. "
            "'starting March 2027'."
        )
    if name == "reasoning_effort":
        return "Reasoning effort is none, minimal, low, medium or high."
    if name == "precision":
        return "Weight precision is bf16 (or fp16) or fp8."
    if name == "vector_store":
        return (
            "Vector search is pgvector, managed (a vector database), object-storage or in-memory."
        )
    if name in ("hosting", "gpu"):
        gpus = ", ".join(g.value for g in GPU)
        return f"Hosting is 'api' or 'self-hosted' with a GPU: {gpus}."
    bounds = _bounds(name)
    if bounds:
        low, high = bounds
        whole = "a whole number " if error["type"].startswith("int_") else ""
        return (
            f"{_sentence(label)} must be {whole}between {low} and {high} (got {_show(name, got)})."
        )
    return f"{_sentence(label)}: {error['msg']}."


_PERCENT_FIELDS = {
    "daily_active_share",
    "cache_hit_rate",
    "prompt_cache_share",
    "monthly_user_growth",
}


def _sentence(label: str) -> str:
    """'prototype cost (USD)' -> 'Prototype cost (USD)' (str.capitalize would lower the rest)."""
    return label[:1].upper() + label[1:]


def _show(name: str, value: Any) -> str:
    if isinstance(value, int | float) and name in _PERCENT_FIELDS:
        return percent(value)
    if isinstance(value, int | float):
        if name == "prototype_cost":  # the field is in USD, whatever currency estimates show
            return usd(value, DOLLARS)
        return count(value) if value == value else "NaN"
    return repr(value)


def field_bounds(name: str) -> tuple[float, float] | None:
    """The allowed [low, high] of a numeric scenario field, read from the model itself."""
    field = Scenario.model_fields.get(name)
    if field is None:
        return None
    low = high = None
    for meta in field.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    if low is None or high is None:
        return None
    return float(low), float(high)


def _bounds(name: str) -> tuple[str, str] | None:
    if (bounds := field_bounds(name)) is None:
        return None
    low, high = bounds
    if name in _PERCENT_FIELDS:
        return percent(low), percent(high)
    if name == "prototype_cost":
        return usd(low, DOLLARS), usd(high, DOLLARS)
    return count(low), count(high)
