"""All line items of a scenario, in category order: the one place the categories are assembled."""

from __future__ import annotations

from estimator.costs import (
    engineering,
    inference,
    infrastructure,
    legal,
    regions,
    security,
    storage,
    support,
    team,
)
from estimator.lines import LineItem
from estimator.scenario import Scenario
from estimator.traffic import traffic


def line_items(s: Scenario) -> list[LineItem]:
    t = traffic(s)
    return [
        *infrastructure.lines(s, t),
        *regions.lines(s, t),
        *inference.lines(s, t),
        *engineering.lines(s),
        *storage.lines(s, t),
        *security.lines(s),
        *team.lines(s),
        *support.lines(s),
        *legal.lines(s),
    ]
