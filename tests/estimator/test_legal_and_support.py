"""Legal and insurance grow with the company; support's contact rate is set against published
benchmarks."""

from __future__ import annotations

import pytest

from estimator import build_scenario, estimate
from estimator.estimate import totals_for
from estimator.phases import year_two_users


def _item(e, prefix):
    return next(i for i in e.line_items if i.item.startswith(prefix))


def test_cyber_cover_grows_from_small_business_to_enterprise_with_the_records_held():
    small = _item(estimate(build_scenario(stage="startup")), "Cyber insurance")
    big = _item(estimate(build_scenario(stage="enterprise", users=10_000_000)), "Cyber insurance")
    assert "small-business cover" in small.basis and small.high <= 7_500
    assert "enterprise cover" in big.basis and big.high >= 100_000
    assert big.cadence == "annual"


def test_cyber_cover_says_it_is_sized_by_the_records_held_not_the_companys_size():
    # A 50k-user enterprise holds 5M records: small-business cover, and the line says why.
    line = _item(estimate(build_scenario(stage="enterprise", users=50_000)), "Cyber insurance")
    assert "small-business cover" in line.basis
    assert "sized by the records held alone" in line.basis and "revenue" in line.basis


def test_legal_and_insurance_at_ten_million_users_exceed_the_articles_flat_range():
    e = estimate(build_scenario(stage="enterprise", users=10_000_000))
    legal = sum(i.high for i in e.line_items if i.category == "legal_insurance")
    assert legal > 40_000  # the article's $10k-40k a year is a small company's


def test_year_two_prices_cyber_cover_for_the_records_it_holds_then():
    s = build_scenario(stage="midsize", users=900_000, monthly_user_growth=0.2)
    average, _ = year_two_users(s)
    assert s.stored_records <= 100_000_000 < average * 100  # mid-market now, enterprise in year 2
    at_average = totals_for(build_scenario(stage="midsize", users=average))
    growth_scale = estimate(s).phases[2]
    expected = at_average.monthly.high * 12 + at_average.annual.high
    assert growth_scale.spend.high == pytest.approx(expected)


def test_the_support_line_sets_its_contact_rate_beside_published_benchmarks():
    line = _item(estimate(build_scenario(stage="startup")), "Support contacts")
    assert "published: 0.2-0.5 per B2B SaaS account" in line.basis
