"""PNG charts of an estimate and of a comparison, for the terminal (`--chart`) and Slack.

The plotted numbers come from a small data object built from the Estimate (`estimate_chart_data`),
so a test can check the picture shows the estimate's own figures. matplotlib is imported only
when a picture is drawn, and used without pyplot (a Figure rendered by the Agg canvas), so it
is safe off the main thread and keeps no global state between pictures.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from functools import cache

from estimator import (
    Amount,
    Category,
    Comparison,
    Estimate,
    Scenario,
    ShownCurrency,
    count,
    usd_range,
    user_count,
)

# Okabe-Ito: distinguishable with the common forms of colour blindness.
BLUE, ORANGE, GREEN, VERMILION, SKY, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#999999",
)
PER_USER_USERS = (100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000,
                  10_000_000)  # fmt: skip
DPI = 100
FONT_SIZE = 15


@dataclass(frozen=True, slots=True)
class EstimateChartData:
    """What the estimate chart draws: every series in dollars, read from one Estimate. The
    drawing converts them to the currency amounts are shown in, so its axes tick at round
    amounts of that currency."""

    title: str
    first_year_by_category: tuple[tuple[str, Amount], ...]  # largest first
    phases: tuple[tuple[str, Amount, Amount], ...]  # (label, cumulative, article band in USD)
    per_user: tuple[tuple[int, Amount], ...]  # (users, all-in monthly cost per user)
    scenario_users: int
    scenario_per_user: Amount
    shown: ShownCurrency  # the currency the chart is drawn in: the estimate's


def curve_users(s: Scenario) -> tuple[int, ...]:
    """The users the cost-per-user curve is drawn at: 100 to 10M, and the scenario's own. An
    estimate for a chart is made with its curve there: `estimate(s, prices, curve_at=...)`."""
    return tuple(sorted({*PER_USER_USERS, s.users}))


def estimate_chart_data(e: Estimate) -> EstimateChartData:
    s = e.scenario
    if not e.curve:
        raise ValueError("a chart's estimate is made with its curve: curve_at=curve_users(s)")
    sums: dict[Category, list[float]] = {}
    for item in e.line_items:
        bucket = sums.setdefault(item.category, [0.0, 0.0])
        bucket[0] += item.first_year(low=True)
        bucket[1] += item.first_year(low=False)
    by_category = sorted(
        ((c.label, Amount(*v)) for c, v in sums.items()), key=lambda p: p[1].high, reverse=True
    )
    phases = tuple(
        (
            f"{p.name}\n(article {p.article_multiple[0]:g}-{p.article_multiple[1]:g}x)",
            p.cumulative,
            Amount(*(m * s.prototype_cost for m in p.article_multiple)),
        )
        for p in e.phases
    )
    per_user = tuple((p.users, p.per_user) for p in e.curve)
    first, shown = e.totals.first_year, e.shown
    hosting = s.model if s.hosting.value == "api" else f"self-hosted {s.gpu.value.upper()}"
    title = (
        f"{user_count(s.users)}, {s.stage.value}, {hosting}: "
        f"first year {usd_range(first.low, first.high, shown, True)}"
    )
    return EstimateChartData(
        title=title,
        first_year_by_category=tuple(by_category),
        phases=phases,
        per_user=per_user,
        scenario_users=s.users,
        scenario_per_user=e.totals.monthly_all_in.scaled(1 / s.users),
        shown=shown,
    )


def estimate_chart_png(e: Estimate) -> bytes:
    """One PNG: first year by category, the cumulative three-phase budget beside the article's
    bands, and cost per user from 100 to 10M users with this scenario marked."""
    return draw_estimate_chart(estimate_chart_data(e))


def draw_estimate_chart(data: EstimateChartData) -> bytes:
    return _png(estimate_figure(data))


def estimate_figure(data: EstimateChartData):
    """The estimate chart's matplotlib Figure, in the currency amounts are shown in."""
    figure, ticker = _matplotlib()
    shown = data.shown
    rate = shown.per_usd  # the series are in USD, drawn in the shown currency
    fig = figure(figsize=(9, 15))
    bars, phases, curve = fig.subplots(3, 1, gridspec_kw={"height_ratios": [1.25, 1, 1]})
    fig.suptitle(_wrap_title(data.title), fontsize=FONT_SIZE + 3, fontweight="bold")

    names = [name for name, _ in data.first_year_by_category][::-1]
    amounts = [a.scaled(rate) for _, a in data.first_year_by_category][::-1]
    y = range(len(names))
    bars.barh(y, [a.low for a in amounts], color=BLUE, label="low")
    bars.barh(
        y, [a.high - a.low for a in amounts], left=[a.low for a in amounts], color=SKY,
        label="up to high",
    )  # fmt: skip
    for i, (_, a) in enumerate(data.first_year_by_category[::-1]):
        bars.text(a.high * rate, i, "  " + usd_range(a.low, a.high, shown, True), va="center")
    bars.set_yticks(list(y), names)
    bars.set_title("First year by category (low to high)", loc="left", fontweight="bold")
    _money_axis(bars.xaxis, ticker, shown)
    bars.set_xlim(0, max(a.high for a in amounts) * 1.45)
    bars.legend(loc="lower right", frameon=False)

    x = range(len(data.phases))
    for i, (_, cumulative_usd, band_usd) in enumerate(data.phases):
        cumulative, band = cumulative_usd.scaled(rate), band_usd.scaled(rate)
        phases.bar(i - 0.2, band.high - band.low, bottom=band.low, width=0.35, color=GREY,
                   alpha=0.5, label="article's band" if i == 0 else None)  # fmt: skip
        phases.bar(i + 0.2, cumulative.high - cumulative.low, bottom=cumulative.low, width=0.35,
                   color=ORANGE, label="this estimate" if i == 0 else None)  # fmt: skip
        phases.text(i + 0.2, cumulative.high,
                    usd_range(cumulative_usd.low, cumulative_usd.high, shown, True),
                    ha="center", va="bottom", fontsize=FONT_SIZE - 2)  # fmt: skip
    phases.set_xticks(list(x), [name for name, _, _ in data.phases])
    phases.set_title("Cumulative spend by phase vs the article", loc="left", fontweight="bold")
    _money_axis(phases.yaxis, ticker, shown)
    top = max(max(c.high, b.high) for _, c, b in data.phases) * rate
    phases.set_ylim(0, top * 1.15)
    phases.legend(loc="upper left", frameon=False)

    users = [u for u, _ in data.per_user]
    per_user = [a.scaled(rate) for _, a in data.per_user]
    curve.fill_between(users, [a.low for a in per_user], [a.high for a in per_user],
                       color=SKY, alpha=0.6, label="low to high")  # fmt: skip
    curve.plot(users, [(a.low + a.high) / 2 for a in per_user], color=BLUE, lw=2.5)
    mark = (data.scenario_per_user.low + data.scenario_per_user.high) / 2 * rate
    curve.plot([data.scenario_users], [mark], "o", color=VERMILION, ms=13, label="this scenario")
    # Cost per user falls with users, so the top right corner is always free for the reading.
    curve.text(
        0.98,
        0.96,
        f"this scenario: {user_count(data.scenario_users)},\n"
        f"{usd_range(data.scenario_per_user.low, data.scenario_per_user.high, shown)} per "
        "user/month",
        transform=curve.transAxes,
        ha="right",
        va="top",
        color=VERMILION,
        fontweight="bold",
    )
    curve.set_xscale("log")
    curve.set_yscale("log")
    curve.set_title("All-in cost per user per month", loc="left", fontweight="bold")
    curve.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _users(v)))
    _money_ticks(curve.yaxis, ticker, shown)
    curve.set_xlabel("monthly active users")
    curve.legend(loc="lower left", frameon=False)
    # Fixed margins (room for "Security & compliance" and a two-line title): tight_layout would
    # measure every label (docs/architecture.md, "Performance idioms").
    fig.subplots_adjust(left=0.3, right=0.97, top=0.915, bottom=0.05, hspace=0.42)
    return fig


