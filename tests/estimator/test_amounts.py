"""Amounts only: the cost groups the break-even's search sums, priced without wording a line,
are the amounts of the lines an estimate shows, to the bit, for every scenario and price book."""

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.breakdown import parts, repriced_changes, shared, unscaled, usage_changes
from estimator.breakeven import difference_at, monthly_reading, pair
from estimator.costs import app_tier, inference, infrastructure, regions, self_hosting, team
from estimator.lines import Amounts, Cadence
from estimator.overrides import PriceOverrides
from estimator.price_book import BUNDLED_BOOK, price_book
from estimator.run_rate import run_rate
from estimator.scenario import MAX_USERS, Hosting
from estimator.traffic import traffic
from estimator.variant_sums import OwnSums
from tests.estimator.strategies import scenarios, users

# Own prices that move the app tier (cloud multiplier), salaries (region) and GPUs.
_WORKSPACE = PriceOverrides(
    salary_region="UK",
    cloud_multiplier=1.3,
    gpu_prices={"h100": {"on_demand": 3.0, "reserved": 2.0}},
)
_BOOKS = st.sampled_from([BUNDLED_BOOK, price_book(_WORKSPACE)])


def _gpus(s, t, book):
    return self_hosting.fleet(s, t, book) if s.hosting is Hosting.self_hosted else None


def _amounts(lines):
    return [(item.low, item.high) for item in lines]


@settings(max_examples=150, deadline=None)
@given(scenarios(), _BOOKS)
def test_the_app_tiers_amounts_are_its_lines_amounts(s, book):
    t = traffic(s, book)
    gpus = _gpus(s, t, book)
    worded = infrastructure.lines(s, t, book, gpus)
    assert infrastructure.amounts(s, t, book, gpus) == _amounts(worded)
    assert {item.cadence for item in worded} <= {Cadence.monthly}  # summed as monthly


@settings(max_examples=100, deadline=None)
@given(scenarios(), users)
def test_amounts_on_the_other_sides_app_tier_are_the_lines_amounts(s, n):
    # The search prices the app tier once a point, for both sides, and takes it for each.
    try:
        self_hosted, api = (side.at_users(n) for side in pair(s))
    except ValueError:
        return  # no self-hosted side (the break-even refuses it too)
    t = traffic(self_hosted, BUNDLED_BOOK)
    app = app_tier.priced(self_hosted, t, BUNDLED_BOOK)
    for side in (self_hosted, api):
        gpus = _gpus(side, t, BUNDLED_BOOK)
        worded = infrastructure.lines(side, t, BUNDLED_BOOK, gpus)
        assert infrastructure.amounts(side, t, BUNDLED_BOOK, gpus, app) == _amounts(worded)


@settings(max_examples=150, deadline=None)
@given(scenarios(), _BOOKS, st.integers(min_value=1, max_value=3))
def test_inferences_amounts_are_its_lines_amounts(s, book, count):
    # Tokens on an API, or the GPU fleet of the primary and the extra regions when self-hosted.
    v = s.varied({"regions": count})
    t = traffic(v, book)
    gpus = _gpus(v, t, book)
    worded = inference.lines(v, t, book, gpus)
    assert inference.amounts(v, t, book, gpus) == _amounts(worded)
    assert inference.amounts(v, t, book) == _amounts(worded)  # the fleet sized here
    assert {item.cadence for item in worded} <= {Cadence.monthly}  # summed as monthly


@settings(max_examples=150, deadline=None)
@given(scenarios(), _BOOKS, st.integers(min_value=1, max_value=5))
def test_the_extra_regions_amounts_are_their_lines_amounts(s, book, count):
    v = s.varied({"regions": count})
    t = traffic(v, book)
    worded = regions.lines(v, t, book)
    assert regions.amounts(v, t, book) == _amounts(worded)
    assert {item.cadence for item in worded} <= {Cadence.monthly}  # summed as monthly


@settings(max_examples=150, deadline=None)
@given(scenarios(), _BOOKS)
def test_the_teams_amounts_are_its_lines_amounts(s, book):
    worded = team.lines(s, book)
    assert team.amounts(s, book) == _amounts(worded)
    assert {item.cadence for item in worded} <= {Cadence.annual}  # summed as annual


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.lists(users, min_size=1, max_size=4))
def test_a_sides_run_rate_from_amounts_is_its_full_estimates(s, counts):
    for n in {1, MAX_USERS, *counts}:
        v = s.at_users(n)
        assert run_rate(v, unscaled(s, BUNDLED_BOOK), BUNDLED_BOOK) == monthly_reading(v)


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.lists(users, min_size=1, max_size=4))
def test_the_searchs_difference_is_the_full_estimates_difference(s, counts):
    # Both sides at a count share the groups that read neither hosting nor model, and the app
    # tier: the difference is still the two full estimates' readings, to the bit.
    try:
        self_hosted, api = pair(s)
    except ValueError:
        return
    difference = difference_at(self_hosted, api)
    for n in {1, MAX_USERS, *counts}:
        hosted, served = self_hosted.at_users(n), api.at_users(n)
        assert difference(n) == monthly_reading(hosted) - monthly_reading(served)
        t = traffic(hosted, BUNDLED_BOOK)
        common = shared(hosted, t, BUNDLED_BOOK)
        assert run_rate(hosted, unscaled(hosted, BUNDLED_BOOK), BUNDLED_BOOK, common, t) == (
            monthly_reading(hosted)
        )


@settings(max_examples=80, deadline=None)
@given(scenarios(), _BOOKS, st.sampled_from([0.5, 2.0, 10.0]))
def test_a_swing_summed_from_amounts_is_the_swing_summed_from_lines(s, book, factor):
    # The sensitivity prices a swing's app tier and team for their sums alone (`Amounts`).
    own = parts(s, traffic(s, book), book)
    sums = OwnSums(own)
    v = s.varied({"daily_active_share": min(1.0, s.daily_active_share * factor), "given": s.given})
    for changes_of in (
        lambda worded: usage_changes(s, book, own, worded=worded)(v),
        lambda worded: repriced_changes(v, own, book, frozenset({"infrastructure"}), worded=worded),
        lambda worded: repriced_changes(s, own, book, frozenset({"team"}), worded=worded),
    ):
        worded, unworded = changes_of(True), changes_of(False)
        assert {g: _amounts(lines) for g, lines in worded.items()} == {
            g: list(pairs) if isinstance(pairs, Amounts) else _amounts(pairs)
            for g, pairs in unworded.items()
        }
        assert sums.first_year(unworded) == sums.first_year(worded)


def test_a_swing_that_moves_no_group_is_the_own_first_year():
    # A one-user self-hosted fleet at its minimum: more daily users change no line, and the
    # swing's first year is the estimate's own (it was a ValueError, found by the test above).
    from bot.parsing import first_scenario
    from estimator.totals import sum_lines

    s = first_scenario("1 user startup self-hosted llama 3.1 8b h100 100% daily")
    own = parts(s, traffic(s, BUNDLED_BOOK), BUNDLED_BOOK)
    v = s.varied({"daily_active_share": 1.0, "given": s.given})
    moved = usage_changes(s, BUNDLED_BOOK, own, worded=False)(v)
    assert moved == {}
    assert OwnSums(own).first_year(moved) == sum_lines(own.lines(), s.prototype_cost).first_year
