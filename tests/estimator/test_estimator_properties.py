"""Properties that must hold for every scenario in the allowed range."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.breakdown import at_other_users, hosted_otherwise, line_items, parts
from estimator.breakeven import pair
from estimator.costs import self_hosting
from estimator.curve import scaling_curve
from estimator.estimate import _totals_at, estimate, totals_for
from estimator.lines import Cadence
from estimator.overrides import PriceOverrides
from estimator.phases import year_two_users
from estimator.price_book import BUNDLED_BOOK, price_book
from estimator.scenario import GPU, MAX_USERS, Compliance, Scenario
from estimator.totals import sum_lines
from estimator.traffic import traffic
from estimator.whatif import ScenarioChange, apply_change
from tests.estimator.strategies import scenarios, users

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


def _monthly(s: Scenario) -> tuple[float, float]:
    t = sum_lines(line_items(s), s.prototype_cost)
    return t.monthly.low, t.monthly.high


def _all(s: Scenario) -> tuple[float, float, float, float]:
    t = sum_lines(line_items(s), s.prototype_cost)
    return t.monthly.low, t.monthly.high, t.first_year.low, t.first_year.high


def _at_most(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x <= y + 1e-6 * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


@PROPERTY_SETTINGS
@given(scenarios())
def test_every_low_is_at_most_its_high(s):
    e = estimate(s)
    for item in e.line_items:
        assert 0 <= item.low <= item.high, item.key
        assert item.basis
    t = e.totals
    for amount in (t.one_time, t.monthly, t.annual, t.first_year):
        assert amount.low <= amount.high
    for phase in e.phases:
        assert phase.cumulative.low <= phase.cumulative.high
    for saving in e.savings:
        assert 0 <= saving.monthly.low <= saving.monthly.high + 1e-9, saving.lever


@PROPERTY_SETTINGS
@given(
    scenarios(),
    st.sampled_from([None, PriceOverrides(cloud_multiplier=1.3, provider_discounts={"openai": 9})]),
)
def test_totals_of_every_line_are_what_a_re_estimate_sums(s, prices):
    # The break-even tip takes them for the scenario's own side instead of pricing it again.
    e = estimate(s, price_book(prices))
    assert e.totals_of_every_line() == totals_for(e.scenario, e.prices)


@PROPERTY_SETTINGS
@given(scenarios())
def test_totals_equal_the_sum_of_their_lines(s):
    e = estimate(s)
    for cadence, amount in (
        (Cadence.one_time, e.totals.one_time),
        (Cadence.monthly, e.totals.monthly),
        (Cadence.annual, e.totals.annual),
    ):
        lines = [i for i in e.line_items if i.cadence is cadence]
        assert abs(sum(i.low for i in lines) - amount.low) < 1e-6 * max(1, amount.low)
        assert abs(sum(i.high for i in lines) - amount.high) < 1e-6 * max(1, amount.high)
    expected = e.totals.one_time.low + 12 * e.totals.monthly.low + e.totals.annual.low
    assert abs(e.totals.first_year.low - expected) < 1e-6 * expected


@PROPERTY_SETTINGS
@given(scenarios(), st.floats(min_value=1.0, max_value=1000.0))
def test_monthly_run_rate_never_falls_as_users_grow(s, factor):
    more = s.model_copy(update={"users": min(MAX_USERS, round(s.users * factor))})
    assert _at_most(_monthly(s), _monthly(more))


@PROPERTY_SETTINGS
@given(scenarios(), st.floats(min_value=0.0, max_value=0.95))
def test_caching_never_raises_cost(s, higher_hit_rate):
    if higher_hit_rate < s.cache_hit_rate:
        return
    cached = s.model_copy(update={"cache_hit_rate": higher_hit_rate})
    assert _at_most(_all(cached), _all(s))


@PROPERTY_SETTINGS
@given(scenarios(), st.sampled_from(list(Compliance)))
def test_adding_a_compliance_framework_never_lowers_cost(s, framework):
    stricter = apply_change(s, ScenarioChange(add_compliance=(framework,)))
    assert _at_most(_all(s), _all(stricter))


@PROPERTY_SETTINGS
@given(scenarios(regions=1), st.integers(min_value=1, max_value=19))
def test_adding_a_region_never_lowers_cost(s, extra):
    wider = s.model_copy(update={"regions": s.regions + extra})
    assert _at_most(_all(s), _all(wider))


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_cost_per_user_at_a_million_users_is_below_a_thousand(s):
    points = {p.users: p for p in scaling_curve(s, users=(1_000, 1_000_000))}
    million, thousand = points[1_000_000].per_user, points[1_000].per_user
    assert million.low < thousand.low
    assert million.high < thousand.high


@PROPERTY_SETTINGS
@given(scenarios())
def test_scaling_curve_splits_into_fixed_and_variable(s):
    for point in scaling_curve(s):
        assert point.monthly.low == point.fixed.low + point.variable.low
        assert point.variable.low >= 0 and point.fixed.low > 0


def _first_year(s: Scenario) -> tuple[float, float]:
    t = sum_lines(line_items(s), s.prototype_cost).first_year
    return t.low, t.high


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_three_percent_more_users_gives_an_overlapping_first_year_range(s):
    more = s.model_copy(update={"users": min(MAX_USERS, round(s.users * 1.03) or 1)})
    low, high = _first_year(s)
    more_low, more_high = _first_year(more)
    assert more_low <= high * (1 + 1e-9), (s.users, low, high, more_low, more_high)
    assert low <= more_high * (1 + 1e-9)


def _every_year(s: Scenario) -> tuple[float, ...]:
    """First year low/high and the year-two (Phase 3) spend low/high."""
    e = estimate(s)
    growth = e.phases[2].spend
    return e.totals.first_year.low, e.totals.first_year.high, growth.low, growth.high


@PROPERTY_SETTINGS
@given(scenarios(), st.sampled_from(list(Compliance)))
def test_a_compliance_framework_never_lowers_year_one_or_year_two(s, framework):
    stricter = apply_change(s, ScenarioChange(add_compliance=(framework,)))
    assert _at_most(_every_year(s), _every_year(stricter))


@PROPERTY_SETTINGS
@given(scenarios(regions=1), st.integers(min_value=1, max_value=19))
def test_a_region_never_lowers_year_one_or_year_two(s, extra):
    wider = apply_change(s, ScenarioChange(set={"regions": s.regions + extra}))
    assert _at_most(_every_year(s), _every_year(wider))


def _gpus(s: Scenario) -> tuple[int, int]:
    f = self_hosting.fleet(s, traffic(s, BUNDLED_BOOK), BUNDLED_BOOK)
    return f.total_gpus(low=True), f.total_gpus(low=False)


@PROPERTY_SETTINGS
@given(scenarios(hosting="self-hosted"), st.floats(min_value=1.0, max_value=100.0))
def test_self_hosted_gpus_grow_with_traffic(s, factor):
    more = s.model_copy(update={"users": min(MAX_USERS, round(s.users * factor))})
    assert _at_most(_gpus(s), _gpus(more))


# Dense Llama models from 8B to 405B (405B has no API price, so it is swapped in without one).
_BY_SIZE = [
    "@cf/meta/llama-3.1-8b-instruct",
    "databricks-meta-llama-3-3-70b-instruct",
    "meta-llama/llama-3.1-405b-instruct",
]


@PROPERTY_SETTINGS
@given(
    scenarios(hosting="self-hosted", model=_BY_SIZE[0], precision=None),
    st.sampled_from(["h100", "h200"]),
)
def test_self_hosted_gpus_grow_with_model_size(s, gpu):
    sized = [s.model_copy(update={"model": model, "gpu": GPU(gpu)}) for model in _BY_SIZE]
    for smaller, bigger in itertools.pairwise(sized):
        assert _at_most(_gpus(smaller), _gpus(bigger))


# --- LLM tokens: priced per request; ranges narrow when a usage figure is given --------------

_USAGE = (
    "daily_active_share",
    "requests_per_active_user_per_day",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
)
_TIERED = ["gpt-5.4", "gpt-5.5", "claude-sonnet-4-5", "gemini-2.5-pro", "gpt-4o-mini"]


def _llm(s: Scenario):
    (line,) = [i for i in line_items(s, BUNDLED_BOOK) if i.category == "llm_inference"]
    return line


@PROPERTY_SETTINGS
@given(
    scenarios(hosting="api"),
    st.sampled_from(_TIERED),
    st.integers(min_value=1, max_value=400_000),
)
def test_tiered_models_are_priced_one_request_at_a_time(s, model, input_tokens):
    from estimator.prompt_cache import prompt_cache
    from estimator.token_prices import token_prices
    from estimator.traffic import traffic

    window = token_prices(model).context_window or 2_000_000
    input_tokens = min(input_tokens, window - s.output_tokens - 700)  # 700 reasoning, below
    change = {"model": model, "input_tokens": input_tokens, "reasoning_tokens": 700}
    s = apply_change(s, ScenarioChange(set=change))
    from estimator.reasoning import of as reasoning_of

    cached = prompt_cache(model, input_tokens, s.prompt_cache_share).cached_tokens
    # Reasoning tokens are billed as output; a model with no price change ahead (these five)
    # costs the same every month.
    out = s.output_tokens + reasoning_of(s).tokens
    one = BUNDLED_BOOK.request_price(model, input_tokens, cached, out, s.start_month)
    calls = traffic(s, BUNDLED_BOOK).llm_requests_per_month
    # Anthropic bills writing the prefix: once per 5-minute lifetime, at most once a call.
    written = BUNDLED_BOOK.request_price(model, input_tokens, 0, out, s.start_month, cached)
    plain = BUNDLED_BOOK.request_price(model, input_tokens, 0, out, s.start_month)
    premium = written - one if cached and written > plain else 0.0
    expected = calls * one + min(calls, 30 * 24 * 60 / 5) * premium
    line = _llm(s)  # every usage figure given: only the retry allowance remains
    assert abs(line.low - expected) <= 1e-9 * max(1.0, expected)


@PROPERTY_SETTINGS
@given(scenarios(hosting="api"), st.sets(st.sampled_from(_USAGE), min_size=1))
def test_giving_a_usage_figure_narrows_the_llm_range(s, unsure):
    # The same scenario with `unsure` left to the stage's defaults, then with one of them given
    # at that same default value: the range can only narrow, around the same central figure.
    values = {name: getattr(s, name) for name in s.given if name not in unsure}
    from estimator.scenario import build_scenario

    vague = build_scenario(**values)
    name = sorted(unsure)[0]
    sharper = vague.model_copy(update={"given": vague.given | {name}})
    a, b = _llm(vague), _llm(sharper)
    tolerance = 1e-9 * max(1.0, a.high)
    assert a.low <= b.low + tolerance and b.high <= a.high + tolerance
    if a.low > 0:
        assert b.high / b.low <= a.high / a.low + 1e-9
    everything = vague.model_copy(update={"given": vague.given | set(_USAGE)})
    c = _llm(everything)
    assert abs(c.high / c.low - 1.25) < 1e-9  # nothing unsure: the retry allowance alone


# The re-estimates an answer makes (year two, ten times the users, the break-even's other side)
# price again only the groups of lines that read what they change. Their lines must be the very
# lines a full re-estimate makes, in the same order, or a total could move in its last bit.
_WORKSPACE = PriceOverrides(
    currency={"code": "EUR", "per_usd": 0.92},
    provider_discounts={"openai": 20},
    salary_region="UK",
    cloud_multiplier=1.3,
    gpu_prices={"h100": {"on_demand": 3.0, "reserved": 2.0}},
)


def _described(lines):
    return [(i.key, i.cadence, i.low, i.high, i.varies_with_users, i.basis) for i in lines]


@PROPERTY_SETTINGS
@given(scenarios(), users, st.sampled_from([None, _WORKSPACE]))
def test_other_users_are_priced_as_a_full_re_estimate(s, n, prices):
    v = s.model_copy(update={"users": n})
    book = price_book(prices)
    got = at_other_users(v, parts(s, traffic(s, book), book), book)
    assert sum_lines(got, v.prototype_cost) == totals_for(v, book)
    if prices is None:  # under own prices, line_items also words a note per line
        assert _described(got) == _described(line_items(v, book))


@PROPERTY_SETTINGS
@given(scenarios(), st.sampled_from([None, _WORKSPACE]))
def test_the_other_hosting_is_priced_as_a_full_re_estimate(s, prices):
    try:
        self_hosted, api = pair(s)
    except ValueError:
        return  # no self-hosted side to price (the break-even refuses it too)
    other = api if self_hosted is s else self_hosted
    book = price_book(prices)
    got = hosted_otherwise(other, parts(s, traffic(s, book), book), book)
    assert sum_lines(got, other.prototype_cost) == totals_for(other, book)
    if prices is None:
        assert _described(got) == _described(line_items(other, book))


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_an_estimates_re_estimates_are_the_full_ones(s):
    e = estimate(s)
    average, _ = year_two_users(s)
    for n in (min(average, MAX_USERS), min(s.users * 10, MAX_USERS)):  # year two, the plan's 10x
        assert _totals_at(s, n, e._parts, BUNDLED_BOOK) == totals_for(
            s.model_copy(update={"users": n})
        )
    year_two = totals_for(s.model_copy(update={"users": min(average, MAX_USERS)}))
    assert e.phases[2].spend == year_two.monthly.scaled(12) + year_two.annual
    try:
        self_hosted, api = pair(s)
    except ValueError:
        return
    other = api if self_hosted is s else self_hosted
    assert e.totals_hosted_otherwise(other) == totals_for(other)
