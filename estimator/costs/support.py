"""Customer support: contacts scale with users (questions, AI-failure reports, onboarding)."""

from __future__ import annotations

import math

from estimator import facts
from estimator.lines import Cadence, Category, LineItem
from estimator.money import count, percent_span, quantity, usd, usd_range
from estimator.scenario import Scenario

_RATE = facts.figure("support.contact_rate")
_COST = facts.figure("support.cost_per_contact")
_PER_AGENT = facts.figure("support.contacts_per_agent")
_SEAT = facts.figure("support.agent_seat_monthly")


def lines(s: Scenario) -> list[LineItem]:
    contacts_low = s.users * _RATE.low
    contacts_high = s.users * _RATE.high
    agents_low = max(1, math.ceil(contacts_low / _PER_AGENT.low))
    agents_high = max(1, math.ceil(contacts_high / _PER_AGENT.high))
    return [
        LineItem(
            Category.customer_support,
            "Support contacts handled",
            Cadence.monthly,
            contacts_low * _COST.low,
            contacts_high * _COST.high,
            lambda: (
                f"{count(s.users)} MAU x {percent_span(_RATE.low, _RATE.high)} contact rate = "
                f"{count(round(contacts_low))}-{count(round(contacts_high))} contacts x "
                f"{usd_range(_COST.low, _COST.high)}"
            ),
            varies_with_users=True,
        ),
        LineItem(
            Category.customer_support,
            "Help-desk seats",
            Cadence.monthly,
            agents_low * _SEAT.low,
            agents_high * _SEAT.high,
            lambda: (
                f"{quantity(agents_low, agents_high, 'agent')} ({usd(_PER_AGENT.low)[1:]} contacts "
                "each) x "
                f"{usd_range(_SEAT.low, _SEAT.high)}/month"
            ),
            varies_with_users=True,
        ),
    ]
