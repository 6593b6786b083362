"""Charts: real PNGs of sensible size, drawn from the estimate's own numbers."""

import functools
import struct

from bot.charts import (
    comparison_chart_data,
    comparison_chart_png,
    curve_users,
    estimate_chart_data,
    estimate_chart_png,
)
from bot.parsing import compare_options, first_scenario
from estimator.compare import compare
from estimator.curve import scaling_curve
from estimator.estimate import estimate

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def charted(text: str):
    """The estimate of `text` as a chart is drawn from: with its cost-per-user curve."""
    s = first_scenario(text)
    return estimate(s, curve_at=curve_users(s))


@functools.cache
def drawn(text: str) -> bytes:
    """The chart of `text`, drawn once for the tests that only read it (a draw is most of a
    second of CPU)."""
    return estimate_chart_png(charted(text))


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_estimate_chart_is_a_phone_sized_png_that_decodes():
    import io

    from PIL import Image

    png = drawn("100k users startup")
    width, height = png_size(png)
    assert 600 <= width <= 1600 and 900 <= height <= 2400
    assert 20_000 < len(png) < 1_000_000
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel
    assert image.size == (width, height)


def test_estimate_chart_shows_the_estimates_own_numbers():
    e = charted("250k users enterprise hipaa")
    data = estimate_chart_data(e)
    # categories: each bar is the category's first-year total from the line items
    by_label = dict(data.first_year_by_category)
    for category, one_time, monthly, annual in e.by_category():
        bar = by_label[category.label]
        assert abs(bar.low - (one_time.low + 12 * monthly.low + annual.low)) < 0.01
        assert abs(bar.high - (one_time.high + 12 * monthly.high + annual.high)) < 0.01
    assert abs(sum(a.low for a in by_label.values()) - e.totals.first_year.low) < 0.01
    highs = [a.high for _, a in data.first_year_by_category]
    assert highs == sorted(highs, reverse=True)
    # phases: the cumulative spend, beside the article's multiple of the prototype
    for (_, cumulative, band), phase in zip(data.phases, e.phases, strict=True):
        assert cumulative == phase.cumulative
        assert band.low == phase.article_multiple[0] * e.scenario.prototype_cost
    # cost per user: the scaling curve from 100 to 10M users, the scenario among its points
    users = [u for u, _ in data.per_user]
    assert users[0] == 100 and users[-1] == 10_000_000 and e.scenario.users in users
    curve = {p.users: p.per_user for p in scaling_curve(e.scenario, users=tuple(users))}
    assert dict(data.per_user) == curve
    assert data.scenario_per_user == e.totals.monthly_all_in.scaled(1 / e.scenario.users)
    assert "250,000 users" in data.title and "enterprise" in data.title


def test_comparison_chart_draws_each_options_estimate_and_marks_the_cheapest():
    c = compare(compare_options("compare gpt-4o-mini, claude-sonnet-4-5 for 50k users"))
    data = comparison_chart_data(c)
    assert data.labels == ("gpt-4o-mini", "claude-sonnet-4-5")
    assert data.first_year == tuple(o.estimate.totals.first_year for o in c.options)
    assert data.cheapest == 0
    width, height = png_size(comparison_chart_png(c))
    assert width >= 600 and height >= 500


def test_charts_drawn_at_once_on_two_threads_equal_one_drawn_alone():
    from concurrent.futures import ThreadPoolExecutor

    texts = ["100k users startup", "2M users enterprise"]
    alone = [drawn(text) for text in texts]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(estimate_chart_png, [charted(text) for text in texts]))
    assert together == alone
