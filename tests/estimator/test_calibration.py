"""The article's worked examples must come out right (first year of production)."""

import pytest

from estimator.estimate import estimate
from estimator.scenario import build_scenario

WORKED_EXAMPLES = [
    ("startup", 50_000, 300_000),
    ("midsize", 100_000, 800_000),
    ("enterprise", 200_000, 2_000_000),
]


@pytest.mark.parametrize(("stage", "prototype", "reference"), WORKED_EXAMPLES)
def test_worked_example_falls_inside_first_year_range(stage, prototype, reference):
    first_year = estimate(build_scenario(stage=stage, prototype_cost=prototype)).totals.first_year
    assert first_year.low <= reference <= first_year.high


@pytest.mark.parametrize(("stage", "prototype", "reference"), WORKED_EXAMPLES)
def test_worked_example_range_is_at_most_three_to_one(stage, prototype, reference):
    first_year = estimate(build_scenario(stage=stage, prototype_cost=prototype)).totals.first_year
    assert first_year.high / first_year.low <= 3


@pytest.mark.parametrize(("stage", "prototype", "reference"), WORKED_EXAMPLES)
def test_worked_example_costs_5_to_15_times_the_prototype(stage, prototype, reference):
    multiple = estimate(build_scenario(stage=stage, prototype_cost=prototype)).totals
    assert multiple.prototype_multiple.low >= 5
    assert multiple.prototype_multiple.high <= 15


def test_enterprise_hires_more_than_a_startup():
    def people(stage):
        items = estimate(build_scenario(stage=stage)).line_items
        return sum(i.low for i in items if i.category == "team")

    assert people("startup") < people("midsize") < people("enterprise")


def test_phases_are_cumulative_and_end_where_the_first_year_ends():
    e = estimate(build_scenario(stage="startup", users=10_000))
    production_ready, market_scale, growth_scale = e.phases
    assert market_scale.cumulative.low == pytest.approx(e.totals.first_year.low)
    assert market_scale.cumulative.high == pytest.approx(e.totals.first_year.high)
    assert production_ready.cumulative.low < market_scale.cumulative.low
    assert market_scale.cumulative.low < growth_scale.cumulative.low
    assert growth_scale.users > e.scenario.users  # growth applied in year 2
