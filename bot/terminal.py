"""Plain-text rendering of estimates, diffs and help for the terminal (`aicost`, `aicost chat`)."""

from __future__ import annotations

import os
import shutil
import textwrap

from bot.parsing import BREAKEVEN_EXAMPLE, COMPARE_EXAMPLE, EXAMPLES, FOLLOW_UP_EXAMPLES
from bot.verdicts import breakeven_sentence, comparison_sentence
from estimator import (
    ARTICLE,
    PHASE_READING,
    Amount,
    BreakEven,
    Cadence,
    Category,
    Comparison,
    CurvePoint,
    Estimate,
    EstimateDiff,
    ShownCurrency,
    bundled_note,
    figure_span,
    model_family_note,
    signed_usd_change,
    signed_usd_short,
    times_span,
    usd,
    usd_range,
    user_count,
)

MIN_WIDTH = 60
MAX_WIDTH = 120
_NONE = Amount(0.0, 0.0)
_CADENCE = {Cadence.one_time: "one-time", Cadence.monthly: "/month", Cadence.annual: "/year"}


def _amount(a: Amount, shown: ShownCurrency) -> str:
    return usd_range(a.low, a.high, shown)


def terminal_width() -> int:
    """COLUMNS, else the terminal's width; never under 60 (nor over 120, for reading)."""
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() else shutil.get_terminal_size((100, 24)).columns
    return max(MIN_WIDTH, min(MAX_WIDTH, width))


