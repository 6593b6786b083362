"""Legal and insurance: AI liability cover, terms of service, IP protection."""

from __future__ import annotations

from estimator.costs.article_range import staged_line
from estimator.lines import Cadence, Category, LineItem
from estimator.price_book import PriceBook
from estimator.scenario import Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_LEGAL_INSURANCE, _ANNUAL = Category.legal_insurance, Cadence.annual


def lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    return [
        staged_line(
            "article.legal_insurance",
            s.stage,
            _LEGAL_INSURANCE,
            "AI liability insurance, terms of service, IP protection",
            _ANNUAL,
            prices,
        )
    ]
