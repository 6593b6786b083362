"""The hosting tip's break-even, remembered per scenario without its scale, is the search's
answer for the scenario at every user count."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.answers import _breakeven, _crossing
from estimator.breakeven import break_even
from estimator.estimate import estimate
from estimator.scenario import Scenario
from tests.estimator.strategies import scenarios, users


def records_follow_users(s: Scenario, count: int) -> Scenario:
    """`s` at `count` users with its stored records derived from them, as people's scenarios
    have them (the hypothesis strategy gives records explicitly)."""
    values = s.model_dump(exclude={"given", "stored_records", "users"})
    return Scenario(**values, users=count, given=s.given - {"stored_records"})


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.lists(users, min_size=2, max_size=3, unique=True))
def test_the_tips_break_even_is_the_search_at_every_scale(s, counts):
    for given_records in (False, True):
        for count in counts:
            v = records_follow_users(s, count)
            if given_records:
                v = v.model_copy(update={"given": v.given | {"stored_records"}})
            try:
                expected = break_even(v)
            except ValueError:  # no self-hostable counterpart: the tip says nothing of it
                return
            assert _breakeven(estimate(v)) == expected


def test_scenarios_differing_only_in_users_share_one_search():
    _crossing.cache_clear()
    base = records_follow_users(estimate(Scenario(stage="startup", users=1000)).scenario, 1000)
    for count in (1_000, 23_456, 4_500_000):
        _breakeven(estimate(records_follow_users(base, count)))
    assert _crossing.cache_info().misses == 1 and _crossing.cache_info().hits == 2
