"""Customer support: contacts scale with users (questions, AI-failure reports, onboarding), priced
per contact by channel; agents and their help-desk seats follow the contact volume."""

from __future__ import annotations

import math
from functools import lru_cache, partial

from estimator import facts
from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, count, percent, percent_span, quantity, usd, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_CUSTOMER_SUPPORT, _MONTHLY = Category.customer_support, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
_MIX = facts.bundled_entry("support.channel_mix")
_CHANNELS = tuple(k for k, v in _MIX.items() if isinstance(v, float))
FIGURES = (
    "support.contact_rate",
    "support.published_contact_rates",
    "support.channel_mix",
    *(f"support.cost_per_contact.{channel}" for channel in _CHANNELS),
    "support.contacts_per_agent",
    "support.agent_seat_monthly",
)


@lru_cache(maxsize=256)
def _blended(prices: PriceBook) -> tuple[float, float]:
    """Cost of one contact over the channel mix."""
    mix = prices.tables.support.channel_mix
    cost = {c: prices.figure(f"support.cost_per_contact.{c}") for c in _CHANNELS}
    low = sum(mix[c] * cost[c].low for c in _CHANNELS)
    high = sum(mix[c] * cost[c].high for c in _CHANNELS)
    return low, high


@lru_cache(maxsize=256)
def _mix(prices: PriceBook) -> str:
    """The channel mix with each channel's cost per contact, as the basis words it under
    `prices` (in USD): the same for every estimate priced so."""
    mix = prices.tables.support.channel_mix
    cost = {c: prices.figure(f"support.cost_per_contact.{c}") for c in _CHANNELS}
    return ", ".join(
        f"{percent(share)} {channel} {usd_range(cost[channel].low, cost[channel].high, DOLLARS)}"
        for channel, share in ((c, mix[c]) for c in _CHANNELS)
    )


def _published(rates: dict) -> str:
    account, help_desk = rates["b2b_saas_per_account"], rates["it_help_desk_per_user"]
    return (
        f"published: {account[0]:g}-{account[1]:g} per B2B SaaS account, "
        f"{help_desk[0]:g}-{help_desk[1]:g} per IT help-desk user a month"
    )


def lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    rate = prices.figures.support.contact_rate
    published = prices.tables.support.published_contact_rates
    per_agent = prices.figures.support.contacts_per_agent
    seat = prices.figures.support.agent_seat_monthly
    contacts_low = s.users * rate.low
    contacts_high = s.users * rate.high
    agents_low = max(1, math.ceil(contacts_low / per_agent.low))
    agents_high = max(1, math.ceil(contacts_high / per_agent.high))
    blended_low, blended_high = _blended(prices)
    return [
        LineItem(
            _CUSTOMER_SUPPORT,
            "Support contacts handled (agent time)",
            _MONTHLY,
            contacts_low * blended_low,
            contacts_high * blended_high,
            # Partials of module-level functions, not closures: a closure's cells are made on
            # every call (docs/architecture.md, "Performance idioms").
            partial(
                _contacts_basis,
                s.users,
                rate,
                published,
                prices,
                contacts_low,
                contacts_high,
                blended_low,
                blended_high,
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _CUSTOMER_SUPPORT,
            "Help-desk seats",
            _MONTHLY,
            agents_low * seat.low,
            agents_high * seat.high,
            partial(_seats_basis, agents_low, agents_high, per_agent, seat),
            VARIES_WITH_USERS,
        ),
    ]


def _contacts_basis(
    users: int,
    rate: Range,
    published: dict,
    prices: PriceBook,
    contacts_low: float,
    contacts_high: float,
    blended_low: float,
    blended_high: float,
) -> str:
    return (
        f"{count(users)} MAU x {percent_span(rate.low, rate.high)} contact rate "
        f"({_published(published)}) = "
        f"{count(round(contacts_low))}-{count(round(contacts_high))} contacts x "
        f"{usd_range(blended_low, blended_high, DOLLARS)} blended "
        f"({_mix(prices)})"
    )


def _seats_basis(agents_low: int, agents_high: int, per_agent: Range, seat: Range) -> str:
    return (
        f"{quantity(agents_low, agents_high, 'support agent')} "
        f"({usd(per_agent.low, DOLLARS)[1:]} contacts each) x "
        f"{usd_range(seat.low, seat.high, DOLLARS)}/month"
    )
