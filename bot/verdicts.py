"""One-paragraph answers for a comparison and a break-even, shared by the terminal and Slack."""

from __future__ import annotations

from estimator import (
    BREAKEVEN_READING as READING,
)
from estimator import (
    MAX_USERS,
    BreakEven,
    Comparison,
    count,
    usd_range,
    usd_short,
    user_count,
)


def comparison_sentence(c: Comparison) -> str:
    """'Cheapest first year: gpt-4o-mini ($229k-503k); the options differ most in LLM inference.'"""
    best, shown = c.options[c.cheapest], c.shown
    first_year = best.estimate.totals.first_year
    widest = c.widest_category
    spread = [(a.low + a.high) / 2 for a in c.category_first_year(widest)]
    return (
        f"Cheapest first year: {best.label} "
        f"({usd_range(first_year.low, first_year.high, shown, True)}). "
        f"The options differ most in {widest.label} (first-year midpoints "
        f"{usd_short(min(spread), shown)} to {usd_short(max(spread), shown)})."
    )


def breakeven_sentence(b: BreakEven) -> str:
    """Where self-hosting on the scenario's GPU starts to cost less than the API model."""
    gpu, shown = b.self_hosted.gpu.value.upper(), b.prices.shown
    # Named on both sides even when it is the same open model ("self-hosting on H200 GPUs vs
    # deepseek-r1" left the reader to guess what is self-hosted).
    sides = f"self-hosting {b.self_hosted.model} on {gpu} GPUs vs {b.api.model} on its API"
    difference = b.first_year_difference
    users = user_count(b.scenario.users)
    less, more = sorted((difference.low, difference.high))
    if more <= 0:
        saved = usd_range(-more, -less, shown, True)
        at_scale = f"At {users}, self-hosting saves {saved} in the first year."
    elif less >= 0:
        costs = usd_range(less, more, shown, True)
        at_scale = f"At {users}, self-hosting costs {costs} more in the first year."
    else:
        at_scale = (
            f"At {users}, self-hosting's first year runs from {usd_short(-less, shown)} less to "
            f"{usd_short(more, shown)} more than the API's."
        )
    if b.always_cheaper:
        verdict = f"Break-even, {sides}: self-hosting is cheaper per month at any user count."
    elif b.users is None:
        verdict = (
            f"Break-even, {sides}: self-hosting never costs less per month, at any user "
            f"count (searched up to {user_count(MAX_USERS)})."
        )
    else:
        rps = b.requests_per_second or 0.0
        verdict = (
            f"Break-even, {sides}: self-hosting costs less per month above about "
            f"{count(_about(b.users))} users ({rps:,.1f} requests/s on average)."
        )
    pair = f" Like with like: {b.pairing.why}." if b.pairing is not None else ""
    return f"{verdict} {at_scale}{pair} Compared: {READING}."


def _about(users: int) -> int:
    """The crossing to three significant figures: "about 186,562 users" claims a precision a
    ranged estimate does not have (the JSON keeps the exact count)."""
    digits = len(str(abs(int(users))))
    return int(round(users, -(digits - 3))) if digits > 3 else int(users)
