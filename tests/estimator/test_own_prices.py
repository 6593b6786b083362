"""An organisation's own prices applied inside the estimator: every line moves exactly as the
settings say, and nothing else moves."""

from __future__ import annotations

import functools

import pytest

from bot.parsing import first_scenario
from estimator import facts
from estimator.estimate import estimate
from estimator.lines import Category
from estimator.money import DOLLARS, usd_range
from estimator.overrides import PriceOverrides
from estimator.pinned_book import pinned
from estimator.price_book import BUNDLED_BOOK, price_book
from estimator.price_file import parse_price_file
from estimator.whatif import ScenarioChange, apply_change

STANDARD = "10000 users startup"


def amounts(e) -> dict[str, tuple[float, float]]:
    return {item.key: (item.low, item.high) for item in e.line_items}


def test_eur_with_a_provider_discount_is_the_usd_estimate_converted_and_discounted_line_by_line():
    s = first_scenario(STANDARD)
    usd = estimate(s)
    eur = estimate(
        s,
        price_book(
            PriceOverrides(
                currency={"code": "EUR", "per_usd": 0.9}, provider_discounts={"openai": 20}
            )
        ),
    )
    assert usd.scenario.model.startswith("gpt-")  # an openai model: the discount applies
    assert [i.key for i in usd.line_items] == [i.key for i in eur.line_items]
    for before, after in zip(usd.line_items, eur.line_items, strict=True):
        keep = 0.8 if before.category is Category.llm_inference else 1.0
        assert after.low == pytest.approx(before.low * keep, rel=1e-9), before.item
        assert after.high == pytest.approx(before.high * keep, rel=1e-9), before.item
        shown = usd_range(after.low, after.high, eur.shown)
        assert shown == usd_range(
            before.low * keep * 0.9, before.high * keep * 0.9, DOLLARS
        ).replace("$", "€")
        assert shown.startswith("€")
    llm = next(i for i in eur.line_items if i.category is Category.llm_inference)
    assert "openai list less 20% (workspace settings)" in llm.basis
    assert "EUR at 0.9 per USD" in " ".join(eur.settings_applied)
    data = eur.to_dict()
    assert data["currency"]["code"] == "EUR" and data["currency"]["per_usd"] == 0.9
    assert data["currency"]["first_year"]["low"] == pytest.approx(
        eur.totals.first_year.low * 0.9, abs=0.01
    )


def test_every_lever_is_worded_in_the_workspaces_currency_autoscaling_included():
    # Autoscaling used to word its detail while estimating, outside the estimate's currency: its
    # saving read in dollars beside the other levers' euros.
    eur = estimate(
        first_scenario("2000000 users enterprise"),
        price_book(PriceOverrides(currency={"code": "EUR", "per_usd": 0.92})),
    )
    details = {lever.lever: lever.detail for lever in eur.savings}
    for lever, detail in details.items():
        assert "€" in detail, lever
    assert "saves €" in details["autoscaling"] and "$" not in details["autoscaling"]


def test_a_price_file_overriding_one_entry_moves_exactly_the_lines_that_use_it():
    s = first_scenario(STANDARD)
    base = estimate(s)
    own = parse_price_file("[network.nat_gateway_monthly]\nlow = 100\nhigh = 100\n", "my.toml")
    e = estimate(s, price_book(own))
    moved = {k for k, v in amounts(e).items() if amounts(base)[k] != v}
    assert moved == {"infrastructure:Network egress and NAT"}
    for before, after in zip(base.line_items, e.line_items, strict=True):
        if after.key in moved:
            assert "network.nat_gateway_monthly 100 (my.toml)" in after.basis
            assert after.low - before.low == pytest.approx(100 - 32.85, abs=1)
        else:
            assert after.basis == before.basis
    assert e.settings_applied == ["network.nat_gateway_monthly: low 100, high 100 (my.toml)"]


def test_a_salary_region_changes_only_the_team_lines():
    s = first_scenario(STANDARD)
    base, uk = amounts(estimate(s)), estimate(s, price_book(PriceOverrides(salary_region="UK")))
    moved = {k for k, v in amounts(uk).items() if base[k] != v}
    team = {i.key for i in uk.line_items if i.category is Category.team}
    assert moved == team and team
    ml = next(i for i in uk.line_items if i.item == "ML engineers")
    assert "$76,000–114,000 salary (UK, regions.toml)" in ml.basis


def test_own_salaries_and_loaded_factor_are_named_in_the_team_basis():
    own = PriceOverrides(
        salaries={"ml_engineer": {"low": 150_000, "high": 200_000}}, loaded_factor=1.5
    )
    e = estimate(first_scenario(STANDARD), price_book(own))
    ml = next(i for i in e.line_items if i.item == "ML engineers")
    assert "$150,000–200,000 salary (workspace settings)" in ml.basis
    assert "x 1.5 fully loaded (workspace settings)" in ml.basis
    assert ml.low == pytest.approx(1.0 * 150_000 * 1.5)