def fit(lines: list[str], width: int) -> str:
    """The lines, each longer than `width` wrapped under its own indent: no line overflows."""
    out = []
    for line in "\n".join(lines).split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * min(len(line) - len(line.lstrip()), width // 3)
        out.extend(
            textwrap.wrap(
                line.strip(), width, initial_indent=indent, subsequent_indent=indent + "  "
            )
        )
    return "\n".join(out)


def _rule(title: str) -> str:
    # Underlined to the title's length, but never past the narrowest width (a wrapped title).
    return f"\n{title}\n{'-' * min(len(title), 60)}"


def _wrap(text: str, indent: str = "  ", width: int | None = None) -> str:
    return textwrap.fill(
        text,
        width or terminal_width(),
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,  # model ids and ranges stay whole
    )


def _columns(indent: str, left: str, right: str, width: int) -> list[str]:
    """`left`, then `right` at the right edge (on a line of its own when both do not fit)."""
    room = width - len(indent) - len(right) - 2
    if len(left) <= room:
        return [f"{indent}{left:<{room}}  {right}"]
    return [
        *textwrap.wrap(left, width - len(indent), initial_indent=indent, subsequent_indent=indent),
        f"{right:>{width}}",
    ]


def render_summary(e: Estimate, width: int | None = None) -> str:
    """The headline and key figures only: what a follow-up in chat needs beside its diff."""
    width = width or terminal_width()
    return fit(_key_figures(e, width), width)


def _key_figures(e: Estimate, width: int) -> list[str]:
    s, t, shown = e.scenario, e.totals, e.shown
    times = times_span(t.prototype_multiple.low, t.prototype_multiple.high)
    multiple = f"{times} the prototype"
    rows = [
        ("Monthly run-rate", t.monthly, "(cloud, LLM, tools, support)"),
        ("Team & legal / year", t.annual, ""),
        ("All-in per month", t.monthly_all_in, "(annual costs spread over 12)"),
        ("One-time", t.one_time, ""),
        ("First year", t.first_year, multiple),
    ]
    out = [
        f"aicost: {user_count(s.users)}, {s.stage.value} (prototype "
        f"{usd(s.prototype_cost, shown)})",
        "=" * width,
    ]
    column = max(22, *(len(_amount(amount, shown)) + 1 for _, amount, _ in rows))  # amounts align
    for label, amount, note in rows:
        line = f"  {label:<21}{_amount(amount, shown):>{column}}"
        if note and len(line) + 3 + len(note) <= width:
            line += "   " + note
        elif note == multiple:
            line += f"  {times}"
        out.append(line)
    return out


def render_estimate(
    e: Estimate,
    show_basis: bool = True,
    width: int | None = None,
    breakeven: BreakEven | str | None = None,
) -> str:
    width = width or terminal_width()
    shown = e.shown
    out = _key_figures(e, width)
    if e.settings_applied or (e.token_prices and e.token_prices_from != bundled_note()):
        out.append(_rule("Your prices"))
        out.extend(_wrap(text, "  ") for text in e.price_notes)
        if show_basis and e.overrides is not None and e.overrides.currency.code.value != "USD":
            out.append(
                _wrap("Each line's basis below is worked in USD, as the data file is.", "  ")
            )
    out.append(_rule("Breakdown"))
    for category in Category:
        items = [i for i in e.line_items if i.category is category]
        if not items:
            continue
        out.append(f"  {category.label}")
        for item in items:
            amount = f"{usd_range(item.low, item.high, shown)} {_CADENCE[item.cadence]}"
            out.extend(_columns("    ", item.item, amount, width))
            if show_basis:
                out.append(
                    textwrap.fill(
                        item.basis,
                        width,
                        initial_indent="      = ",
                        subsequent_indent="        ",
                    )
                )
    out.append(_rule("Three-phase budget (cumulative, as multiples of the prototype)"))
    rows = []
    times = [times_span(p.multiple.low, p.multiple.high) for p in e.phases]
    for phase, phase_times in zip(e.phases, times, strict=True):
        multiples = (
            f"  {phase_times:<{max(map(len, times))}}  (article "
            f"{figure_span(*phase.article_multiple)}x)"
        )
        rows.append((f"  {phase.name:<18}{phase.months:<13}", phase.cumulative, multiples))
    # Whole dollars where every row fits; else rounded dollars for all; else two lines a phase.
    for short in (False, True):
        amounts = [usd_range(a.low, a.high, shown, short=short) for _, a, _ in rows]
        column = max(17, *(len(amount) + 1 for amount in amounts))
        lines = [
            f"{name}{amount:>{column}}{multiples}"
            for (name, _, multiples), amount in zip(rows, amounts, strict=True)
        ]
        if all(len(line) <= width for line in lines):
            out += lines
            break
    else:
        for name, a, multiples in rows:
            out.extend([name.rstrip(), f"    {usd_range(a.low, a.high, shown)}{multiples}"])
    out.append(_wrap(PHASE_READING, width=width))
    out.append(_rule("Five scaling strategies"))
    for n, strategy in enumerate(e.strategies, 1):
        out.append(f"  {n}. {strategy.name}: {strategy.rule}")
        out.append(_wrap(strategy.advice, "     ", width))
    out.append(_rule(f"Savings levers ({shown.symbol}/month)"))
    for saving in e.savings:
        out.append(f"  {saving.name:<22}{_amount(saving.monthly, shown):>20}")
        out.append(_wrap(saving.detail, "     ", width))
    for absent in e.absent:
        if absent.kind == "lever":
            out.append(f"  {absent.name:<22}{'nothing to save here':>20}")
            out.append(_wrap(absent.why, "     ", width))
    if breakeven is not None:  # a sentence when it could not be worked out
        sentence = breakeven if isinstance(breakeven, str) else breakeven_sentence(breakeven)
        out.append(_rule("Self-hosting break-even"))
        out.append(_wrap(sentence, "  ", width))
    out += _sensitivity(e, width)
    out.append(_rule("Assumptions (* = you chose it; the rest are defaults for the stage)"))
    for label, value, chosen in e.scenario.describe(shown):
        out.append(f"  {'*' if chosen else ' '} {label:<30}{value}")
    family = model_family_note(e.scenario.model)
    if family:
        out.append(_wrap(f"Model {e.scenario.model}: {family}.", "  "))
    for absent in e.absent:
        if absent.kind == "line":
            out.append(_wrap(f"Left out, {usd(0, shown)} here: {absent.name}: {absent.why}.", "  "))
    if e.token_prices:
        out.append(
            f"  Token prices: {e.token_prices_from} ({e.token_prices.provider}). Other "
            f"figures: estimator/data/costs.toml, each with its source and date."
        )
    article = e.prices.figures.article.production_infrastructure
    infra = sum(i.high for i in e.line_items if i.category is Category.infrastructure)
    out.append(
        _wrap(
            f"For scale: the reference article, {ARTICLE}, puts production infrastructure at "
            f"{usd_range(article.low, article.high, shown)}/month; this scenario's comes to up to "
            f"{usd_range(infra, infra, shown)}/month.",
            "  ",
            width,
        )
    )
    return fit(out, width)


def _sensitivity(e: Estimate, width: int) -> list[str]:
    shown = e.shown
    out = [_rule("What moves the first year most (each assumption alone at its low and high)")]
    ranking = e.sensitivity
    if not ranking.varied:
        out.append(
            _wrap(
                "You gave every assumption aicost could vary (usage, records, corpus, prices): "
                "none is left to vary.",
                "  ",
                width,
            )
        )
    for item in ranking:
        values = f"{item.show(item.low)} → {item.show(item.high)}"
        low, high = _amount(item.first_year_at_low, shown), _amount(item.first_year_at_high, shown)
        first_year = f"first year {low} → {high}"
        swing = f"swing {signed_usd_short(item.swing, shown)}"
        one_line = f"  {item.label:<34}{values:<16}{first_year}  {swing}"
        if len(one_line) <= width:
            out.append(one_line)
        else:  # narrow terminals: the figures go on their own line under the assumption
            out.append(f"  {item.label}: {values}")
            out.append(_wrap(f"{first_year}, {swing}", "    ", width))
    rest = ranking.rest_sentence()
    if rest:
        out.append(_wrap(rest, "  ", width))
    return out


def _signed_pair(low: float, high: float, shown: ShownCurrency, pad: int = 0) -> str:
    """+$12k / +$30k (low / high); one figure when both ends say the same ("$0", not "$0 / $0")."""
    lo, hi = signed_usd_short(low, shown), signed_usd_short(high, shown)
    return f"{lo:>{pad}}" if lo == hi else f"{lo:>{pad}} / {hi}"


def _change_pair(before: Amount, after: Amount, shown: ShownCurrency) -> str:
    """The change of each end as the two amounts beside it are written (one figure when both
    ends say the same)."""
    lo = signed_usd_change(before.low, after.low, shown)
    hi = signed_usd_change(before.high, after.high, shown)
    return lo if lo == hi else f"{lo} / {hi}"


def render_diff(diff: EstimateDiff, width: int | None = None) -> str:
    width = width or terminal_width()
    shown = diff.shown
    out = ["What changed: " + ("; ".join(diff.changed_fields) or "nothing")]
    for name, label in (
        ("monthly", "Monthly run-rate"),
        ("one_time", "One-time"),
        ("first_year", "First year"),
    ):
        before, after = diff.totals[name]
        out.append(
            f"  {label:<18}{_amount(before, shown):>24} -> {_amount(after, shown):<24}"
            f"({_change_pair(before, after, shown)})"
        )
    if diff.categories:
        out.append("  By category (first-year impact):")
        for c in diff.categories:
            out.append(
                f"    {c.category.label:<24}"
                f"{_signed_pair(c.change.low, c.change.high, shown, pad=10)}"
            )
    return fit(out, width)


def render_line_changes(diff: EstimateDiff, width: int | None = None) -> str:
    """The diff's totals and categories, then every line that moved, before -> after."""
    width = width or terminal_width()
    shown = diff.shown
    out = [render_diff(diff, width), "  Line by line:" if diff.lines else "  No line moved."]
    for line in diff.lines:
        before = _amount(line.before, shown) if line.before else "(none)"
        after = _amount(line.after, shown) if line.after else "(none)"
        # A line new or gone changes from or to nothing: its change is its own amount.
        change = _change_pair(line.before or _NONE, line.after or _NONE, shown)
        out.append(f"    {line.category.label}: {line.item} ({_CADENCE[line.cadence]})")
        out.append(f"      {before} -> {after}  ({change})")
    return fit(out, width)


def render_curve(points: list[CurvePoint], shown: ShownCurrency, width: int | None = None) -> str:
    """The curve's points in a table, amounts in `shown` (the estimate's currency)."""
    width = width or terminal_width()
    rows = [("users", "fixed", "variable", "total", "per user")]
    for p in points:
        rows.append(
            (
                f"{p.users:,}",
                usd_range(p.fixed.low, p.fixed.high, shown, True),
                usd_range(p.variable.low, p.variable.high, shown, True),
                usd_range(p.monthly.low, p.monthly.high, shown, True),
                usd_range(p.per_user.low, p.per_user.high, shown),
            )
        )
    title = _rule("Scaling curve (all-in per month; annual costs spread over 12)").lstrip("\n")
    return fit([title, *_table(rows)], width)


def _table(rows: list[tuple[str, ...]], first_left: bool = False) -> list[str]:
    """Columns right-aligned to their widest cell, two spaces apart (the first left-aligned)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(w) if i == 0 and first_left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return lines


def render_comparison(c: Comparison, width: int | None = None) -> str:
    """One column per option (or one block per option when the columns would not fit)."""
    width = width or terminal_width()
    shown = c.shown
    widest = c.widest_category
    names = [o.label + (" *" if i == c.cheapest else "") for i, o in enumerate(c.options)]
    measures = [
        ("Monthly run-rate", [o.estimate.totals.monthly for o in c.options], True),
        ("One-time", [o.estimate.totals.one_time for o in c.options], True),
        ("First year", [o.estimate.totals.first_year for o in c.options], True),
        ("Per user / month", [o.cost_per_user for o in c.options], False),
        (f"{widest.label} (1st yr)", list(c.category_first_year(widest)), True),
    ]
    rows = [("", *names)]
    rows += [
        (label, *(usd_range(a.low, a.high, shown, short) for a in amounts))
        for label, amounts, short in measures
    ]
    out = [_rule("Comparison (* = cheapest first year)").lstrip("\n")]
    table = _table(rows, first_left=True)
    if max(len(line) for line in table) <= width:
        out.extend(table)
    else:
        for column, name in enumerate(names, start=1):
            out.append(f"  {name}")
            out.extend(
                f"    {label:<24}{usd_range(a[column - 1].low, a[column - 1].high, shown, short)}"
                for label, a, short in measures
            )
    out.append("")
    out.append(textwrap.fill(comparison_sentence(c), width, break_on_hyphens=False))
    out.append(
        textwrap.fill(
            "Per user / month is the all-in monthly cost (annual costs spread over 12) divided "
            "by monthly active users.",
            width,
        )
    )
    return fit(out, width)


def render_breakeven(b: BreakEven, width: int | None = None) -> str:
    width = width or terminal_width()
    return textwrap.fill(breakeven_sentence(b), width, break_on_hyphens=False)


_OPTIONS = (
    ("--json", "the estimate (or comparison) as JSON", "aicost --json 10k users"),
    ("--csv", "the estimate as CSV for a spreadsheet", "aicost --csv 10k users"),
    ("--chart FILE", "write a PNG chart too", "aicost --chart out.png 10k users"),
    ("--prices FILE", "your own prices (TOML; or AICOST_PRICES)", "aicost --prices mine.toml 10k"),
    ("--update-prices", "fetch genai-prices' latest token prices", "aicost --update-prices 10k"),
    ("--curve", "add the cost at 100 to 1M users", "aicost --curve 10k users"),
    ("--brief", "leave out each line's arithmetic", "aicost --brief 10k users"),
    ("--version", "the version of aicost", "aicost --version"),
    ("--help", "this text", "aicost --help"),
)
_FLAG_WIDTH = max(len(flag) for flag, _, _ in _OPTIONS)


def render_help() -> str:
    return "\n".join(
        [
            "aicost: what an AI prototype will cost in production.",
            "",
            "Verbs:",
            "  aicost 10000 users startup",
            "      an itemised estimate",
            f"  aicost {COMPARE_EXAMPLE}",
            "      two to five options side by side, cheapest marked",
            f"  aicost {BREAKEVEN_EXAMPLE}",
            "      the users above which self-hosting costs less",
            "  aicost chat",
            "      an estimate, then follow-ups",
            "  aicost prices",
            "      every price in use and where it came from (with --prices: your file's)",
            "  aicost -f plan.toml [--max-first-year 500k] [--max-monthly 20k]",
            "      the scenarios of a TOML, YAML or JSON file; exit 1 over a budget",
            "  aicost diff old.toml new.toml",
            "      what changed between two scenario files, line by line",
            "  aicost schema",
            "      the JSON Schema of a scenario file",
            "  aicost mcp [--http]",
            "      serve these estimates to AI assistants (Model Context Protocol)",
            "",
            "Options:",
            *(
                line
                for flag, what, example in _OPTIONS
                for line in (
                    f"  {flag:<{_FLAG_WIDTH}} {what}",
                    f"  {'':<{_FLAG_WIDTH}} e.g. {example}",
                )
            ),
            "",
            "Describe the scenario in words, e.g.:",
            *(f"  {example}" for example in EXAMPLES),
            "Follow-ups in chat:",
            *(f"  {example}" for example in FOLLOW_UP_EXAMPLES),
            "  reset · quit",
        ]
    )
