"""Chart axes read right in every currency: money in the shown currency only, ticks at round
amounts of it, each labelled with its own value; user counts never shown as money."""

import io
import math

import pytest

from bot.charts import (
    ComparisonChartData,
    comparison_chart_data,
    comparison_figure,
    curve_users,
    estimate_chart_data,
    estimate_figure,
)
from bot.parsing import compare_options, first_scenario
from estimator import DOLLARS, load_price_file
from estimator.compare import compare
from estimator.estimate import estimate
from estimator.price_book import price_book
from estimator.totals import Amount

# The README's own example price file: euros at 0.92 per dollar.
EUR_FILE = """
salary_region = "UK"
loaded_factor = 1.3

[currency]
code = "EUR"
per_usd = 0.92
set_on = 2026-11-29
"""
SUFFIX = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9}


@pytest.fixture(scope="module", params=["USD", "EUR"])
def currency(request, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "USD":
        return None, "$"
    path = tmp_path_factory.mktemp("prices") / "my-prices.toml"
    path.write_text(EUR_FILE)
    return load_price_file(path), "€"


def ticks(axis, view: tuple[float, float]) -> list[tuple[float, str]]:
    """(position, label) of the ticks drawn inside the axis's view."""
    low, high = sorted(view)
    labels = [t.get_text() for t in axis.get_ticklabels()]
    return [
        (v, label)
        for v, label in zip(axis.get_ticklocs(), labels, strict=True)
        if low - 1e-9 <= v <= high * (1 + 1e-9) and label
    ]


def value(label: str, symbol: str) -> float:
    assert label.startswith(symbol), label
    number = label.removeprefix(symbol)
    suffix = number[-1] if number[-1] in SUFFIX else ""
    return float(number.removesuffix(suffix)) * SUFFIX[suffix]


def assert_money_axis(axis, view, symbol: str, log: bool = False) -> None:
    drawn = ticks(axis, view)
    assert len(drawn) >= 2
    for position, label in drawn:
        assert not any(other in label for other in "$€£¥" if other != symbol), label
        assert math.isclose(value(label, symbol), position, rel_tol=1e-6, abs_tol=1e-9), label
    positions = [p for p, _ in drawn]
    if log:  # powers of ten
        assert all(math.isclose(math.log10(p), round(math.log10(p))) for p in positions)
        return
    step = positions[1] - positions[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5)), (step, positions)
    assert all(math.isclose(p / step, round(p / step), abs_tol=1e-6) for p in positions)


def _charted(prices):
    s = first_scenario("10k users")
    return estimate(s, prices, curve_at=curve_users(s))  # a chart's estimate carries its curve


def render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")  # tick labels are set when drawn


@pytest.fixture(scope="module")
def drawn_estimate(currency):
    """An estimate in the currency and its chart, drawn once: the tests below only read it."""
    e = _charted(price_book(currency[0]))
    fig = estimate_figure(estimate_chart_data(e))
    render(fig)
    return e, fig


def test_estimate_chart_axes_are_in_the_shown_currency_at_round_values(currency, drawn_estimate):
    _, symbol = currency
    _, fig = drawn_estimate
    bars, phases, curve = fig.axes
    assert_money_axis(bars.xaxis, bars.get_xlim(), symbol)
    assert_money_axis(phases.yaxis, phases.get_ylim(), symbol)
    assert_money_axis(curve.yaxis, curve.get_ylim(), symbol, log=True)
    users = [label for _, label in ticks(curve.xaxis, curve.get_xlim())]
    assert users == ["100", "1k", "10k", "100k", "1M", "10M"]


def test_estimate_chart_draws_the_amounts_its_labels_state(currency, drawn_estimate):
    overrides, symbol = currency
    e, fig = drawn_estimate
    rate = overrides.currency.per_usd if overrides else 1.0
    team = max(p.get_width() + p.get_x() for p in fig.axes[0].patches)  # the widest bar's end
    biggest = max(a.high for _, a in estimate_chart_data(e).first_year_by_category)
    assert math.isclose(team, biggest * rate, rel_tol=1e-9)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert all(label.strip().startswith(symbol) for label in labels)


def test_comparison_chart_ticks_sit_at_the_values_they_name():
    # First years of 1.1M-1.9M: the default locator ticked at 1.25M and 1.75M, read "$1.2M"/"$1.8M".
    data = ComparisonChartData(
        title="2 options compared",
        labels=("a", "b"),
        first_year=(Amount(1_100_000, 1_300_000), Amount(1_200_000, 1_250_000)),
        monthly_all_in=(Amount(91_000, 108_000), Amount(100_000, 104_000)),
        cheapest=1,
        shown=DOLLARS,
    )
    fig = comparison_figure(data)
    render(fig)
    for panel in fig.axes:
        assert_money_axis(panel.xaxis, panel.get_xlim(), "$")


def test_comparison_chart_axes_are_in_the_shown_currency(currency):
    overrides, symbol = currency
    prices = price_book(overrides)
    options = compare_options("compare gpt-4o, gpt-4o-mini for 300k users", None)
    c = compare(options, prices)
    fig = comparison_figure(comparison_chart_data(c))
    render(fig)
    for panel in fig.axes:
        assert_money_axis(panel.xaxis, panel.get_xlim(), symbol)
        assert all(t.get_text().strip().startswith(symbol) for t in panel.texts)