@dataclass(frozen=True, slots=True)
class ComparisonChartData:
    title: str
    labels: tuple[str, ...]
    first_year: tuple[Amount, ...]
    monthly_all_in: tuple[Amount, ...]
    cheapest: int
    shown: ShownCurrency  # the currency the chart is drawn in: the options'


def comparison_chart_data(c: Comparison) -> ComparisonChartData:
    scenarios = [o.estimate.scenario for o in c.options]
    shared = []
    if len({s.users for s in scenarios}) == 1:
        shared.append(f"{count(scenarios[0].users)} users")
    if len({s.stage for s in scenarios}) == 1:
        shared.append(scenarios[0].stage.value)
    title = f"{len(scenarios)} options compared" + (f": {', '.join(shared)}" if shared else "")
    return ComparisonChartData(
        title=title,
        labels=tuple(o.label for o in c.options),
        first_year=tuple(o.estimate.totals.first_year for o in c.options),
        monthly_all_in=tuple(o.estimate.totals.monthly_all_in for o in c.options),
        cheapest=c.cheapest,
        shown=c.shown,
    )


def comparison_chart_png(c: Comparison) -> bytes:
    """One PNG: first year and all-in monthly cost of each option, the cheapest marked."""
    return draw_comparison_chart(comparison_chart_data(c))


