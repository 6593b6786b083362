"""Sensitivity: every assumption the team left to aicost, ranked by how far it moves the first
year, each swing checked against a full re-estimate with that one assumption changed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import advisor
from bot.advisor import ConversationState
from bot.parsing import first_scenario
from estimator.breakdown import parts, usage_variants
from estimator.estimate import estimate, totals_for
from estimator.overrides import PriceOverrides
from estimator.pinned_book import pinned
from estimator.price_book import BUNDLED_BOOK, price_book
from estimator.scenario import build_scenario
from estimator.swings import assumptions
from estimator.totals import sum_lines
from estimator.traffic import traffic
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
# Scenario defaults a team may leave unsaid: the sensitivity swings each one it did not give.
LEFT_UNSAID = [
    *USAGE_FIELDS,
    "cache_hit_rate",
    "stored_records",
    "corpus_documents",
    "reasoning_tokens",
]


def _midpoint(amount):
    return (amount.low + amount.high) / 2


def _brute_force(s, book, a, is_low):
    """The first year re-estimated in full with the assumption `a` at one end."""
    if a.pins:
        return totals_for(s, pinned(book, a.pins, low=is_low)).first_year
    value = a.low if is_low else a.high
    whole = int(value) if a.unit in ("records", "documents") or a.key.endswith("_tokens") else value
    v = s.model_copy(update={a.key: whole, "given": s.given | {a.key}})
    return totals_for(v, book).first_year


@settings(max_examples=60, deadline=None)
@given(
    scenarios(),
    st.sets(st.sampled_from(LEFT_UNSAID)),
    st.sampled_from(WORKSPACE_PRICES),
)
def test_each_fast_swing_equals_the_full_re_estimate_with_that_assumption_changed(
    s, unsaid, prices
):
    # Each variant prices again only the lines that read what it changes; its first year must
    # be the very floats a full re-estimate gives, or a swing (and the ranking) could move.
    s = s.model_copy(update={"given": s.given - unsaid})
    book = price_book(prices)
    own = parts(s, traffic(s, book), book)
    first_year = totals_for(s, book).first_year
    found = assumptions(s, first_year, book, own)
    assert {a.key for a in found} >= {"salaries", "support.contact_rate", "storage.record_kb"}
    for a in found:
        for is_low in (True, False):
            if not a.pins and (a.low if is_low else a.high) == a.value:
                continue  # the estimate's own first year
            assert a.at(is_low) == _brute_force(s, book, a, is_low), (a.key, is_low)


@settings(max_examples=25, deadline=None)
@given(scenarios(), st.sampled_from(WORKSPACE_PRICES))
def test_usage_variants_sum_to_exactly_the_full_re_estimate(s, prices):
    book = price_book(prices)
    lines_of = usage_variants(s, book)
    for name in USAGE_FIELDS:
        for value in span(name, getattr(s, name), book):
            whole = int(value) if name.endswith("_tokens") else value
            v = s.model_copy(update={name: whole, "given": s.given | {name}})
            assert sum_lines(lines_of(v), v.prototype_cost) == totals_for(v, book), name


def test_each_swing_is_the_first_year_re_estimated_at_the_low_and_the_high():
    e = estimate(first_scenario("10000 users startup"))
    assert e.sensitivity
    for item in e.sensitivity:
        if item.spanned:
            continue  # a figure of the data file: held by the property test above
        at = {
            value: estimate(
                build_scenario(stage="startup", users=10_000, **{item.field: value})
            ).totals.first_year
            for value in (item.low, item.high)
        }
        assert item.swing == pytest.approx(_midpoint(at[item.high]) - _midpoint(at[item.low]))
    swings = [abs(item.swing) for item in e.sensitivity.ranked]
    assert swings == sorted(swings, reverse=True)


def test_a_startup_holding_billions_of_records_weighs_its_stored_data():
    # Stored data is one of the assumptions weighed: the size of a record (2-4 KB) on 2 billion
    # records moves the disk line. Beside salaries it stays under 1% of this year, and says so.
    e = estimate(first_scenario("100k users startup 2000000000 records"))
    assert "size of a stored record" in e.sensitivity.quiet
    assert "size of a stored record" in e.sensitivity.rest_sentence()
    (top, *_) = e.sensitivity
    assert top.field == "salaries"


def test_stored_data_ranks_first_when_it_is_most_of_the_year():
    e = estimate(first_scenario("100k users startup 200000000000 records"))
    (top, *_) = e.sensitivity
    assert (top.field, top.low, top.high) == ("storage.record_kb", 2, 4)
    assert top.swing > 2 * max(abs(item.swing) for item in e.sensitivity.ranked[1:])


def test_at_10_million_users_the_support_contact_rate_is_ranked():
    e = estimate(
        first_scenario("10M users enterprise gpt-4o-mini soc2 iso27001 gdpr hipaa 5 regions 99.99")
    )
    (support,) = [item for item in e.sensitivity if item.field == "support.contact_rate"]
    assert (support.low, support.high) == (0.004, 0.008)
    assert support.swing > 1_000_000  # 40,000 more contacts a month at the high end
    assert support.show(support.high) == "0.8%"


def test_a_self_hosted_fleet_at_its_minimum_says_usage_does_not_move_it():
    e = estimate(first_scenario("10k users startup self-hosted h100 llama 70b"))
    ranked = {item.field for item in e.sensitivity.ranked}
    assert ranked == {"gpu_hourly", "salaries"}
    sentence = e.sensitivity.rest_sentence()
    assert "requests per active user per day" in sentence
    assert "moves it by less than 1% of the first year" in sentence
    for item in e.sensitivity.ranked:
        assert abs(item.swing) >= e.sensitivity.threshold


def test_when_nothing_moves_the_year_much_one_sentence_says_so():
    # Own salaries and GPU price leave no range to swing; the fleet sits at its minimum.
    own = price_book(
        PriceOverrides(
            salaries={role: {"low": 150_000, "high": 150_000} for role in _roles()},
            loaded_factor=1.3,
            gpu_prices={"h100": {"on_demand": 3.0}},
        )
    )
    e = estimate(first_scenario("10k users startup self-hosted h100 llama 70b"), own)
    assert not e.sensitivity.ranked
    assert e.sensitivity.rest_sentence().startswith(
        "Nothing you left to aicost moves the first year by 1% of the first year"
    )


def _roles():
    from estimator.costs.team import ROLES

    return list(ROLES)


def test_a_given_figure_is_not_swung():
    e = estimate(first_scenario("10000 users startup 8 requests per day"))
    assert "requests_per_active_user_per_day" not in {i.field for i in e.sensitivity.ranked}
    assert "requests per active user per day" not in e.sensitivity.quiet


def test_what_ifs_do_not_compute_the_sensitivity():
    state = advisor.request("10000 users startup", ConversationState()).state
    turn = advisor.follow_up_text("what if 50k users?", state)
    assert turn.reply.estimate is not None
    # cached_property stores its value on first read: unread, it was never computed
    assert "sensitivity" not in vars(turn.reply.estimate)


def test_the_json_lists_every_ranked_assumption_and_what_fell_under_the_threshold():
    data = estimate(first_scenario("100k users midsize gpt-5 1000/300 tokens")).to_dict()
    first = data["sensitivity"][0]
    assert first["assumption"] == "reasoning_tokens" and first["first_year_swing"] > 0
    rest = data["sensitivity_rest"]
    assert rest["threshold_share"] == 0.01
    assert "support contacts per user a month" in rest["below_threshold"]


def test_pinned_books_are_made_once():
    names = ("support.contact_rate",)
    assert pinned(BUNDLED_BOOK, names, low=True) is pinned(BUNDLED_BOOK, names, low=True)
    assert pinned(BUNDLED_BOOK, names, low=False).figure("support.contact_rate").low == 0.008


def test_the_gpu_hourly_price_is_shown_in_the_workspaces_currency():
    from bot.slack import answers
    from estimator.overrides import PriceOverrides

    euros = PriceOverrides(currency={"code": "EUR", "per_usd": 0.5})
    (message, *_) = answers.request("llama 3.1 8b self-hosted 20k users", euros).messages
    (gpu,) = [b for b in message.blocks if "GPU hourly price" in str(b)]
    line = next(x for x in str(gpu).split("\\n") if "GPU hourly price" in x)
    assert "€1/h → €2.50/h" in line and "$" not in line  # $2-5 an hour at 0.5 EUR per USD
