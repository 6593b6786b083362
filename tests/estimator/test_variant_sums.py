"""A sensitivity swing's first year, continued from the estimate's own sums over only the groups
it priced again, is the very float a full sum of the variant's lines gives; the scenario copy
the swings make is the one `model_copy` makes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.breakdown import GROUPS, REGIONS, TEAM, parts, repriced_changes, with_changes
from estimator.overrides import PriceOverrides
from estimator.price_book import price_book
from estimator.totals import sum_lines
from estimator.traffic import traffic
from estimator.variant_sums import OwnSums
from tests.estimator.strategies import scenarios

PRICES = [None, PriceOverrides(salary_region="UK", cloud_multiplier=1.3)]


@settings(max_examples=40, deadline=None)
@given(
    scenarios(),
    st.sets(st.sampled_from(sorted(GROUPS)), min_size=1),
    st.integers(min_value=0, max_value=2_000_000_000),
    st.sampled_from(PRICES),
)
def test_a_variants_first_year_is_the_sum_of_its_lines_to_the_bit(s, groups, records, prices):
    book = price_book(prices)
    own = parts(s, traffic(s, book), book)
    v = s.varied({"stored_records": records, "given": s.given | {"stored_records"}})
    changes = repriced_changes(v, own, book, frozenset(groups))
    whole = sum_lines(with_changes(own, changes), v.prototype_cost).first_year
    assert OwnSums(own).first_year(changes) == whole


@settings(max_examples=20, deadline=None)
@given(scenarios())
def test_a_group_left_without_lines_is_summed_without_them(s):
    # A variant may price a group to no lines where the estimate had some (no extra region, no
    # on-call cover): its sum must leave them out, not fall back to the estimate's own.
    book = price_book(None)
    own = parts(s, traffic(s, book), book)
    changes = {REGIONS: [], TEAM: []}
    expected = sum_lines([*own.lines()], s.prototype_cost)
    got = OwnSums(own).first_year(changes)
    assert got == sum_lines(with_changes(own, changes), s.prototype_cost).first_year
    if own.team:
        assert got != expected.first_year


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.integers(min_value=1, max_value=10_000_000))
def test_the_swings_copy_of_a_scenario_is_model_copys(s, users):
    update = {"users": users, "given": s.given | {"users"}}
    fast, copied = s.varied(update), s.model_copy(update=update)
    assert fast == copied and hash(fast) == hash(copied)
    assert fast.model_fields_set == copied.model_fields_set
    assert fast.model_dump() == copied.model_dump()
