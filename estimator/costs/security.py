"""Security and compliance: audit, a certification per framework, monitoring, privacy tools."""

from __future__ import annotations

from estimator.costs.article_range import staged_line
from estimator.lines import Cadence, Category, LineItem
from estimator.scenario import Scenario


def lines(s: Scenario) -> list[LineItem]:
    items = [
        staged_line(
            "article.security_audit",
            s.stage,
            Category.security_compliance,
            "Security audit",
            Cadence.one_time,
        )
    ]
    # The article prices SOC 2 and GDPR at $25k-100k; HIPAA and ISO 27001 programmes are of the same
    # order, so each framework is a certification line of that range.
    for framework in s.compliance:
        items.append(
            staged_line(
                "article.compliance_certification",
                s.stage,
                Category.security_compliance,
                f"{framework.label} certification",
                Cadence.one_time,
            )
        )
    items.append(
        staged_line(
            "article.security_monitoring",
            s.stage,
            Category.security_compliance,
            "Security monitoring",
            Cadence.monthly,
        )
    )
    items.append(
        staged_line(
            "article.privacy_tools",
            s.stage,
            Category.security_compliance,
            "Privacy protection tools",
            Cadence.monthly,
        )
    )
    return items
