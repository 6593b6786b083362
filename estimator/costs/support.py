"""Customer support: contacts scale with users (questions, AI-failure reports, onboarding), priced
per contact by channel; agents and their help-desk seats follow the contact volume."""

from __future__ import annotations

import math
from functools import lru_cache

from estimator import facts
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, percent, percent_span, quantity, shown, usd, usd_range
from estimator.scenario import Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_CUSTOMER_SUPPORT, _MONTHLY = Category.customer_support, Cadence.monthly

_RATE = facts.live("support.contact_rate")
_MIX_TABLE = facts.live_entry("support.channel_mix")
_CHANNELS = tuple(k for k, v in _MIX_TABLE.items() if isinstance(v, float))
_COST = {channel: facts.live(f"support.cost_per_contact.{channel}") for channel in _CHANNELS}
_PER_AGENT = facts.live("support.contacts_per_agent")
_SEAT = facts.live("support.agent_seat_monthly")


def _blended() -> tuple[float, float]:
    """Cost of one contact over the channel mix, under the active price book."""
    return _blended_for(facts.active())


@lru_cache(maxsize=256)
def _blended_for(book: object) -> tuple[float, float]:
    low = sum(_MIX_TABLE[c] * _COST[c].low for c in _CHANNELS)
    high = sum(_MIX_TABLE[c] * _COST[c].high for c in _CHANNELS)
    return low, high


@lru_cache(maxsize=256)
def _mix(book: object, currency: tuple[str, float] | None) -> str:
    """The channel mix with each channel's cost per contact, as the basis words it under `book`
    in `currency`: the same for every estimate priced so."""
    return ", ".join(
        f"{percent(share)} {channel} {usd_range(_COST[channel].low, _COST[channel].high)}"
        for channel, share in ((c, _MIX_TABLE[c]) for c in _CHANNELS)
    )


def lines(s: Scenario) -> list[LineItem]:
    contacts_low = s.users * _RATE.low
    contacts_high = s.users * _RATE.high
    agents_low = max(1, math.ceil(contacts_low / _PER_AGENT.low))
    agents_high = max(1, math.ceil(contacts_high / _PER_AGENT.high))
    blended_low, blended_high = _blended()
    return [
        LineItem(
            _CUSTOMER_SUPPORT,
            "Support contacts handled (agent time)",
            _MONTHLY,
            contacts_low * blended_low,
            contacts_high * blended_high,
            lambda: (
                f"{count(s.users)} MAU x {percent_span(_RATE.low, _RATE.high)} contact rate = "
                f"{count(round(contacts_low))}-{count(round(contacts_high))} contacts x "
                f"{usd_range(blended_low, blended_high)} blended "
                f"({_mix(facts.active(), shown())})"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _CUSTOMER_SUPPORT,
            "Help-desk seats",
            _MONTHLY,
            agents_low * _SEAT.low,
            agents_high * _SEAT.high,
            lambda: (
                f"{quantity(agents_low, agents_high, 'support agent')} "
                f"({usd(_PER_AGENT.low)[1:]} contacts each) x "
                f"{usd_range(_SEAT.low, _SEAT.high)}/month"
            ),
            VARIES_WITH_USERS,
        ),
    ]