def test_cloud_multiplier_moves_the_app_tier_and_nothing_else():
    s = first_scenario(STANDARD)
    base, e = estimate(s), estimate(s, price_book(PriceOverrides(cloud_multiplier=2.0)))
    for before, after in zip(base.line_items, e.line_items, strict=True):
        if after.category in (Category.infrastructure, Category.storage):
            assert after.high > before.high, after.item
        else:
            assert (after.low, after.high) == (before.low, before.high), after.item
    app = next(i for i in e.line_items if i.item == "App servers, primary region")
    assert app.low == pytest.approx(2 * next(i for i in base.line_items if i.key == app.key).low)
    assert "cloud prices x2 (workspace settings)" in app.basis


def test_stage_defaults_apply_only_where_the_user_gave_no_figure():
    own = PriceOverrides(
        stage_defaults={"requests_per_active_user_per_day": 12, "input_tokens": 900}
    )
    s = first_scenario(STANDARD)
    assert estimate(s, price_book(own)).scenario.requests_per_active_user_per_day == 12
    given = s.model_copy(update={"given": s.given | {"input_tokens"}})
    assert estimate(given, price_book(own)).scenario.input_tokens == s.input_tokens


def test_own_prices_leave_no_trace_on_later_estimates_and_reach_every_re_estimate():
    s = first_scenario(STANDARD)
    before = estimate(s)
    own = PriceOverrides(provider_discounts={"openai": 50}, salary_region="India")
    prices = price_book(own)
    assert price_book(own) is prices  # one book per set of own prices
    inside = estimate(s, prices)
    ten_x = estimate(apply_change(s, ScenarioChange(scale_users=10)), prices)
    assert inside.totals != before.totals
    assert ten_x.prices is prices and ten_x.settings_applied
    after = estimate(s)
    assert after.totals == before.totals and after.prices is BUNDLED_BOOK
    assert [i.basis for i in after.line_items] == [i.basis for i in before.line_items]
    # Sensitivity, computed when read, re-estimates with the same prices.
    assert estimate(s, prices).sensitivity != before.sensitivity


def test_an_explicit_model_price_wins_over_the_provider_discount():
    s = first_scenario(STANDARD)
    own = PriceOverrides(
        provider_discounts={"openai": 50},
        model_prices={s.model: {"input": 1.0, "output": 2.0}},
    )
    e = estimate(s, price_book(own))
    assert e.token_prices.input == 1.0 and e.token_prices.output == 2.0
    llm = next(i for i in e.line_items if i.category is Category.llm_inference)
    assert "own price (workspace settings) $1/$1/$2 per Mtok" in llm.basis


def test_own_gpu_prices_price_the_self_hosted_fleet_and_say_so():
    s = first_scenario("10000 users startup self-hosted h100 llama 70b")
    own = PriceOverrides(gpu_prices={"h100": {"on_demand": 3.0, "reserved": 2.0}})
    base, e = estimate(s), estimate(s, price_book(own))
    gpu = next(i for i in e.line_items if i.item.startswith("Self-hosted GPUs"))
    assert "$3/h (on demand, workspace settings)" in gpu.basis
    gpus_low = (
        next(i for i in base.line_items if i.key == gpu.key).low / 2.0 / facts.HOURS_PER_MONTH
    )
    assert gpu.low == pytest.approx(round(gpus_low) * 3.0 * facts.HOURS_PER_MONTH)
    moved = {k for k, v in amounts(e).items() if amounts(base)[k] != v}
    # The GPU lines, and staging, which keeps a share of a GPU replica at the same hourly price.
    gpu_lines = {i.key for i in e.line_items if i.category is Category.llm_inference}
    assert moved == gpu_lines | {"infrastructure:Staging environment"}


def test_a_price_file_cannot_change_a_sizing_constant_read_at_start():
    from estimator.price_file import PriceFileError

    with pytest.raises(PriceFileError, match=r"gpu\.spares: read once at start-up"):
        parse_price_file("[gpu.spares]\nlow = 3\nhigh = 3\n", "my.toml")


def test_a_price_file_table_without_a_range_moves_its_line_and_is_named():
    s = first_scenario(STANDARD)
    base = estimate(s)
    mix = "[support.channel_mix]\nchat = 0.8\nemail = 0.15\nphone = 0.05\n"
    e = estimate(s, price_book(parse_price_file(mix, "mix.toml")))
    moved = {k for k, v in amounts(e).items() if amounts(base)[k] != v}
    assert moved == {"customer_support:Support contacts handled (agent time)"}
    line = next(i for i in e.line_items if i.key in moved)
    assert "support.channel_mix chat 0.8, email 0.15, phone 0.05 (mix.toml)" in line.basis
    assert "80% chat" in line.basis


