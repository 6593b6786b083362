"""The break-even's crossing, found in a few evaluations, is the user count the full search
reports: the search (bisection over decades, then whole users, a run-rate of each side at every
point) is kept here as the oracle."""

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.corpus import texts
from bot.parsing import first_scenario
from estimator.breakdown import shared, unscaled
from estimator.breakeven import (
    _regime,
    break_even,
    crossing,
    difference_at,
    monthly_reading,
    pair,
)
from estimator.costs import infrastructure, self_hosting, team
from estimator.price_book import BUNDLED_BOOK
from estimator.run_rate import Points, shared_weight, unshared, weight_of
from estimator.scenario import MAX_USERS, Hosting, Stage
from estimator.traffic import traffic
from tests.estimator.strategies import scenarios, users


def searched(s) -> int | None:
    """The break-even as the search found it before it was computed from the lines' steps:
    every point of the bisection priced as a full estimate's run-rate."""
    self_hosted, api = pair(s)

    def cheaper_self_hosted(n: int) -> bool:
        return monthly_reading(self_hosted.at_users(n)) <= monthly_reading(api.at_users(n))

    if cheaper_self_hosted(1):
        return 1
    if not cheaper_self_hosted(MAX_USERS):
        return None
    low_exp, high_exp = 0.0, math.log10(MAX_USERS)
    while high_exp - low_exp > 0.01:
        mid = (low_exp + high_exp) / 2
        if cheaper_self_hosted(round(10**mid)):
            high_exp = mid
        else:
            low_exp = mid
    low, high = round(10**low_exp), round(10**high_exp)
    while high - low > 1:
        mid = (low + high) // 2
        if cheaper_self_hosted(mid):
            high = mid
        else:
            low = mid
    return high


def _pair_or_none(s):
    try:
        return pair(s)
    except ValueError:  # no self-hostable counterpart for this scenario
        return None


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_the_break_even_is_the_user_count_the_full_search_reports(s):
    if _pair_or_none(s) is None:
        return
    b = break_even(s)
    assert b.users == searched(s)
    assert b.always_cheaper == (b.users == 1)


def test_typed_requests_get_the_full_searchs_break_even():
    # What people type (benchmarks/corpus.py): GPU fleets of a few replicas, whose cost is a
    # staircase, often cross the API's slope more than once near the break-even.
    checked = 0
    for text in texts(600)[::8]:
        s = first_scenario(text)
        if _pair_or_none(s) is None:
            continue
        assert break_even(s).users == searched(s), text
        checked += 1
    assert checked > 50


