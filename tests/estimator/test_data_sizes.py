"""Data sizes in a line's basis read as a person writes them: whole gigabytes with thousands
separators ("4,000-8,000 GB", not "4,000.0-8,000.0 GB"), one decimal only below 10 ("3.2-14 GB"),
one figure when both ends agree. Only the words change: the amounts stay as they were."""

from __future__ import annotations

import re

import pytest

from estimator import build_scenario, estimate
from estimator.money import size, size_span


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2250.0, "2,250"),
        (49680.0, "49,680"),
        (97.2, "97"),
        (12.0, "12"),
        (9.94, "9.9"),
        (9.96, "10"),  # rounds to 10.0, which is not below 10
        (5.0, "5"),
        (0.3, "0.3"),
        (0.04, "0.04"),  # not "0.0": a small size still reads as something
        (0.0, "0"),
    ],
)
def test_a_size_has_one_decimal_only_below_ten(value: float, shown: str) -> None:
    assert size(value) == shown


def test_a_size_range_is_one_figure_when_its_ends_agree() -> None:
    assert size_span(8640.0, 49680.0) == "8,640-49,680"
    assert size_span(2250.0, 2250.0) == "2,250"
    assert size_span(2249.6, 2250.4) == "2,250"
    assert size_span(1.0, 5.5) == "1-5.5"


def test_storage_bases_read_whole_gigabytes_and_decimals_only_below_ten() -> None:
    e = estimate(build_scenario(stage="enterprise", users=1_000_000, stored_records=2_000_000_000))
    bases = {i.item: i.basis for i in e.line_items}
    assert "2,000,000,000 records x 2-4 KB = 4,000-8,000 GB x" in bases["Database disk and backups"]
    assert "3.2-14 GB of vectors + 4.5-24 GB HNSW index" in next(
        b for item, b in bases.items() if item.startswith("Vector search")
    )
    assert "= 864-4,968 GB x" in bases["Transcripts and logs (object storage)"]
    every = " ".join(bases.values())
    assert not re.search(r"\d\.0\b", every)  # no "14.0", "2,250.0"
    assert not re.search(r"\d{2,}\.\d [GK]B", every)  # no decimal at 10 or more
