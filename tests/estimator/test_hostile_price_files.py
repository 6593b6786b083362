"""Price files that are not what they claim: non-finite or dividing figures, nesting thousands
deep, devices, FIFOs and huge files. Each is one line naming the file and the key, never a
traceback, a NaN in an answer, or a wait (issue 23, item 8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from estimator.price_file import (
    MAX_PRICE_FILE_BYTES,
    PriceFileError,
    load_price_file,
    parse_price_file,
)


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        ("[compute.instance_monthly]\nlow = nan\n", "compute.instance_monthly.low", "0 or more"),
        ("[compute.instance_monthly]\nhigh = inf\n", "compute.instance_monthly.high", "0 or more"),
        ("[salary.ml_engineer]\nlow = -inf\n", "salary.ml_engineer.low", "0 or more"),
        ("[compute.requests_per_instance]\nlow = 0\nhigh = 0\n",
         "compute.requests_per_instance.low", "more than 0"),
        ("[network.requests_per_lcu]\nlow = 0\nhigh = 0\n", "network.requests_per_lcu.low",
         "more than 0"),
        ("[support.contacts_per_agent]\nlow = 0\nhigh = 0\n", "support.contacts_per_agent.low",
         "more than 0"),
        ("[headcount.startup]\nreference_users = 0\n", "headcount.startup.reference_users",
         "more than 0"),
        ("[headcount_growth.onset_users]\nproduct_manager = 0\n",
         "headcount_growth.onset_users.product_manager", "more than 0"),
        ('[gpu.h100]\nmemory_gb = 0\n', "gpu.h100.memory_gb", "more than 0"),
    ],
)  # fmt: skip
def test_figures_that_are_not_finite_or_would_divide_by_zero_are_refused(text, key, why):
    with pytest.raises(PriceFileError) as refused:
        parse_price_file(text, origin="prices.toml")
    assert str(refused.value).startswith(f"prices.toml: {key}: ")
    assert why in str(refused.value) and "\n" not in str(refused.value)


def test_a_price_that_may_be_free_can_still_be_zero():
    overrides = parse_price_file("[compute.instance_monthly]\nlow = 0\nhigh = 0\n")
    assert overrides.entries["compute.instance_monthly"] == {"low": 0.0, "high": 0.0}


def test_nesting_thousands_deep_is_one_line_not_a_recursion_error():
    text = "a = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(PriceFileError, match=r"^deep\.toml: nested too deeply"):
        parse_price_file(text, origin="deep.toml")


def test_a_device_is_refused_without_reading_it():
    with pytest.raises(PriceFileError, match=r"^/dev/zero: not a regular file$"):
        load_price_file(Path("/dev/zero"))


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "prices.toml"
    os.mkfifo(fifo)
    with pytest.raises(PriceFileError, match="not a regular file"):
        load_price_file(fifo)  # opening it would wait for a writer forever


def test_a_huge_file_is_refused_by_its_size(tmp_path):
    huge = tmp_path / "prices.toml"
    huge.write_text("# " + "x" * MAX_PRICE_FILE_BYTES + "\n")
    with pytest.raises(PriceFileError, match="larger than 1,000,000 bytes"):
        load_price_file(huge)
