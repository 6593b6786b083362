"""Token prices read month by month: each month of the projection at the price genai-prices' data
has in force that month (gemini-3.8-flash doubles on 2027-01-01)."""

import datetime

import pytest

from estimator.estimate import estimate
from estimator.phases import year_two_users
from estimator.price_book import BUNDLED_BOOK
from estimator.scenario import ScenarioError, build_scenario

# Every usage figure given, so the line is central x 1-1.25 (no usage band).
GIVEN = dict(
    daily_active_share=0.3,
    requests_per_active_user_per_day=5,
    input_tokens=1_000,
    output_tokens=300,
    reasoning_tokens=0,
    cache_hit_rate=0.2,
)
CALLS = 2_000_000 * 0.3 * 5 * 30 * 0.8  # 72,000,000 LLM calls a month


def _llm(s):
    (line,) = [i for i in estimate(s).line_items if i.category == "llm_inference"]
    return line


def _gemini(start: datetime.date, **values):
    return build_scenario(
        stage="midsize",
        users=2_000_000,
        model="gemini-3.8-flash",
        start_month=start,
        **GIVEN,
        **values,
    )


def test_each_month_is_priced_at_the_price_in_force_that_month():
    # 1,000 in x $0.75 + 300 out x $3.75 per Mtok = $0.001875 a request in December 2026;
    # $1.50/$7.50 from 2027-01-01 = $0.00375. One month at the first, eleven at the second.
    line = _llm(_gemini(datetime.date(2026, 12, 1)))
    average = (1 * 0.001875 + 11 * 0.00375) / 12
    assert line.low == pytest.approx(CALLS * average)
    assert "changes the price on 2027-01-01" in line.basis
    assert "$0.75/$0.075/$3.75 per Mtok → $1.5/$0.15/$7.5 per Mtok" in line.basis
    assert "Dec 2026 at $0.001875, Jan-Nov 2027 at $0.00375" in line.basis


def test_a_projection_starting_after_the_change_pays_the_new_price_all_year():
    line = _llm(_gemini(datetime.date(2027, 3, 1)))
    assert line.low == pytest.approx(CALLS * 0.00375)
    assert "changes the price" not in line.basis
    assert "from Mar 2027" in line.basis


def test_year_two_is_priced_at_months_13_to_24():
    # Started in December 2026, year two (Dec 2027-Nov 2028) is all at the new price: its LLM
    # spend is twelve months at $0.00375 for year two's average users, not today's $0.001875.
    s = _gemini(datetime.date(2026, 12, 1), monthly_user_growth=0.0)
    phase_three = estimate(s).phases[2]
    later = estimate(_gemini(datetime.date(2027, 12, 1), monthly_user_growth=0.0))
    assert year_two_users(s)[0] == 2_000_000
    expected = later.totals.monthly.scaled(12) + later.totals.annual
    assert phase_three.spend.low == pytest.approx(expected.low)
    assert phase_three.spend.high == pytest.approx(expected.high)


def test_a_price_change_in_year_two_alone_prices_year_two_at_the_new_price():
    # Started in January 2026, the first year (Jan-Dec 2026) has one price and year two
    # (Jan-Dec 2027) the doubled one: year two is not priced as the first year.
    s = _gemini(datetime.date(2026, 1, 1), monthly_user_growth=0.0)
    e = estimate(s)
    later = estimate(_gemini(datetime.date(2027, 1, 1), monthly_user_growth=0.0))
    expected = later.totals.monthly.scaled(12) + later.totals.annual
    assert e.phases[2].spend == expected
    assert e.phases[2].spend.low > (e.totals.monthly.scaled(12) + e.totals.annual).low


def test_with_no_price_change_in_either_year_year_two_costs_the_first_years_run_rate():
    # gpt-4o-mini's price does not change: with no growth, year two is twelve months of the first
    # year's run-rate and a year of its annual costs, to the cent.
    s = build_scenario(model="gpt-4o-mini", users=50_000, monthly_user_growth=0.0)
    e = estimate(s)
    assert e.phases[2].spend == e.totals.monthly.scaled(12) + e.totals.annual


def test_the_projection_starts_this_month_unless_told():
    s = build_scenario(model="gpt-4o-mini")
    today = datetime.datetime.now(datetime.UTC).date()
    assert s.start_month == today.replace(day=1)
    assert "start_month" not in s.given


def test_a_start_outside_the_supported_years_is_refused_with_a_sentence():
    with pytest.raises(ScenarioError, match="starting March 2027"):
        build_scenario(start_month=datetime.date(1999, 3, 1))


def test_a_model_whose_price_does_not_change_costs_the_same_whatever_the_start():
    a = _llm(build_scenario(model="gpt-4o-mini", start_month=datetime.date(2026, 12, 1)))
    b = _llm(build_scenario(model="gpt-4o-mini", start_month=datetime.date(2027, 6, 1)))
    assert (a.low, a.high) == (b.low, b.high)
    assert BUNDLED_BOOK.token_prices("gpt-4o-mini")[0].input == 0.15
