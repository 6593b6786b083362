"""Legal and insurance: AI liability cover, terms of service, IP protection."""

from __future__ import annotations

from estimator.costs.article_range import staged_line
from estimator.lines import Cadence, Category, LineItem
from estimator.scenario import Scenario


def lines(s: Scenario) -> list[LineItem]:
    return [
        staged_line(
            "article.legal_insurance",
            s.stage,
            Category.legal_insurance,
            "AI liability insurance, terms of service, IP protection",
            Cadence.annual,
        )
    ]