def test_the_files_and_the_break_even_of_a_slack_answer_use_the_workspaces_prices():
    # What the estimate worker and the chart worker make beside the messages (the Export files,
    # the chart, the hosting tip's break-even) is priced like the messages themselves.
    import json

    from bot.export import estimate_document
    from bot.slack.answers import _breakeven, export
    from bot.slack.chart_worker import estimate_chart
    from estimator.breakeven import break_even

    s = first_scenario("100k users claude-sonnet-4-5")
    own = PriceOverrides(
        currency={"code": "EUR", "per_usd": 0.9}, provider_discounts={"anthropic": 50}
    )
    _, exported = export(s, own)
    prices = price_book(own)
    discounted = break_even(s, prices)
    # worded in the workspace's currency, like the thread, with the break-even at its prices
    document = estimate_document(estimate(s, prices), discounted)
    assert json.loads(exported) == json.loads(json.dumps(document))
    assert json.loads(exported)["currency"]["code"] == "EUR"
    assert _breakeven(estimate(s, prices)).users == discounted.users
    assert discounted.users != _breakeven(estimate(s)).users
    assert estimate_chart(s, own) != estimate_chart(s)


def test_a_reserved_gpu_price_prices_the_reserved_gpus_lever():
    s = first_scenario("100k users self-hosted h100 llama3.1-8b")
    bundled = next(v for v in estimate(s).savings if v.lever == "reserved_gpus")
    own = PriceOverrides(gpu_prices={"h100": {"on_demand": 3.0, "reserved": 1.8}})
    e = estimate(s, price_book(own))
    lever = next(v for v in e.savings if v.lever == "reserved_gpus")
    fleet = next(i for i in e.line_items if i.category is Category.llm_inference)
    # The primary region's fleet at $3/h on demand, 40% less reserved.
    assert lever.monthly.low == pytest.approx(fleet.low * 0.4, rel=1e-9)
    assert "reserved $1.8/h against $3/h on demand" in lever.detail
    assert bundled.monthly != lever.monthly and "30-50% off on-demand" in bundled.detail
    api = first_scenario("100k users gpt-4o-mini")
    no_gpus = estimate(api, price_book(own))  # no GPUs to reserve
    assert all(v.lever != "reserved_gpus" for v in no_gpus.savings)


def test_a_price_files_usage_range_moves_only_the_llm_line_and_is_named_in_its_basis():
    # The usage ranges are read by attribute (`book.figures.usage_range`) through the book that
    # notes what a line was priced with: the line still names the price file's range.
    s = first_scenario(STANDARD)
    base = estimate(s)
    share = "[usage_range.daily_active_share]\nlow = 0.18\nhigh = 0.475\n"
    e = estimate(s, price_book(parse_price_file(share, "my.toml")))
    moved = [i for i in e.line_items if amounts(base)[i.key] != (i.low, i.high)]
    assert [i.category for i in moved] == [Category.llm_inference]
    assert moved[0].basis.endswith(
        "; priced with usage_range.daily_active_share 0.18-0.475 (my.toml)"
    )
    assert [i.basis for i in e.line_items if i not in moved] == [
        i.basis for i in base.line_items if i.key != moved[0].key
    ]


def _figure_names(table: dict, prefix: str = "") -> list[str]:
    """Every figure (a table with low and high) of the data file by dotted name."""
    names: list[str] = []
    for key, value in table.items():
        if isinstance(value, dict) and "low" in value and "high" in value:
            names.append(prefix + key)
        elif isinstance(value, dict):
            names.extend(_figure_names(value, f"{prefix}{key}."))
    return names


def _table_names() -> list[str]:
    """Every table of the data file by dotted name: a list at the top (`cache_tiers`), a dict or
    list in a section (`storage.database_tiers`)."""
    names = []
    for section, table in facts.raw().items():
        if isinstance(table, list):
            names.append(section)
        elif isinstance(table, dict):
            names.extend(
                f"{section}.{key}"
                for key, value in table.items()
                if isinstance(value, (dict, list)) and key.isidentifier()
            )
    return names


@pytest.mark.parametrize(
    "own",
    [
        None,
        PriceOverrides(
            salary_region="UK",
            loaded_factor=1.5,
            cloud_multiplier=1.2,
            gpu_prices={"h100": {"on_demand": 3.0}},
        ),
        parse_price_file(
            "[compute.instance_monthly]\nlow = 80\nhigh = 120\n"
            "[support.channel_mix]\nchat = 0.8\nemail = 0.15\nphone = 0.05\n",
            "my.toml",
        ),
    ],
)
def test_every_figure_and_table_read_by_attribute_is_the_one_read_by_name(own):
    book = price_book(own)
    figures, tables = _figure_names(facts.raw()), _table_names()
    assert len(figures) > 100 and len(tables) > 50
    pins = ("support.contact_rate", "gpu.h100")
    for prices in (book, book.recorder(), pinned(book, pins, low=True)):
        for name in figures:
            assert functools.reduce(getattr, name.split("."), prices.figures) == prices.figure(
                name
            ), name
        for name in tables:
            assert functools.reduce(getattr, name.split("."), prices.tables) == prices.entry(
                name
            ), name
    low = pinned(book, pins, low=True)
    assert low.figures.support.contact_rate.high == book.figure("support.contact_rate").low
    assert low.tables.gpu.h100["hourly_high"] == book.entry("gpu.h100")["hourly_low"]
