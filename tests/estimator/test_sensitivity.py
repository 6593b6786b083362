"""Sensitivity: the usage assumptions that move the first year most, checked by re-estimating."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import advisor
from bot.advisor import ConversationState
from bot.parsing import first_scenario
from estimator.breakdown import usage_variants
from estimator.estimate import estimate, totals_for
from estimator.overrides import PriceOverrides
from estimator.price_book import price_book
from estimator.scenario import build_scenario
from estimator.totals import sum_lines
from estimator.uncertainty import USAGE_FIELDS, span
from tests.estimator.strategies import scenarios

WORKSPACE_PRICES = [
    None,
    PriceOverrides(currency={"code": "EUR", "per_usd": 0.92}, provider_discounts={"openai": 20}),
    PriceOverrides(
        salary_region="UK",
        cloud_multiplier=1.3,
        gpu_prices={"h100": {"on_demand": 3.0, "reserved": 2.0}},
        entries={"storage.disk_per_gb_month": {"low": 0.2, "high": 0.3}},
    ),
]


def _midpoint(amount):
    return (amount.low + amount.high) / 2


def test_each_swing_is_the_first_year_re_estimated_at_the_low_and_the_high():
    e = estimate(first_scenario("10000 users startup"))
    assert len(e.sensitivity) == 3
    for item in e.sensitivity:
        at = {
            value: estimate(
                build_scenario(stage="startup", users=10_000, **{item.field: value})
            ).totals.first_year
            for value in (item.low, item.high)
        }
        assert item.first_year_at_low.low == pytest.approx(at[item.low].low)
        assert item.first_year_at_high.high == pytest.approx(at[item.high].high)
        assert item.swing == pytest.approx(_midpoint(at[item.high]) - _midpoint(at[item.low]))
    swings = [abs(item.swing) for item in e.sensitivity]
    assert swings == sorted(swings, reverse=True)


def test_requests_per_user_moves_a_startup_first_year_most():
    (top, *_) = estimate(first_scenario("10000 users startup")).sensitivity
    assert (top.field, top.low, top.high) == ("requests_per_active_user_per_day", 3, 10)


def test_a_given_figure_is_not_in_the_sensitivity():
    e = estimate(first_scenario("10000 users startup 8 requests per day"))
    assert "requests_per_active_user_per_day" not in {i.field for i in e.sensitivity}
    assert not estimate(
        first_scenario("10000 users startup 20% daily 5 requests per day 1000/300 tokens")
    ).sensitivity


def test_what_ifs_do_not_compute_the_sensitivity():
    state = advisor.request("10000 users startup", ConversationState()).state
    turn = advisor.follow_up_text("what if 50k users?", state)
    assert turn.reply.estimate is not None
    # cached_property stores its value on first read: unread, it was never computed
    assert "sensitivity" not in vars(turn.reply.estimate)


@settings(max_examples=40, deadline=None)
@given(scenarios(), st.sampled_from(WORKSPACE_PRICES))
def test_usage_variants_sum_to_exactly_the_full_re_estimate(s, prices):
    # The sensitivity prices only the lines that read usage again; its totals must be the very
    # floats a full re-estimate gives, or a swing (and the order of the three) could move.
    book = price_book(prices)
    lines_of = usage_variants(s, book)
    for name in USAGE_FIELDS:
        for value in span(name, getattr(s, name), book):
            whole = int(value) if name.endswith("_tokens") else value
            v = s.model_copy(update={name: whole, "given": s.given | {name}})
            assert sum_lines(lines_of(v), v.prototype_cost) == totals_for(v, book), name


@settings(max_examples=25, deadline=None)
@given(scenarios(), st.sampled_from(WORKSPACE_PRICES))
def test_each_sensitivity_first_year_is_exactly_the_full_re_estimates(s, prices):
    # The estimate hands the sensitivity the lines it made already (under the bundled prices).
    e = estimate(s, price_book(prices))
    for item in e.sensitivity:
        for value, first_year in (
            (item.low, item.first_year_at_low),
            (item.high, item.first_year_at_high),
        ):
            if value == item.value:
                continue  # the estimate's own first year
            whole = int(value) if item.field.endswith("_tokens") else value
            v = e.scenario.model_copy(
                update={item.field: whole, "given": e.scenario.given | {item.field}}
            )
            assert first_year == totals_for(v, e.prices).first_year, item.field
