"""Plain-text rendering of estimates, diffs and help for the terminal (`aicost`, `aicost chat`)."""

from __future__ import annotations

import textwrap

from bot.parsing import EXAMPLES, FOLLOW_UP_EXAMPLES
from estimator import facts
from estimator.curve import CurvePoint
from estimator.estimate import Estimate
from estimator.families import model_family_note
from estimator.lines import Cadence, Category
from estimator.money import signed_usd_short, usd_range
from estimator.phases import READING
from estimator.totals import Amount
from estimator.whatif import EstimateDiff

WIDTH = 100
_CADENCE = {Cadence.one_time: "one-time", Cadence.monthly: "/month", Cadence.annual: "/year"}


def _amount(a: Amount) -> str:
    return usd_range(a.low, a.high)


def _rule(title: str) -> str:
    return f"\n{title}\n{'-' * len(title)}"


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,  # model ids and ranges stay whole
    )


def render_summary(e: Estimate) -> str:
    """The headline and key figures only: what a follow-up in chat needs beside its diff."""
    return "\n".join(_key_figures(e))


def _key_figures(e: Estimate) -> list[str]:
    s, t = e.scenario, e.totals
    return [
        f"aicost: {s.users:,} users, {s.stage.value} (prototype ${s.prototype_cost:,.0f})",
        "=" * WIDTH,
        f"  Monthly run-rate     {_amount(t.monthly):>26}   (cloud, LLM, tools, support)",
        f"  Team & legal / year  {_amount(t.annual):>26}",
        f"  All-in per month     {_amount(t.monthly_all_in):>26}   (annual costs spread over 12)",
        f"  One-time             {_amount(t.one_time):>26}",
        f"  First year           {_amount(t.first_year):>26}   "
        f"{t.prototype_multiple.low:.1f}-{t.prototype_multiple.high:.1f}x the prototype",
    ]


def render_estimate(e: Estimate, show_basis: bool = True) -> str:
    out = _key_figures(e)
    out.append(_rule("Breakdown"))
    for category in Category:
        items = [i for i in e.line_items if i.category is category]
        if not items:
            continue
        out.append(f"  {category.label}")
        for item in items:
            amount = f"{usd_range(item.low, item.high)} {_CADENCE[item.cadence]}"
            out.append(f"    {item.item:<56}{amount:>38}")
            if show_basis:
                out.append(
                    textwrap.fill(
                        item.basis,
                        WIDTH,
                        initial_indent="      = ",
                        subsequent_indent="        ",
                    )
                )
    out.append(_rule("Three-phase budget (cumulative, as multiples of the prototype)"))
    for phase in e.phases:
        m = phase.multiple
        out.append(
            f"  {phase.name:<18}{phase.months:<14}{_amount(phase.cumulative):>24}   "
            f"{m.low:.1f}-{m.high:.1f}x  (article {phase.article_multiple[0]:g}-"
            f"{phase.article_multiple[1]:g}x)"
        )
    out.append(_wrap(READING))
    out.append(_rule("Five scaling strategies"))
    for n, strategy in enumerate(e.strategies, 1):
        out.append(f"  {n}. {strategy.name}: {strategy.rule}")
        out.append(_wrap(strategy.advice, "     "))
    out.append(_rule("Savings levers ($/month)"))
    for saving in e.savings:
        out.append(f"  {saving.name:<22}{_amount(saving.monthly):>20}")
        out.append(_wrap(saving.detail, "     "))
    for absent in e.absent:
        if absent.kind == "lever":
            out.append(f"  {absent.name:<22}{'nothing to save here':>20}")
            out.append(_wrap(absent.why, "     "))
    out += _sensitivity(e)
    out.append(_rule("Assumptions (* = you chose it; the rest are defaults for the stage)"))
    for label, value, chosen in e.scenario.describe():
        out.append(f"  {'*' if chosen else ' '} {label:<30}{value}")
    family = model_family_note(e.scenario.model)
    if family:
        out.append(_wrap(f"Model {e.scenario.model}: {family}.", "  "))
    for absent in e.absent:
        if absent.kind == "line":
            out.append(_wrap(f"Left out, $0 here: {absent.name}: {absent.why}.", "  "))
    if e.token_prices:
        out.append(
            f"  Token prices: genai-prices bundled data ({e.token_prices.provider}). Other "
            f"figures: estimator/data/costs.toml, each with its source and date."
        )
    article = facts.figure("article.production_infrastructure")
    infra = sum(i.high for i in e.line_items if i.category is Category.infrastructure)
    out.append(
        _wrap(
            f"For scale: the reference article puts production infrastructure at "
            f"{usd_range(article.low, article.high)}/month; this scenario's comes to up to "
            f"{usd_range(infra, infra)}/month.",
            "  ",
        )
    )
    return "\n".join(out)


def _sensitivity(e: Estimate) -> list[str]:
    out = [_rule("What moves the first year most (each assumption alone at its low and high)")]
    if not e.sensitivity:
        out.append(
            "  You gave every usage figure (daily share, requests, tokens in and out): "
            "none is left to vary."
        )
    for item in e.sensitivity:
        out.append(
            f"  {item.label:<34}{item.show(item.low):>6} → {item.show(item.high):<6}"
            f"{_amount(item.first_year_at_low):>22} → {_amount(item.first_year_at_high):<22}"
            f"{signed_usd_short(item.swing):>8}"
        )
    return out


def render_diff(diff: EstimateDiff) -> str:
    out = ["What changed: " + ("; ".join(diff.changed_fields) or "nothing")]
    for name, label in (
        ("monthly", "Monthly run-rate"),
        ("one_time", "One-time"),
        ("first_year", "First year"),
    ):
        before, after = diff.totals[name]
        out.append(
            f"  {label:<18}{_amount(before):>24} -> {_amount(after):<24}"
            f"({signed_usd_short(after.low - before.low)} / "
            f"{signed_usd_short(after.high - before.high)})"
        )
    if diff.categories:
        out.append("  By category (first-year impact):")
        for c in diff.categories:
            out.append(
                f"    {c.category.label:<24}{signed_usd_short(c.change.low):>10} / "
                f"{signed_usd_short(c.change.high)}"
            )
    return "\n".join(out)


def render_curve(points: list[CurvePoint]) -> str:
    out = [
        _rule("Scaling curve (all-in per month; annual costs spread over 12)").lstrip("\n"),
        f"  {'users':>10}  {'fixed':>18}  {'variable':>18}  {'total':>20}  {'per user':>16}",
    ]
    for p in points:
        out.append(
            f"  {p.users:>10,}  {usd_range(p.fixed.low, p.fixed.high, True):>18}  "
            f"{usd_range(p.variable.low, p.variable.high, True):>18}  "
            f"{usd_range(p.monthly.low, p.monthly.high, True):>20}  "
            f"{usd_range(p.per_user.low, p.per_user.high):>16}"
        )
    return "\n".join(out)


def render_help() -> str:
    return "\n".join(
        [
            "aicost: what your AI prototype will really cost in production.",
            "",
            "  aicost 10000 users startup          an itemised estimate",
            "  aicost --json 10k users enterprise  the same as JSON",
            "  aicost --curve 10k users            add cost at 100 to 1M users",
            "  aicost chat                         an estimate, then follow-ups",
            "",
            "Describe the scenario in words, e.g.:",
            *(f"  {example}" for example in EXAMPLES),
            "Follow-ups in chat:",
            "  " + " · ".join(FOLLOW_UP_EXAMPLES) + " · reset · quit",
        ]
    )
