"""An estimate's headline figures, worded as its Slack message words them: what a shared link's
card and flexpane show (bot/slack/unfurls.py builds them). Worked out in the estimate worker, so
this module imports nothing of the Slack libraries."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.messages.amounts import short_range
from bot.slack.messages.estimate import worded
from bot.slack.page_view import title_of
from estimator import Estimate, count


@dataclass(frozen=True)
class Headline:
    """An estimate's figures as the Slack message words them, for its card and flexpane."""

    title: str
    first_year: str
    monthly_run_rate: str
    one_time: str
    team_per_year: str
    multiple: str
    users: str
    model: str
    phases: tuple[str, ...]


def headline_of(e: Estimate) -> Headline:
    """The figures as the message words them, in the estimate's own currency."""
    shown = e.shown
    w = worded(e.totals, shown)
    return Headline(
        title=title_of(e),
        first_year=w.first_year,
        monthly_run_rate=f"{w.monthly}/month",
        one_time=w.one_time,
        team_per_year=f"{w.annual}/year",
        multiple=f"{w.multiple} the prototype",
        users=count(e.scenario.users),
        model=e.scenario.model,
        phases=tuple(f"{p.name}, {p.months}: {short_range(p.cumulative, shown)}" for p in e.phases),
    )
