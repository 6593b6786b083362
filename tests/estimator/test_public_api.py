"""`estimator.__all__` is the estimator's public API: what a front end may import. Every name in it
is importable from the package, none is private, and the package exports nothing else by `*`."""

from __future__ import annotations

import ast
from pathlib import Path

import estimator
from tests.support.statements import statements

ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_is_importable_from_the_package_and_none_is_private():
    assert len(estimator.__all__) == len(set(estimator.__all__)), "a name is listed twice"
    for name in estimator.__all__:
        assert not name.startswith("_"), name
        assert getattr(estimator, name, None) is not None, name
    star: dict[str, object] = {}
    exec("from estimator import *", star)
    assert set(star) - {"__builtins__"} == set(estimator.__all__)


def test_the_public_api_names_what_a_front_end_needs():
    for name in (
        "estimate",
        "Estimate",
        "Scenario",
        "build_scenario",
        "compare",
        "break_even",
        "scaling_curve",
        "apply_change",
        "diff_estimates",
        "PriceOverrides",
        "PriceBook",
        "price_book",
        "BUNDLED_BOOK",
        "parse_price_file",
        "usd_range",
        "ShownCurrency",
        "shown_currency",
        "DOLLARS",
        "ScenarioError",
        "PriceFileError",
    ):
        assert name in estimator.__all__, name


def test_every_front_end_module_imports_only_the_public_api():
    # bot/ (the terminal, Slack, MCP and scenario-file front ends) reads the estimator through
    # `from estimator import <public name>` only: never a module of it, nor a name outside
    # __all__, so the modules behind the API can move without touching a front end.
    reaching = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        where = path.relative_to(ROOT)
        for node in statements(path):
            if isinstance(node, ast.Import):
                reaching += [f"{where}: import {a.name}" for a in node.names if _ours(a.name)]
            elif isinstance(node, ast.ImportFrom) and _ours(node.module or ""):
                if node.module != "estimator":
                    reaching.append(f"{where}: from {node.module} import ...")
                    continue
                reaching += [
                    f"{where}: {a.name} is not in estimator.__all__"
                    for a in node.names
                    if a.name not in estimator.__all__
                ]
    assert not reaching, reaching


def _ours(module: str) -> bool:
    return module.split(".")[0] == "estimator"
