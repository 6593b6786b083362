"""Work the break-even and the estimate share between the scenarios they price: the app tier's
hosting-free lines, the on-call rotation, the search's run-rate, a request's quote. Shared or not,
every figure and word is the one pricing each scenario afresh gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.breakdown import parts
from estimator.breakeven import difference_at, monthly_reading, pair
from estimator.costs import app_tier, inference, infrastructure, on_call, team
from estimator.price_book import BUNDLED_BOOK
from estimator.scenario import MAX_USERS, Hosting
from estimator.traffic import traffic
from estimator.uncertainty import REASONING_GIVEN, USAGE_FIELDS, given_mask, not_given
from tests.estimator.strategies import scenarios, users


def _pair_or_none(s):
    try:
        return pair(s)
    except ValueError:  # no self-hostable counterpart for this scenario
        return None


def _worded(lines):
    return [(i.category, i.item, i.cadence, i.low, i.high, i.basis) for i in lines]


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.lists(users, min_size=1, max_size=3))
def test_both_sides_of_a_break_even_read_the_app_tier_priced_once_to_the_bit(s, counts):
    sides = _pair_or_none(s)
    if sides is None:
        return
    self_hosted, api = sides
    difference = difference_at(self_hosted, api)
    for n in {1, MAX_USERS, *counts}:
        expected = monthly_reading(self_hosted.at_users(n)) - monthly_reading(api.at_users(n))
        assert difference(n) == expected


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_the_app_tier_of_the_other_hosting_gives_the_lines_priced_afresh_words_included(s):
    sides = _pair_or_none(s)
    if sides is None:
        return
    prices = BUNDLED_BOOK
    for side, other in (sides, sides[::-1]):
        t = traffic(side, prices)
        app = app_tier.priced(other, traffic(other, prices), prices)
        shared = infrastructure.lines(side, t, prices, None, app)
        assert _worded(shared) == _worded(infrastructure.lines(side, t, prices))


@settings(max_examples=40, deadline=None)
@given(scenarios(hosting=Hosting.api), users)
def test_an_app_tier_of_other_traffic_is_not_taken(s, n):
    prices = BUNDLED_BOOK
    other = s.at_users(n)
    app = app_tier.priced(other, traffic(other, prices), prices)
    t = traffic(s, prices)
    assert _worded(infrastructure.lines(s, t, prices, None, app)) == _worded(
        infrastructure.lines(s, t, prices)
    )


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_the_rotation_made_once_is_the_one_worked_out_from_the_headcount(s):
    prices = BUNDLED_BOOK
    assert team.rotation(s, prices) == on_call.rotation(s, prices, team.headcount(s, prices))


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_an_estimates_parts_carry_the_app_tier_its_infrastructure_lines_came_from(s):
    prices = BUNDLED_BOOK
    t = traffic(s, prices)
    own = parts(s, t, prices)
    assert own.app is not None
    assert own.infrastructure[:3] == own.app.lines()[0]
    assert _worded(own.infrastructure) == _worded(infrastructure.lines(s, t, prices))


_USAGE_GIVEN = [*USAGE_FIELDS, "reasoning_tokens"]
_OTHER_GIVEN = ["users", "stage", "regions", "uptime", "compliance", "model", "cache_hit_rate"]


@settings(max_examples=60, deadline=None)
@given(
    scenarios(hosting=Hosting.api),
    st.sets(st.sampled_from(_USAGE_GIVEN)),
    st.sets(st.sampled_from(_OTHER_GIVEN)),
    st.sets(st.sampled_from(_OTHER_GIVEN)),
)
def test_a_request_quote_made_for_a_scenario_that_gave_other_figures_words_the_line_as_afresh(
    s, usage, others, other_others
):
    # Quotes are kept by the usage figures given, not the whole set: a scenario that gave the
    # same usage and other figures besides (its users, its stage) reads the same quote.
    prices = BUNDLED_BOOK
    mine = s.model_copy(update={"given": frozenset(usage | others)})
    theirs = s.model_copy(update={"given": frozenset(usage | other_others)})
    t = traffic(mine, prices)
    inference._quote.cache_clear()
    afresh = _worded(inference.lines(mine, t, prices))
    inference._quote.cache_clear()
    inference.quote(theirs, prices)
    assert _worded(inference.lines(mine, t, prices)) == afresh


def test_the_fields_a_band_is_unsure_of_are_the_usage_figures_not_given_reasoning_last():
    for n in range(1 << len(_USAGE_GIVEN)):
        gave = {name for bit, name in enumerate(_USAGE_GIVEN) if n & 1 << bit} | {"users"}
        for reasoning_unsure in (False, True):
            expected = tuple(name for name in USAGE_FIELDS if name not in gave)
            if reasoning_unsure and "reasoning_tokens" not in gave:
                expected = (*expected, "reasoning_tokens")
            mask = given_mask(frozenset(gave))
            assert not_given(mask, reasoning_unsure and not mask & REASONING_GIVEN) == expected