def test_the_lines_can_cross_more_than_once_and_the_answer_is_the_searchs():
    # Which open model stands in for an API model is the pairing's choice: of these requests,
    # at least one crosses more than once within a few tenths of a decade of its answer.
    crossed_more_than_once = 0
    for text in ("70k users claude-haiku-4-5", "100k users gpt-4o", "100k users claude-sonnet-4-5"):
        s = first_scenario(text)
        found = break_even(s).users
        assert found == searched(s), text
        if found in (None, 1):
            continue
        self_hosted, api = pair(s)
        below = math.log10(found) - 0.4
        counts = sorted({round(10 ** (below + k / 400)) for k in range(241)})
        signs = [
            monthly_reading(self_hosted.at_users(n)) <= monthly_reading(api.at_users(n))
            for n in counts
        ]
        if sum(a != b for a, b in itertools.pairwise(signs)) > 1:
            crossed_more_than_once += 1
    assert crossed_more_than_once


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.lists(users, min_size=2, max_size=2))
def test_every_step_the_difference_takes_grows_with_users(s, counts):
    # The crossing relies on it: the same regime at two counts means the same between them.
    sides = _pair_or_none(s)
    if sides is None:
        return
    low, high = sorted(min(n, MAX_USERS) for n in counts)
    regime = _regime(*sides, BUNDLED_BOOK)
    at_low, at_high = regime(low), regime(high)
    for a, b in zip(_flat(at_low), _flat(at_high), strict=True):
        assert a <= b


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.lists(users, min_size=1, max_size=4))
def test_the_regime_read_from_the_differences_points_is_the_regime_made_afresh(s, counts):
    # The search reads the regime at counts whose difference it read already, from the same
    # sides, traffic and GPU fleet: the same steps as made afresh, and the difference the two
    # full readings' to the bit.
    sides = _pair_or_none(s)
    if sides is None:
        return
    points = Points(*sides, BUNDLED_BOOK)
    difference = difference_at(*sides, BUNDLED_BOOK, points)
    regime, afresh = _regime(*sides, BUNDLED_BOOK, points), _regime(*sides, BUNDLED_BOOK)
    for n in {1, MAX_USERS, *(min(n, MAX_USERS) for n in counts)}:
        hosted, api = (side.at_users(n) for side in sides)
        assert difference(n) == monthly_reading(hosted) - monthly_reading(api)
        assert regime(n) == afresh(n)


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.lists(users, min_size=1, max_size=6))
def test_the_searchs_difference_without_the_shared_groups_has_the_full_readings_sign(s, counts):
    # The search reads signs: without the groups both sides share, the same sign as two full
    # estimates' readings, near the crossing too (where it falls back on the full difference).
    sides = _pair_or_none(s)
    if sides is None:
        return
    signed = difference_at(*sides, BUNDLED_BOOK, signed=True)
    found = break_even(s).users
    near = {found - 1, found, found + 1} - {0} if found is not None else set()
    for n in {1, MAX_USERS, *near, *(min(n, MAX_USERS) for n in counts)}:
        hosted, api = (side.at_users(n) for side in sides)
        full = monthly_reading(hosted) - monthly_reading(api)
        assert (signed(n) <= 0) == (full <= 0), n


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.lists(users, min_size=2, max_size=2))
def test_the_groups_both_sides_share_grow_with_users(s, counts):
    # The search's margin counts their amounts at the most users it searches.
    def amounts(n: int) -> float:
        v = s.at_users(n)
        return weight_of(shared(v, traffic(v, BUNDLED_BOOK), BUNDLED_BOOK))

    low, high = sorted(min(n, MAX_USERS) for n in counts)
    assert amounts(low) <= amounts(high) <= amounts(MAX_USERS)


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.lists(users, min_size=1, max_size=4))
def test_the_searchs_difference_without_what_both_sides_share_is_the_full_difference(s, counts):
    # The search skips the app tier and the parts of staging and monitoring that read traffic
    # only: what is left differs from the full readings' difference by rounding alone, far
    # inside the margin it trusts a sign by.
    sides = _pair_or_none(s)
    if sides is None:
        return
    own = [unscaled(side, BUNDLED_BOOK) for side in sides]
    _, top = (side.at_users(MAX_USERS) for side in sides)
    most = shared_weight(top, traffic(top, BUNDLED_BOOK), BUNDLED_BOOK)
    for n in {1, MAX_USERS, *(min(n, MAX_USERS) for n in counts)}:
        hosted, api = (side.at_users(n) for side in sides)
        t = traffic(hosted, BUNDLED_BOOK)
        assert traffic(api, BUNDLED_BOOK) == t  # the sides share usage
        reading, weight = unshared(hosted, own[0], BUNDLED_BOOK, t)
        other, other_weight = unshared(api, own[1], BUNDLED_BOOK, t)
        full = monthly_reading(hosted) - monthly_reading(api)
        bound = weight + other_weight + 2 * most
        assert abs((reading - other) - full) <= 1e-14 * bound, n


