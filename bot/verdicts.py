"""One-paragraph answers for a comparison and a break-even, shared by the terminal and Slack."""

from __future__ import annotations

from estimator.breakeven import READING, BreakEven
from estimator.compare import Comparison
from estimator.money import count, usd_range, usd_short
from estimator.scenario import MAX_USERS


def comparison_sentence(c: Comparison) -> str:
    """'Cheapest first year: gpt-4o-mini ($229k-503k); the options differ most in LLM inference.'"""
    best = c.options[c.cheapest]
    first_year = best.estimate.totals.first_year
    widest = c.widest_category
    spread = [(a.low + a.high) / 2 for a in c.category_first_year(widest)]
    return (
        f"Cheapest first year: {best.label} ({usd_range(first_year.low, first_year.high, True)}). "
        f"The options differ most in {widest.label} (first-year midpoints "
        f"{usd_short(min(spread))} to {usd_short(max(spread))})."
    )


def breakeven_sentence(b: BreakEven) -> str:
    """Where self-hosting on the scenario's GPU starts to cost less than the API model."""
    gpu = b.self_hosted.gpu.value.upper()
    own = f"{b.self_hosted.model} " if b.self_hosted.model != b.api.model else ""
    sides = f"self-hosting {own}on {gpu} GPUs vs {b.api.model} on its API"
    difference = b.first_year_difference
    if difference.low <= 0 and difference.high <= 0:
        saved = sorted((-difference.low, -difference.high))
        effect = f"saves {usd_range(*saved, True)}"
    elif difference.low >= 0 and difference.high >= 0:
        extra = sorted((difference.low, difference.high))
        effect = f"costs {usd_range(*extra, True)} more"
    else:
        effect = f"lands {_signed_range(difference.low, difference.high)} against the API"
    at_scale = f"At {count(b.scenario.users)} users, self-hosting {effect} in the first year."
    if b.always_cheaper:
        verdict = f"Break-even, {sides}: self-hosting is cheaper per month at any user count."
    elif b.users is None:
        verdict = (
            f"Break-even, {sides}: self-hosting never costs less per month, up to "
            f"{count(MAX_USERS)} users."
        )
    else:
        rps = b.requests_per_second or 0.0
        verdict = (
            f"Break-even, {sides}: self-hosting costs less per month above about "
            f"{count(b.users)} users ({rps:,.1f} requests/s on average)."
        )
    return f"{verdict} {at_scale} Compared: {READING}."


def _signed_range(low: float, high: float) -> str:
    def signed(amount: float) -> str:
        return ("+" if amount > 0 else "") + usd_short(amount)

    if round(low) == round(high):
        return signed(low)
    return f"{signed(low)} to {signed(high)}"
