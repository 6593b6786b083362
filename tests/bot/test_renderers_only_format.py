"""Compute, then present: the estimator returns a complete result and the renderers (terminal,
Slack messages, CSV/JSON, charts) only format it. Two checks: what the renderer modules import
from the estimator, and rendering a complete estimate while the estimator cannot compute."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

import estimator
from bot.charts import curve_users, estimate_chart_data
from bot.export import estimate_csv, estimate_json
from bot.parsing import first_scenario
from bot.slack.messages.arithmetic import arithmetic
from bot.slack.messages.estimate import estimate_message
from bot.slack.messages.tips import thread_tips
from bot.terminal import render_estimate
from estimator import estimate, price_book

ROOT = Path(__file__).resolve().parents[2]
RENDERERS = (
    "bot/terminal.py",
    "bot/export.py",
    "bot/charts.py",
    "bot/verdicts.py",
    "bot/slack/home_view.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "bot/slack/messages").glob("*.py")),
)
# The functions of the estimator a renderer may call: they format a figure it already has.
FORMATTING = {
    "usd",
    "usd_range",
    "usd_short",
    "signed_usd_short",
    "signed_usd_change",  # a change as the two amounts beside it are written
    "count",
    "percent",
    "shown_currency",  # the currency a stored estimate was shown in (Home's history)
    "figure_span",  # a range, or one figure when its ends agree
    "times_span",
    "user_count",  # "1 user", "2 users"
    "bundled_note",  # which token price snapshot is bundled: a sentence, no arithmetic
    "model_family_note",  # what a model family name stands for: a sentence from the data file
}
# What computes: estimating (lines, totals, re-estimates) and each part of a complete result.
COMPUTING = (
    "line_items",
    "parts",
    "totals_for",
    "_totals_at",
    "usage_variants",
    "usage_changes",
    "repriced",
    "repriced_changes",
    "OwnSums",
    "phases",
    "strategies",
    "sensitivity",
    "scaling_curve",
)


def _estimator_imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "estimator":
            found.extend((node.module or "", alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(("", a.name) for a in node.names if a.name.split(".")[0] == "estimator")
    return found


def test_renderers_import_only_result_types_constants_and_formatting_from_the_estimator():
    computing = []
    for name in RENDERERS:
        for module, imported in _estimator_imports(ROOT / name):
            assert module, f"{name} imports the estimator module {imported} itself"
            value = getattr(importlib.import_module(module), imported)
            if callable(value) and not isinstance(value, type) and imported not in FORMATTING:
                computing.append(f"{name}: {imported}")
    assert not computing, computing


@pytest.mark.parametrize(
    ("text", "own_prices"),
    [
        ("10000 users startup", None),
        ("250k users enterprise hipaa claude-sonnet-4-5 cache 40%", None),
        ("20k users self-hosted h100 3 regions", None),
        ("50k users mid-size gpt-4o", {"currency": {"code": "EUR", "per_usd": 0.92}}),
    ],
)
def test_a_complete_estimate_renders_the_same_when_the_estimator_cannot_compute(
    text, own_prices, monkeypatch
):
    s = first_scenario(text)
    prices = price_book(None if own_prices is None else estimator.PriceOverrides(**own_prices))
    e = estimate(s, prices, curve_at=curve_users(s))
    assert e.complete
    assert e.currency == (("USD", 1.0) if own_prices is None else ("EUR", 0.92))
    tip = estimator.break_even(s, prices)  # computed beside the estimate, as the front ends do

    def rendered() -> list[object]:
        return [
            estimate_message(e),
            thread_tips(e),
            arithmetic(e),
            render_estimate(e, show_basis=True),
            estimate_csv(e),
            estimate_json(e, tip),
            estimate_chart_data(e),
        ]

    # Reading every text once first would hide a computation done on first read: render a twin.
    twin = estimate(s, prices, curve_at=curve_users(s))
    expected = rendered()

    def refuse(*args, **kwargs):
        raise AssertionError("a renderer computed: the estimate was not complete")

    for name in ("estimator.estimate", "estimator.breakdown", "estimator.curve"):
        module = sys.modules[name]  # the package's `estimator.estimate` is the function
        for function in COMPUTING:
            if hasattr(module, function):
                monkeypatch.setattr(module, function, refuse)
    e = twin
    assert rendered() == expected
