"""Requests, tokens and peak load derived from a scenario; the drivers of the usage-based lines."""

from __future__ import annotations

from dataclasses import dataclass

from estimator import facts
from estimator.money import count, figure_span, percent
from estimator.price_book import PriceBook
from estimator.scenario import Scenario

_SECONDS_PER_MONTH = facts.DAYS_PER_MONTH * 86_400


# Not frozen, like Amount (totals.py): made for every estimate and variant; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class Traffic:
    requests_per_day: float
    requests_per_month: float
    # Requests that reach the LLM after the response cache.
    llm_requests_per_month: float
    average_rps: float
    peak_rps_low: float
    peak_rps_high: float


def traffic(
    s: Scenario,
    prices: PriceBook,
    users: int | None = None,
    cache_hit_rate: float | None = None,
) -> Traffic:
    """The scenario's traffic; `users` or `cache_hit_rate` price the same usage otherwise."""
    peak = prices.figures.traffic.peak_to_average
    per_day = (users or s.users) * s.daily_active_share * s.requests_per_active_user_per_day
    hit_rate = s.cache_hit_rate if cache_hit_rate is None else cache_hit_rate
    per_month = per_day * facts.DAYS_PER_MONTH
    llm_per_month = per_month * (1 - hit_rate)
    average = per_month / _SECONDS_PER_MONTH
    # By position (18 an answer): the fields in their order.
    return Traffic(
        per_day, per_month, llm_per_month, average, average * peak.low, average * peak.high
    )


def requests_basis(s: Scenario, t: Traffic) -> str:
    """'10,000 MAU x 30% daily x 5 req x 30 d = 450,000 req/month'."""
    return (
        f"{count(s.users)} MAU x {percent(s.daily_active_share)} daily x "
        f"{count(s.requests_per_active_user_per_day)} req x {facts.DAYS_PER_MONTH} d = "
        f"{count(round(t.requests_per_month))} req/month"
    )


def peak_basis(t: Traffic, prices: PriceBook) -> str:
    peak = prices.figures.traffic.peak_to_average
    return (
        f"peak {figure_span(t.peak_rps_low, t.peak_rps_high, ',.1f')} req/s "
        f"({figure_span(peak.low, peak.high)}x the {t.average_rps:,.2f} req/s average)"
    )
