"""Security and compliance: audit, each framework's first year and the part that recurs every
year, compliance tooling, monitoring and privacy tools.

The article prices a certification (SOC 2, GDPR) at $25k-100k. That is a framework's first year;
the yearly part (re-audit, surveillance audit, risk-analysis review, DPO time) recurs, so it is an
annual line, and the rest (readiness, controls, DPIA) is one-time.
"""

from __future__ import annotations

from functools import partial

from estimator.costs.article_range import staged_amount, staged_line
from estimator.lines import Cadence, Category, LineItem
from estimator.money import DOLLARS, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Compliance, Scenario

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_SECURITY_COMPLIANCE = Category.security_compliance
_ONE_TIME = Cadence.one_time
_ANNUAL = Cadence.annual
_MONTHLY = Cadence.monthly

# (first-year work, yearly work) per framework, named for what they are.
_LABELS = {
    Compliance.soc2: (
        "SOC 2 Type II readiness and first audit",
        "SOC 2 Type II re-audit (yearly)",
    ),
    Compliance.iso27001: (
        "ISO 27001 implementation and certification audit",
        "ISO 27001 surveillance audit (yearly)",
    ),
    Compliance.hipaa: (
        "HIPAA risk assessment and controls (no official certification)",
        "HIPAA risk analysis review (yearly)",
    ),
    Compliance.gdpr: (
        "GDPR DPIA and records of processing (no official certification)",
        "GDPR data protection officer time (yearly)",
    ),
}
_AUDITED = (Compliance.soc2, Compliance.iso27001)


def _framework_lines(s: Scenario, framework: Compliance, prices: PriceBook) -> list[LineItem]:
    first_label, yearly_label = _LABELS[framework]
    first_low, first_high = staged_amount("article.compliance_certification", s.stage, prices)
    yearly = f"compliance.{framework}_annual"  # a StrEnum formats as its value
    yearly_low, yearly_high = staged_amount(yearly, s.stage, prices)
    # Never below zero: the first year costs at least its yearly part.
    one_time_low = max(0.0, first_low - yearly_low)
    one_time_high = max(one_time_low, first_high - yearly_high)
    return [
        LineItem(
            _SECURITY_COMPLIANCE,
            first_label,
            _ONE_TIME,
            one_time_low,
            one_time_high,
            # A partial of a module-level function, not a closure: a closure's cells are made
            # on every call (docs/architecture.md, "Performance idioms").
            partial(_first_year_basis, first_low, first_high, yearly_low, yearly_high),
        ),
        staged_line(yearly, s.stage, _SECURITY_COMPLIANCE, yearly_label, _ANNUAL, prices),
    ]


def _first_year_basis(
    first_low: float, first_high: float, yearly_low: float, yearly_high: float
) -> str:
    return (
        "article's certification range, stage slice "
        f"{usd_range(first_low, first_high, DOLLARS)} "
        "for the first year, minus the yearly part "
        f"{usd_range(yearly_low, yearly_high, DOLLARS)}"
    )


def lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    items = [
        staged_line(
            "article.security_audit",
            s.stage,
            _SECURITY_COMPLIANCE,
            "Security audit",
            _ONE_TIME,
            prices,
        )
    ]
    for framework in s.compliance:
        items.extend(_framework_lines(s, framework, prices))
    if any(f in _AUDITED for f in s.compliance):
        items.append(
            staged_line(
                "compliance.readiness_tooling",
                s.stage,
                _SECURITY_COMPLIANCE,
                "Compliance automation tooling (yearly)",
                _ANNUAL,
                prices,
            )
        )
    items.append(
        staged_line(
            "article.security_monitoring",
            s.stage,
            _SECURITY_COMPLIANCE,
            "Security monitoring",
            _MONTHLY,
            prices,
        )
    )
    items.append(
        staged_line(
            "article.privacy_tools",
            s.stage,
            _SECURITY_COMPLIANCE,
            "Privacy protection tools",
            _MONTHLY,
            prices,
        )
    )
    return items
