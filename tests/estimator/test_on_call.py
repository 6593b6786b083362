"""On-call is staffed for the uptime target: a 24/7 rotation has the people to hold it, and paging
seats go only to people who exist."""

from __future__ import annotations

import math
import re

import pytest

from estimator import build_scenario, estimate


def _item(e, prefix):
    return next((i for i in e.line_items if i.item.startswith(prefix)), None)


def _seats(e) -> int:
    return int(re.search(r"(\d+) paging seats", _item(e, "Monitoring").basis).group(1))


def _paged_fte(e) -> float:
    paged = ("ML engineers", "DevOps engineers", "Site reliability engineers", "MLOps")
    fte = 0.0
    for i in e.line_items:
        if i.category == "team" and i.item.startswith(paged):
            fte += float(re.match(r"([\d.]+) FTE", i.basis).group(1))
    return fte


def test_four_nines_with_a_tiny_team_contracts_the_rotation_it_lacks():
    e = estimate(build_scenario(stage="enterprise", users=1_000, uptime=99.99))
    cover = _item(e, "On-call cover")
    assert cover is not None and "rotation of 8 people" in cover.basis
    contracted = float(re.search(r"so ([\d.]+) slots", cover.basis).group(1))
    assert _paged_fte(e) + contracted == pytest.approx(8, abs=0.02)
    assert _seats(e) == 8  # the eight people holding it, contracted ones included


@pytest.mark.parametrize("uptime", [99.5, 99.9])
def test_without_a_staffed_rotation_seats_never_outnumber_the_paged_engineers(uptime):
    e = estimate(build_scenario(stage="enterprise", users=1_000, uptime=uptime))
    assert _item(e, "On-call cover") is None
    assert _seats(e) == max(1, math.ceil(_paged_fte(e) - 1e-9))


def test_a_team_large_enough_holds_the_rotation_itself():
    e = estimate(build_scenario(stage="enterprise", users=50_000_000, uptime=99.99))
    assert _paged_fte(e) >= 8
    assert _item(e, "On-call cover") is None
    assert _seats(e) == math.ceil(_paged_fte(e))


def test_the_uptime_target_is_what_staffs_the_rotation():
    base = dict(stage="midsize", users=200_000)
    three_nines = estimate(build_scenario(**base, uptime=99.9))
    four_nines = estimate(build_scenario(**base, uptime=99.99))
    team = lambda e: sum(i.low for i in e.line_items if i.category == "team")  # noqa: E731
    assert team(four_nines) > team(three_nines)
