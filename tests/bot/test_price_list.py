"""`aicost prices` as a person reads it: each figure's range written smaller first, as the basis
lines write it."""

from bot.price_list import render_prices


def test_a_figure_whose_low_estimate_takes_the_larger_number_reads_smaller_first():
    lines = render_prices(None, 100)
    (row,) = [line for line in lines if "compute.requests_per_instance" in line]
    assert "25-50" in row and "50-25" not in row
