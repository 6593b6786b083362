"""aicost's estimator: a scenario and a price book in, an estimate out; pure and synchronous.

The names below are its public API, the only ones a front end (the terminal, Slack, an MCP
server, a scenario file) needs; the modules behind them are the estimator's own and may move.

    from estimator import build_scenario, estimate, price_book

    prices = price_book(own_prices)  # or BUNDLED_BOOK: the bundled figures alone
    e = estimate(build_scenario(users=10_000, stage="startup"), prices)
    # amounts in the own prices' currency: every money formatter is told which
    print(usd_range(e.totals.first_year.low, e.totals.first_year.high, e.shown))
"""

from estimator.breakeven import READING as BREAKEVEN_READING
from estimator.breakeven import (
    BreakEven,
    Crossing,
    break_even,
    find_crossing,
    first_year_difference,
    pair_at,
)
from estimator.changes import ScenarioChange, apply_change, describe_change
from estimator.compare import MAX_OPTIONS, MIN_OPTIONS, Comparison, Option, compare
from estimator.curve import CurvePoint, scaling_curve
from estimator.estimate import Absent, Estimate, estimate
from estimator.facts import Range
from estimator.facts import raw as data_file
from estimator.families import Resolution, family_names, model_family_note, resolve_family
from estimator.gpus import GPU, Precision, gpus_offered
from estimator.lines import CATEGORIES, Cadence, Category, LineItem
from estimator.money import (
    DOLLARS,
    SYMBOLS,
    ShownCurrency,
    count,
    figure_span,
    percent,
    shown_currency,
    signed_usd_change,
    signed_usd_short,
    times_span,
    usd,
    usd_range,
    usd_short,
    user_count,
)
from estimator.open_models import (
    OpenModel,
    SelfHostingError,
    catalogue,
    find_open_model,
    open_model_for_family,
    own_model,
    own_size,
    squash,
    weights,
)
from estimator.overrides import (
    BUNDLED,
    Currency,
    PriceOverrides,
    SalaryRegion,
    default_rate,
    messages,
    regions_data,
    roles,
)
from estimator.phases import ARTICLE, Phase
from estimator.phases import READING as PHASE_READING
from estimator.price_book import BUNDLED_BOOK, PriceBook, price_book
from estimator.price_file import PriceFileError, load_price_file, parse_price_file, price_file_path
from estimator.replicas import check_hostable
from estimator.savings import Saving, cheaper_model
from estimator.scenario import (
    COMPLIANCE_LABELS,
    FIELD_NAMES,
    MAX_USERS,
    UPTIME_TARGETS,
    Compliance,
    ContextWindowError,
    Hosting,
    Scenario,
    ScenarioError,
    Stage,
    VectorStore,
    build_scenario,
    field_bounds,
    stage_defaults,
)
from estimator.sensitivity import Ranking, Sensitivity
from estimator.strategies import Strategy
from estimator.token_prices import (
    READ_BACK,
    PricingError,
    TokenPrices,
    close_matches,
    known_models,
    provider_ids,
    token_prices,
)
from estimator.token_snapshot import (
    URL_ENV,
    AutoUpdateError,
    bundled_note,
    clear_on_refresh,
    refresh,
    refresh_if_wanted,
    snapshot_note,
    snapshot_status,
    start_refresh_if_wanted,
)
from estimator.totals import Amount, Totals
from estimator.whatif import CategoryDiff, EstimateDiff, LineDiff, diff_estimates

__all__ = [
    "ARTICLE",
    "BREAKEVEN_READING",
    "BUNDLED",
    "BUNDLED_BOOK",
    "CATEGORIES",
    "COMPLIANCE_LABELS",
    "DOLLARS",
    "FIELD_NAMES",
    "GPU",
    "MAX_OPTIONS",
    "MAX_USERS",
    "MIN_OPTIONS",
    "PHASE_READING",
    "READ_BACK",
    "SYMBOLS",
    "UPTIME_TARGETS",
    "URL_ENV",
    "Absent",
    "Amount",
    "AutoUpdateError",
    "BreakEven",
    "Cadence",
    "Category",
    "CategoryDiff",
    "Comparison",
    "Compliance",
    "ContextWindowError",
    "Crossing",
    "Currency",
    "CurvePoint",
    "Estimate",
    "EstimateDiff",
    "Hosting",
    "LineDiff",
    "LineItem",
    "OpenModel",
    "Option",
    "Phase",
    "Precision",
    "PriceBook",
    "PriceFileError",
    "PriceOverrides",
    "PricingError",
    "Range",
    "Ranking",
    "Resolution",
    "SalaryRegion",
    "Saving",
    "Scenario",
    "ScenarioChange",
    "ScenarioError",
    "SelfHostingError",
    "Sensitivity",
    "ShownCurrency",
    "Stage",
    "Strategy",
    "TokenPrices",
    "Totals",
    "VectorStore",
    "apply_change",
    "break_even",
    "build_scenario",
    "bundled_note",
    "catalogue",
    "cheaper_model",
    "check_hostable",
    "clear_on_refresh",
    "close_matches",
    "compare",
    "count",
    "data_file",
    "default_rate",
    "describe_change",
    "diff_estimates",
    "estimate",
    "family_names",
    "field_bounds",
    "figure_span",
    "find_crossing",
    "find_open_model",
    "first_year_difference",
    "gpus_offered",
    "known_models",
    "load_price_file",
    "messages",
    "model_family_note",
    "open_model_for_family",
    "own_model",
    "own_size",
    "pair_at",
    "parse_price_file",
    "percent",
    "price_book",
    "price_file_path",
    "provider_ids",
    "refresh",
    "refresh_if_wanted",
    "regions_data",
    "resolve_family",
    "roles",
    "scaling_curve",
    "shown_currency",
    "signed_usd_change",
    "signed_usd_short",
    "snapshot_note",
    "snapshot_status",
    "squash",
    "stage_defaults",
    "start_refresh_if_wanted",
    "times_span",
    "token_prices",
    "usd",
    "usd_range",
    "usd_short",
    "user_count",
    "weights",
]
