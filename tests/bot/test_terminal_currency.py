"""The terminal's answer under a price file in euros names euros wherever it names a currency."""

from __future__ import annotations

from bot.parsing import first_scenario
from bot.terminal import render_estimate
from estimator import PriceOverrides, estimate, price_book


def test_the_savings_heading_names_the_shown_currency():
    s = first_scenario("10000 users startup")
    euros = render_estimate(
        estimate(s, price_book(PriceOverrides(currency={"code": "EUR", "per_usd": 0.92}))),
        show_basis=False,
        width=100,
    )
    assert "Savings levers (€/month)" in euros and "($/month)" not in euros
    dollars = render_estimate(estimate(s), show_basis=False, width=100)
    assert "Savings levers ($/month)" in dollars
