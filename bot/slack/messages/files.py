"""The words that go with a posted file: a chart's comment, its alt text, an export's comment."""

from __future__ import annotations

from estimator import (
    Scenario,
    count,
    user_count,
)


def chart_comment(s: Scenario) -> str:
    """The line posted with an estimate's chart."""
    return (
        f"Chart: {user_count(s.users)} · {s.stage.value} — first year by category, the "
        "three-phase budget beside the article's bands, and cost per user from 100 to 10M users."
    )


def chart_alt(s: Scenario) -> str:
    """The chart described for screen readers (Slack's alt text)."""
    return (
        f"Charts of the {count(s.users)}-user {s.stage.value} estimate: first-year cost by "
        "category as bars; cumulative spend in the three phases against the article's 2-3x, "
        "5-8x and 10-15x bands; monthly cost per user from 100 to 10 million users, this "
        "scenario marked."
    )


def comparison_chart_alt(labels: tuple[str, ...]) -> str:
    return "Chart comparing the first-year cost of " + ", ".join(labels) + ", by category."


def export_comment(s: Scenario) -> str:
    return (
        f"This estimate ({user_count(s.users)} · {s.stage.value}) as CSV for a spreadsheet "
        "(one row per line item, then totals and phases) and as JSON (the same as `aicost --json`)."
    )