@settings(max_examples=60, deadline=None)
@given(scenarios(), users)
def test_what_a_hosting_adds_to_its_infrastructure_and_team_is_all_the_sides_differ_by(s, n):
    sides = _pair_or_none(s)
    if sides is None:
        return
    hosted, api = (side.at_users(min(n, MAX_USERS)) for side in sides)
    t = traffic(hosted, BUNDLED_BOOK)
    gpus = self_hosting.fleet(hosted, t, BUNDLED_BOOK)
    lines = [infrastructure.lines(v, t, BUNDLED_BOOK, g) for v, g in ((hosted, gpus), (api, None))]
    added = [infrastructure.own_amounts(hosted, t, BUNDLED_BOOK, gpus)]
    added.append(infrastructure.own_amounts(api, t, BUNDLED_BOOK))
    for ours, theirs in zip(*lines, strict=True):
        assert ours.item == theirs.item
        if ours.item not in ("Staging environment", "Monitoring, on-call and autoscaling"):
            assert (ours.low, ours.high) == (theirs.low, theirs.high), ours.item
            continue
        # Never under a cent (run_rate would leave such a line out on one side only).
        assert min(ours.low, theirs.low) > 0.005
        part = 0 if ours.item.startswith("Staging") else 1
        for end in (0, 1):
            by_lines = (ours.low, ours.high)[end] - (theirs.low, theirs.high)[end]
            by_parts = added[0][part][end] - added[1][part][end]
            assert math.isclose(by_lines, by_parts, rel_tol=0, abs_tol=1e-9 * ours.high)
    # The team: the same roles, line for line, but MLOps and the contracted cover.
    ours, theirs = team.amounts(hosted, BUNDLED_BOOK), team.amounts(api, BUNDLED_BOOK)
    own_ours, own_theirs = (team.own_amounts(v, BUNDLED_BOOK) for v in (hosted, api))
    assert ours[: len(ours) - len(own_ours)] == theirs[: len(theirs) - len(own_theirs)]
    assert ours[len(ours) - len(own_ours) :] == own_ours
    assert theirs[len(theirs) - len(own_theirs) :] == own_theirs


@settings(max_examples=60, deadline=None)
@given(scenarios(), users)
def test_what_both_sides_share_is_largest_at_the_most_users(s, n):
    # The search's margin counts it at the most users searched, from the API side.
    sides = _pair_or_none(s)
    if sides is None:
        return
    _, top = (side.at_users(MAX_USERS) for side in sides)
    most = shared_weight(top, traffic(top, BUNDLED_BOOK), BUNDLED_BOOK)
    for v in (side.at_users(min(n, MAX_USERS)) for side in sides):
        t = traffic(v, BUNDLED_BOOK)
        gpus = self_hosting.fleet(v, t, BUNDLED_BOOK) if v.hosting is Hosting.self_hosted else None
        amounts = [
            *infrastructure.amounts(v, t, BUNDLED_BOOK, gpus),
            *team.amounts(v, BUNDLED_BOOK),
        ]
        full = sum(low + high for low, high in amounts) + weight_of(shared(v, t, BUNDLED_BOOK))
        added = [
            *infrastructure.own_amounts(v, t, BUNDLED_BOOK, gpus),
            *team.own_amounts(v, BUNDLED_BOOK),
        ]
        assert full <= (most + sum(low + high for low, high in added)) * (1 + 1e-12)


def _flat(value):
    if isinstance(value, tuple):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def test_each_role_on_its_floor_or_not_started_has_a_fixed_headcount():
    for stage in Stage:
        s = first_scenario(f"1000 users {stage.value}")
        for n in (10, 1_000, 100_000, 10_000_000):
            v = s.at_users(n)
            growing = dict(zip(team.ROLES, team.growing(v, BUNDLED_BOOK), strict=True))
            people = team.headcount(v, BUNDLED_BOOK)
            fewer = team.headcount(s.at_users(n // 2), BUNDLED_BOOK)
            for role, grows in growing.items():
                if not grows:
                    assert people.get(role, 0.0) == fewer.get(role, 0.0), (stage, n, role)


def test_a_search_with_one_regime_everywhere_finds_a_straight_lines_zero():
    assert crossing(lambda n: 1000.0 - n, lambda n: "one") == 1000
    assert crossing(lambda n: 1000.5 - n, lambda n: "one") == 1001
    assert crossing(lambda n: -1.0, lambda n: "one") == 1
    assert crossing(lambda n: 1.0, lambda n: "one") is None