def draw_comparison_chart(data: ComparisonChartData) -> bytes:
    return _png(comparison_figure(data))


def comparison_figure(data: ComparisonChartData):
    """The comparison chart's matplotlib Figure, in the currency amounts are shown in."""
    figure, ticker = _matplotlib()
    shown = data.shown
    rate = shown.per_usd  # the series are in USD, drawn in the shown currency
    fig = figure(figsize=(9, 4 + 1.6 * len(data.labels)))
    panels = fig.subplots(2, 1)
    fig.suptitle(_wrap_title(data.title), fontsize=FONT_SIZE + 3, fontweight="bold")
    labels = [
        label + ("\n(cheapest)" if i == data.cheapest else "")
        for i, label in enumerate(data.labels)
    ][::-1]
    for panel, title, series in (
        (panels[0], "First year (low to high)", data.first_year),
        (panels[1], "All-in per month (low to high)", data.monthly_all_in),
    ):
        amounts = [a.scaled(rate) for a in series][::-1]
        y = range(len(amounts))
        colours = [
            GREEN if len(amounts) - 1 - i == data.cheapest else BLUE for i in range(len(amounts))
        ]
        panel.barh(y, [a.low for a in amounts], color=colours)
        panel.barh(y, [a.high - a.low for a in amounts], left=[a.low for a in amounts],
                   color=colours, alpha=0.45)  # fmt: skip
        for i, a in enumerate(series[::-1]):
            panel.text(a.high * rate, i, "  " + usd_range(a.low, a.high, shown, True), va="center")
        panel.set_yticks(list(y), labels)
        panel.set_title(title, loc="left", fontweight="bold")
        _money_axis(panel.xaxis, ticker, shown)
        panel.set_xlim(0, max(a.high for a in amounts) * 1.5)
    fig.tight_layout()  # option labels are the user's words: measure them
    return fig


@cache
def _matplotlib():
    """matplotlib's Figure and ticker, imported on the first chart. Figures are made without
    pyplot: no global figure list to leak or to share between threads, and savefig renders
    PNG with the Agg canvas whatever backend is configured."""
    import matplotlib
    from matplotlib import ticker
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {"font.size": FONT_SIZE, "axes.spines.top": False, "axes.spines.right": False}
    )
    return Figure, ticker


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _wrap_title(title: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(title, width, break_on_hyphens=False))


def _money_axis(axis, ticker, shown: ShownCurrency) -> None:
    """Ticks at round amounts (1, 2 or 5 times a power of ten), each labelled exactly."""
    axis.set_major_locator(ticker.MaxNLocator(nbins="auto", steps=[1, 2, 5, 10]))
    _money_ticks(axis, ticker, shown)


def _money_ticks(axis, ticker, shown: ShownCurrency) -> None:
    """Tick labels in the shown currency, of amounts already converted: €50k, $1.5M, €0.1;
    never rounded to a neighbour (a tick at 1.25M reads $1.25M)."""
    sign = shown.symbol
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: sign + _short(v)))


def _users(v: float) -> str:
    """A user-count tick: 100, 1k, 10M (a count, never money)."""
    return _short(v)


def _short(v: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:.3f}".rstrip("0").rstrip(".") + suffix
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text
