"""The organisation's own prices: the settings model, its messages and the price-file loader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from estimator import facts
from estimator.overrides import (
    BUNDLED,
    Currency,
    CurrencySetting,
    PriceOverrides,
    SalaryRegion,
    default_rate,
    messages,
    region_salary,
    regions_data,
    roles,
)
from estimator.price_file import PriceFileError, load_price_file, parse_price_file, price_file_path
from estimator.scenario import GPU
from estimator.token_prices import token_prices

FULL_FILE = """
salary_region = "UK"
loaded_factor = 1.3
cloud_multiplier = 1.1

[currency]
code = "EUR"
per_usd = 0.92
set_on = 2026-11-29

[discounts]
openai = 15

[models."claude-haiku-4-5"]
input = 0.5
output = 2.5

[gpu_prices.h100]
on_demand = 2.5
reserved = 1.6

[stage_defaults]
requests_per_active_user_per_day = 8
input_tokens = 1500

[salary.ml_engineer]
low = 100000
high = 150000

[gpu.l4]
hourly_low = 0.5
source = "our contract"
"""


def test_no_settings_means_the_bundled_prices():
    overrides = PriceOverrides()
    assert overrides.is_default()
    bundled = token_prices("gpt-4o")
    assert overrides.token_prices_for(bundled) == (bundled, BUNDLED)
    assert overrides.salary_range("ml_engineer") == (
        facts.bundled_figure("salary.ml_engineer"),
        BUNDLED,
    )
    assert overrides.gpu_hourly(GPU.h100) is None
    assert overrides.currency.describe() == "USD"


def test_a_price_file_in_the_data_files_shape_reads_every_setting():
    overrides = parse_price_file(FULL_FILE, "our-prices.toml")
    assert overrides.currency == CurrencySetting(
        code=Currency.EUR, per_usd=0.92, set_on=dt.date(2026, 11, 29)
    )
    assert overrides.currency.describe() == "EUR at 0.92 per USD (set 2026-11-29)"
    assert overrides.salary_region is SalaryRegion.uk
    assert overrides.loaded_factor == 1.3 and overrides.cloud_multiplier == 1.1
    assert overrides.stage_defaults.given() == {
        "requests_per_active_user_per_day": 8,
        "input_tokens": 1500,
    }
    assert overrides.entries == {"gpu.l4": {"hourly_low": 0.5}}
    assert overrides.origin == "our-prices.toml"


def test_a_provider_discount_takes_its_share_off_every_token_price_of_that_provider():
    overrides = parse_price_file("[discounts]\nopenai = 15\n")
    bundled = token_prices("gpt-4o")
    prices, where = overrides.token_prices_for(bundled)
    assert prices.input == pytest.approx(bundled.input * 0.85)
    assert prices.cached_input == pytest.approx(bundled.cached_input * 0.85)
    assert prices.output == pytest.approx(bundled.output * 0.85)
    assert where == "openai list less 15% (price file)"
    other = token_prices("claude-haiku-4-5")
    assert overrides.token_prices_for(other) == (other, BUNDLED)


def test_an_explicit_model_price_wins_over_its_providers_discount():
    overrides = parse_price_file(FULL_FILE.replace('"claude-haiku-4-5"', '"gpt-4o"'), "f.toml")
    prices, where = overrides.token_prices_for(token_prices("gpt-4o"))
    assert (prices.input, prices.cached_input, prices.output) == (0.5, 0.5, 2.5)
    assert where == "f.toml"


def test_own_salary_range_wins_over_the_region_and_other_roles_follow_the_region():
    overrides = parse_price_file(FULL_FILE, "f.toml")
    own, where = overrides.salary_range("ml_engineer")
    assert (own.low, own.high, where) == (100_000, 150_000, "f.toml")
    devops, where = overrides.salary_range("devops_engineer")
    assert (devops.low, devops.high) == (65_000, 103_000) and where == "UK"


def test_every_region_has_a_sourced_range_for_every_role_below_the_us_one():
    sources = regions_data()["sources"]
    for region in SalaryRegion:
        for role in roles():
            figure = region_salary(region, role)
            assert 0 < figure.low <= figure.high
            assert figure.source in sources or region is SalaryRegion.us
            assert dt.date.fromisoformat(figure.checked)
            if region is not SalaryRegion.us:
                assert figure.high < facts.bundled_figure(f"salary.{role}").high


def test_every_currency_has_a_default_rate_with_its_source():
    for currency in Currency:
        assert default_rate(currency) > 0
        assert regions_data()["currency"][currency.value]["source"] in regions_data()["sources"]
    assert default_rate(Currency.USD) == 1.0


def test_gpu_prices_give_on_demand_and_reserved_and_figures_keep_what_the_file_leaves():
    overrides = parse_price_file(FULL_FILE, "f.toml")
    assert overrides.gpu_hourly(GPU.h100) == (2.5, 1.6, "f.toml")
    assert overrides.gpu_hourly(GPU.a100) is None
    figure, where = overrides.figure_for("gpu.l4", facts.bundled_figure("gpu.spares"))
    assert where == "f.toml" and figure.high == facts.bundled_figure("gpu.spares").high
    untouched = facts.bundled_figure("compute.staging_share")
    assert overrides.figure_for("compute.staging_share", untouched) == (untouched, BUNDLED)


def test_currency_converts_at_its_own_rate():
    eur = CurrencySetting(code=Currency.EUR, per_usd=0.9, set_on=dt.date(2026, 11, 1))
    assert eur.convert(1000) == pytest.approx(900)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[gpu.b200]\nhourly_low = 1\n", "f.toml: gpu.b200: not an entry of the bundled data file"),
        ("[gpu.h100]\nhourly = 1\n", "f.toml: gpu.h100.hourly: unknown key; use hourly_high,"),
        ("colour = 1\n", "f.toml: colour: not an entry of the bundled data file"),
        ("[sources]\nours = 'x'\n", "f.toml: sources: not an entry of the bundled data file"),
        ("[salary.ceo]\nlow = 1\n", "f.toml: salary.ceo: unknown role; use ml_engineer"),
        ("[salary.ml_engineer]\nlow = 9\nhigh = 5\n", "f.toml: salary.ml_engineer: low is more"),
        ("[gpu.h100]\nhourly_low = 'cheap'\n", "f.toml: gpu.h100.hourly_low: must be a number"),
        ("loaded_factor = 9\n", "f.toml: loaded_factor: Loaded factor must be between 1 and 3."),
        ("[discounts]\nopenaii = 3\n", "f.toml: discounts: Unknown provider 'openaii'"),
        ("[discounts]\nopenai = 100\n", "f.toml: discounts: The discount for openai must be from"),
        ("[currency]\ncode = 'XYZ'\n", "f.toml: currency: Enter a currency: USD, EUR, GBP"),
        ("[currency]\ncode = 'USD'\nper_usd = 2\n", "f.toml: currency: The rate of USD is 1"),
        ("[currency]\ncode = 'EUR'\nper_usd = 0\n", "f.toml: currency: The rate must be more"),
        ("[currency]\ncode = 'EUR'\nsurprise = 1\n", "f.toml: currency: Unknown setting"),
        ("[models.'gpt-4o']\ninput = 1\n", "f.toml: models: Output is required."),
        ("[gpu_prices.b200]\non_demand = 1\n", "f.toml: gpu_prices: Enter a GPU: h100, h200, a100"),
        ("[gpu_prices.l4]\non_demand = 1\nreserved = 2\n", "f.toml: gpu_prices: The reserved"),
        ("[stage_defaults]\ninput_tokens = 0\n", "between 1 and 2,000,000."),
        ("cloud_multiplier = 'x'\n", "f.toml: cloud_multiplier: Enter a multiplier from 0.1"),
        ("salary_region = 'Mars'\n", "f.toml: salary_region: Enter a region: US, EU-West, UK"),
        ("x = [\n", "f.toml: not valid TOML"),
    ],
)
def test_a_bad_price_file_is_one_line_naming_the_key(text, message):
    with pytest.raises(PriceFileError) as caught:
        parse_price_file(text, "f.toml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_settings_model_is_frozen_and_refuses_unknown_fields():
    with pytest.raises(ValidationError) as caught:
        PriceOverrides(colour="blue")
    assert messages(caught.value) == {"colour": "Unknown setting 'colour'."}
    with pytest.raises(ValidationError):
        PriceOverrides().cloud_multiplier = 2  # type: ignore[misc]


def test_messages_name_each_bad_field_once():
    with pytest.raises(ValidationError) as caught:
        PriceOverrides.model_validate(
            {"loaded_factor": 0.5, "cloud_multiplier": 50, "stage_defaults": {"output_tokens": 0}}
        )
    assert messages(caught.value) == {
        "loaded_factor": "Loaded factor must be between 1 and 3.",
        "cloud_multiplier": "Cloud multiplier must be between 0.1 and 10.",
        "stage_defaults": "Output tokens must be a whole number between 1 and 200,000.",
    }


def test_the_file_comes_from_the_flag_first_then_the_environment(tmp_path: Path):
    assert price_file_path(None, {}) is None
    assert price_file_path(None, {"AICOST_PRICES": "env.toml"}) == Path("env.toml")
    assert price_file_path("flag.toml", {"AICOST_PRICES": "env.toml"}) == Path("flag.toml")
    path = tmp_path / "ours.toml"
    path.write_text("[discounts]\nanthropic = 10\n")
    assert load_price_file(path).provider_discounts == {"anthropic": 10}
    with pytest.raises(PriceFileError, match=r"missing\.toml: cannot read it"):
        load_price_file(tmp_path / "missing.toml")
