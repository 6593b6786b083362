"""The MCP tools' output schemas: the JSON `aicost --json` prints, as typed pydantic models.

The tools hand back that JSON unchanged; these models describe it (and check it on the way out).
They allow extra keys, so a key the estimator adds later reaches the client instead of failing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Range(_Out):
    """A low-high amount in USD (unless noted); the truth is expected inside it."""

    low: float
    high: float


class LineItem(_Out):
    category: str = Field(description="infrastructure, llm_inference, storage, team, ...")
    item: str = Field(description="what is paid for")
    cadence: str = Field(description="one_time, monthly or annual")
    low: float = Field(description="USD per cadence, low end")
    high: float = Field(description="USD per cadence, high end")
    basis: str = Field(description="the arithmetic: quantity x unit price, with its source")
    varies_with_users: bool


class Totals(_Out):
    one_time: Range = Field(description="USD paid once (audits, hardening, setup)")
    monthly: Range = Field(description="USD per month: cloud, LLM tokens, tools, support")
    annual: Range = Field(description="USD per year: team and legal")
    first_year: Range = Field(description="USD: one-time + 12 x monthly + annual")
    monthly_all_in: Range = Field(description="USD per month with annual costs spread over 12")
    prototype_multiple: Range = Field(description="first year as a multiple of the prototype cost")


class Pair(_Out):
    """Why these two models are weighed against each other (like with like)."""

    capability: str | None = Field(description="the class both sides share; null if none matched")
    why: str = Field(description="the pair and why, in the sentence the terminal shows")


class BreakEvenResult(_Out):
    """Self-hosting vs an API: what `aicost --json when does self-hosting pay off ...` prints."""

    api_model: str
    self_hosted_model: str
    gpu: str
    users: int | None = Field(
        description="monthly users above which self-hosting costs less; null when it never does"
    )
    requests_per_second: float | None = Field(description="on average, at `users`")
    always_cheaper: bool
    first_year_difference: Range = Field(
        description="self-hosted minus API, first year, USD, at the scenario's users"
    )
    reading: str
    pair: Pair | None = Field(description="which pair was compared and why")


class EstimateResult(_Out):
    """One estimate: exactly what `aicost --json <scenario>` prints."""

    scenario: dict[str, Any] = Field(
        description="the scenario estimated: every field, and `given` (those the user chose)"
    )
    line_items: list[LineItem]
    totals: Totals
    phases: list[dict[str, Any]] = Field(description="the three-phase budget, cumulative")
    phase_reading: str
    strategies: list[dict[str, Any]] = Field(description="five scaling strategies with advice")
    savings: list[dict[str, Any]] = Field(description="savings levers, USD per month")
    sensitivity: list[dict[str, Any]] = Field(
        description="the assumptions that move the first year by at least the threshold, each "
        "alone at its low and high, largest first-year swing first"
    )
    sensitivity_rest: dict[str, Any] = Field(
        description="the threshold (a share of the first year) and the assumptions under it"
    )
    absent: list[dict[str, Any]] = Field(description="lines and levers of $0, with why")
    settings_applied: list[str] = Field(description="the organisation's prices applied, if any")
    currency: dict[str, Any] = Field(description="amounts are USD; per_usd converts")
    token_prices: dict[str, Any] | None = Field(description="USD per million tokens; None if GPUs")
    break_even: BreakEvenResult | None = Field(
        None,
        description="the break-even the terminal shows under the estimate: where self-hosting "
        "and the API cross for this scenario (as the break_even tool answers); null when it "
        "could not be worked out (then `break_even_left_out` says why) or is not part of the "
        "answer (a comparison's options)",
    )
    break_even_left_out: str | None = Field(
        None, description="the sentence the terminal shows when the break-even is left out"
    )


class WhatIfResult(_Out):
    """A change to a scenario: the new estimate and what moved, line by line."""

    changed: list[str] = Field(description="the fields that changed, in words")
    diff: dict[str, Any] = Field(
        description="lines, categories (first-year impact) and totals, before and after "
        "(what `aicost diff --json` prints)"
    )
    estimate: EstimateResult = Field(
        description="the estimate after the change, as `aicost --json` prints it (with its "
        "break-even)"
    )


class ComparisonOption(_Out):
    label: str
    estimate: EstimateResult
    cost_per_user_monthly: Range


class ComparisonResult(_Out):
    """Two to five options side by side: what `aicost --json compare ...` prints."""

    options: list[ComparisonOption]
    cheapest: str = Field(description="the label of the option with the lowest first year")
    differs_most: dict[str, Any] = Field(description="the category that differs most")


class TokenPriceRow(_Out):
    model: str
    prices: dict[str, float] | None = Field(description="USD per million tokens")
    where: str


class PriceRow(_Out):
    name: str
    low: float
    high: float
    unit: str
    where: str = Field(description="bundled, a price file, a region or a setting")


class PricesResult(_Out):
    """Every price in use and where it came from: what `aicost prices --json` prints."""

    currency: str
    amounts_are: str
    token_prices_from: str
    token_prices_per_mtok: list[TokenPriceRow]
    gpu_hourly: list[dict[str, Any]]
    figures: list[PriceRow]
    other_entries: list[dict[str, Any]]
