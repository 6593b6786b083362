"""Copies of a scenario price their own fields: the hot cost functions read a scenario's field
dictionary once (`s.__dict__`, docs/architecture.md "Performance idioms"), so a what-if or a
variant made after an estimate must still be priced on its own values, never the original's."""

import pytest

from estimator.estimate import estimate
from estimator.scenario import Scenario, build_scenario


def _priced(s: Scenario) -> dict:
    return estimate(s).to_dict()


def test_a_what_if_copy_made_after_an_estimate_prices_its_own_fields():
    s = build_scenario(stage="startup", users=10_000, input_tokens=1_500, output_tokens=400)
    before = _priced(s)  # the original priced first, its quotes kept
    update = {"users": 250_000, "input_tokens": 6_000, "output_tokens": 900, "regions": 2}
    copied = s.model_copy(update=update)
    fresh = build_scenario(**(s.model_dump() | update))  # validated anew, the same `given`
    assert _priced(copied)["totals"] == _priced(fresh)["totals"]
    assert _priced(copied)["totals"] != before["totals"]
    assert _priced(s) == before  # the original still prices its own fields


@pytest.mark.parametrize("make", ["varied", "at_users"])
def test_variants_made_after_an_estimate_price_their_own_fields(make):
    s = build_scenario(stage="midsize", users=20_000, model="claude-haiku-4-5")
    _priced(s)
    if make == "varied":
        variant = s.varied({"model": "gpt-4o-mini", "input_tokens": 3_000})
    else:
        variant = s.at_users(80_000)
    fresh = build_scenario(**variant.model_dump())  # validated anew, the same `given`
    assert _priced(variant)["totals"] == _priced(fresh)["totals"]
