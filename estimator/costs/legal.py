"""Legal and insurance: AI liability cover, terms of service and IP protection (the article's range,
by stage), and cyber insurance, whose premium grows with the records the company holds."""

from __future__ import annotations

from estimator import facts
from estimator.costs.article_range import staged_line
from estimator.costs.storage import stored_records
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, count, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LEGAL_INSURANCE, _ANNUAL = Category.legal_insurance, Cadence.annual

FIGURES = ("legal.cyber_insurance_tiers", "storage.records_per_user")


def lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    records = stored_records(s, prices)
    tier = facts.tier_for(prices.tables.legal.cyber_insurance_tiers, "max_records", records)
    return [
        staged_line(
            "article.legal_insurance",
            s.stage,
            _LEGAL_INSURANCE,
            "AI liability insurance, terms of service, IP protection",
            _ANNUAL,
            prices,
        ),
        LineItem(
            _LEGAL_INSURANCE,
            "Cyber insurance",
            _ANNUAL,
            tier["low"],
            tier["high"],
            lambda: (
                f"{count(records)} stored records → {tier['size']} "
                f"{usd_range(tier['low'], tier['high'], DOLLARS)} a year, sized by the records "
                "held alone: insurers also price by revenue, which aicost is not given, so a "
                "larger company's policy can cost more"
            ),
            "stored_records" not in s.given and VARIES_WITH_USERS,
        ),
    ]
