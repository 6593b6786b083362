"""`estimator.__all__` is the estimator's public API: what a front end may import. Every name in it
is importable from the package, none is private, and the package exports nothing else by `*`."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import estimator

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
        "shown_in",
        "ScenarioError",
        "PriceFileError",
    ):
        assert name in estimator.__all__, name


def test_every_name_the_front_ends_import_from_an_estimator_module_is_public():
    # So that bot/ can switch to `from estimator import ...` without reaching into a module.
    # (The data file reader `facts` and the token snapshot module are read as modules today.)
    missing = set()
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("estimator."):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if getattr(module, alias.name) not in vars(estimator).values():
                        missing.add(f"{node.module}.{alias.name}")
    assert not missing, sorted(missing)
