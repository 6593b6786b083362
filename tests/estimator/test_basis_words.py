"""A line's basis is worded when first read, from what the line was priced with: reading it
looks up no price and prices nothing, so the words always match the amount beside them."""

from __future__ import annotations

import pytest

from bot.parsing import first_scenario
from estimator import DOLLARS, PriceOverrides, estimate, price_book, usd_range
from estimator.price_book import PriceBook

TEXTS = (
    "10000 users startup",
    "50k users claude-sonnet-4-5 4000 input tokens cache 30%",
    "10k users Qwen/Qwen3-14B starting September 2026",  # prices change within the year
    "20k users self-hosted h100 3 regions 99.99",
)
OWN = PriceOverrides(currency={"code": "EUR", "per_usd": 0.92}, provider_discounts={"openai": 20})


def _every_text(e) -> list[str]:
    return [
        *(i.basis for i in e.line_items),
        *(s.advice for s in e.strategies),
        *(s.detail for s in e.savings),
        *(a.why for a in e.absent),
    ]


@pytest.mark.parametrize("own", [None, OWN], ids=["bundled", "own prices"])
@pytest.mark.parametrize("text", TEXTS)
def test_reading_a_basis_looks_up_no_token_price(text, own, monkeypatch):
    prices = price_book(own)
    e = estimate(first_scenario(text), prices)
    twin = estimate(first_scenario(text), prices)
    expected = _every_text(twin)

    def refuse(*args, **kwargs):
        raise AssertionError("a basis looked up a token price when read")

    monkeypatch.setattr(PriceBook, "token_prices", refuse)
    assert _every_text(e) == expected


def test_the_llm_line_says_the_rates_it_was_priced_with_even_after_prices_are_refreshed(
    monkeypatch,
):
    e = estimate(first_scenario("50k users gpt-4o-mini"))
    line = next(i for i in e.line_items if i.item.startswith("LLM tokens"))
    rates = e.token_prices
    assert rates is not None
    listed = rates.per_mtok()
    # A refreshed snapshot lands between the estimate and its wording: the words stay the line's.
    doubled = type(rates)(
        rates.model, rates.provider, rates.input * 2, rates.cached_input * 2, rates.output * 2
    )
    monkeypatch.setattr(PriceBook, "token_prices", lambda self, model, day=None: (doubled, "x"))
    assert listed in line.basis
    assert doubled.per_mtok() not in line.basis


def test_an_estimate_shown_in_euros_keeps_its_basis_in_dollars():
    e = estimate(first_scenario("10000 users startup"), price_book(OWN))
    assert e.shown.symbol == "€"
    bases = " ".join(i.basis for i in e.line_items)
    assert "$" in bases and "€" not in bases
    first = e.totals.first_year
    assert usd_range(first.low, first.high, e.shown).startswith("€")
    assert usd_range(first.low, first.high, DOLLARS).startswith("$")


def test_one_framework_and_one_extra_region_are_counted_in_the_singular():
    e = estimate(first_scenario("10k users 2 regions hipaa"))
    team = " ".join(i.basis for i in e.line_items if i.category.value == "team")
    assert "x 1 framework)" in team and "x 1 extra region)" in team
    assert "1 frameworks" not in team and "1 extra regions" not in team
