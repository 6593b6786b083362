"""The terminal verbs for plans kept in files: `aicost -f plan.toml`, `aicost schema`,
`aicost diff old.toml new.toml`, and the budget gate (`--max-first-year`, `--max-monthly`).

They estimate through the same advisor, comparison and price book as `aicost ...` in words.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot import advisor
from bot.advisor import ConversationState, ReplyKind
from bot.breakeven_tip import breakeven_beside
from bot.budget import (
    EXIT_OVER_BUDGET,
    FIRST_YEAR_FLAG,
    MONTHLY_FLAG,
    Budget,
    BudgetError,
    over_budget,
    read_limit,
)
from bot.export import estimate_json
from bot.price_list import price_sheet
from bot.scenario_file import PlanFileError, file_schema, read_plan
from bot.terminal import render_comparison, render_estimate, render_line_changes
from estimator import (
    Estimate,
    PriceBook,
    PriceFileError,
    PriceOverrides,
    Scenario,
    compare,
    diff_estimates,
    load_price_file,
    price_book,
    price_file_path,
)

EXIT_BAD_INPUT = 2
FILE_FLAGS = ("-f", "--file")
_VALUED = (*FILE_FLAGS, "--prices", FIRST_YEAR_FLAG, MONTHLY_FLAG)
_SWITCHES = ("--json", "--brief")


class UsageError(ValueError):
    """A command line that cannot run; the message says what to type."""


def subcommand(args: list[str]) -> Callable[[list[str]], int] | None:
    """The verb for these arguments when it is one of the file, schema, diff or MCP verbs."""
    if args[:1] == ["mcp"]:
        from bot.mcp.server import main as serve_mcp  # the SDK loads only for this verb

        return lambda rest: serve_mcp(rest[1:])
    if args[:1] == ["schema"]:
        return _schema
    if args[:1] == ["diff"]:
        return _diff
    names = {arg.split("=", 1)[0] for arg in args}
    if names & {*FILE_FLAGS, FIRST_YEAR_FLAG, MONTHLY_FLAG}:
        return _plan
    if "--json" in args and "prices" in args:
        try:
            _, _, words = _options(args)
        except UsageError:
            return None  # not this verb: the terminal words the error
        if words == ["prices"]:
            return _prices_json
    return None


def _prices_json(args: list[str]) -> int:
    def body() -> int:
        values, _, words = _options(args)
        if words != ["prices"] or set(values) - {"--prices"}:
            raise UsageError("aicost prices --json takes only --prices FILE besides.")
        print(json.dumps(price_sheet(load_prices(values.get("--prices"))), indent=2))
        return 0

    return _run(body)


def load_prices(prices_arg: str | None) -> PriceOverrides | None:
    """The organisation's prices: --prices FILE, else AICOST_PRICES, else none (bundled)."""
    path = price_file_path(prices_arg, os.environ)
    return load_price_file(path) if path is not None else None


def _options(args: list[str]) -> tuple[dict[str, str], set[str], list[str]]:
    """(valued options, switches, other words); UsageError for an unknown option."""
    values: dict[str, str] = {}
    switches: set[str] = set()
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        name = arg.split("=", 1)[0]
        if name in _VALUED:
            value = arg.split("=", 1)[1] if "=" in arg else next(rest, "")
            if not value or value.startswith("--"):
                raise UsageError(f"{name} needs a value, e.g. aicost -f plan.toml {name} 500k")
            values["-f" if name in FILE_FLAGS else name] = value
        elif name in _SWITCHES:
            switches.add(name)
        elif arg.startswith("-"):
            raise UsageError(
                f"Unknown option {name[:30]} here: use {', '.join((*_VALUED, *_SWITCHES))}."
            )
        else:
            words.append(arg)
    return values, switches, words


def _run(body: Callable[[], int]) -> int:
    try:
        return body()
    except (UsageError, PlanFileError, BudgetError, PriceFileError) as exc:
        return _fail(str(exc))


def _fail(message: str) -> int:
    print(f"aicost: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _schema(args: list[str]) -> int:
    if args[1:]:
        return _fail("aicost schema takes nothing more; it prints the scenario file's JSON Schema.")
    print(json.dumps(file_schema(), indent=2))
    return 0


def _plan(args: list[str]) -> int:
    def body() -> int:
        values, switches, words = _options(args)
        budget = Budget(
            first_year=_limit(values, FIRST_YEAR_FLAG), monthly=_limit(values, MONTHLY_FLAG)
        )
        book = price_book(load_prices(values.get("--prices")))
        if "-f" in values:
            if words:
                raise UsageError(
                    "Give the scenario in the file or in words, not both: aicost -f plan.toml"
                )
            plans = read_plan(Path(values["-f"]))
        else:
            plans = [(" ".join(words), _from_words(" ".join(words), book))]
        return _answer(plans, switches, budget, book)

    return _run(body)


def _limit(values: dict[str, str], flag: str) -> float | None:
    return read_limit(flag, values[flag]) if flag in values else None


def _from_words(text: str, book: PriceBook) -> Scenario:
    if not text.strip():
        raise UsageError("Name a scenario file or describe one: aicost -f plan.toml --json")
    reply = advisor.request(text, ConversationState(), book).reply
    if reply.kind is not ReplyKind.estimate or reply.scenario is None:
        raise UsageError(reply.text or "The budget gate checks an estimate, e.g. aicost 10k users")
    return reply.scenario


def _estimate(scenario: Scenario, book: PriceBook) -> Estimate:
    reply = advisor.from_scenario(scenario, ConversationState(), book).reply
    assert reply.estimate is not None  # a validated scenario always estimates
    return reply.estimate


def _answer(
    plans: list[tuple[str, Scenario]], switches: set[str], budget: Budget, book: PriceBook
) -> int:
    if len(plans) == 1:
        e = _estimate(plans[0][1], book)
        tip = breakeven_beside(e)
        if "--json" in switches:
            print(estimate_json(e, tip))
        else:
            print(render_estimate(e, show_basis="--brief" not in switches, breakeven=tip))
        estimates = [(plans[0][0], e)]
    else:
        comparison = compare(plans, book, complete="--json" in switches)
        if "--json" in switches:
            print(json.dumps(comparison.to_dict(), indent=2))
        else:
            print(render_comparison(comparison))
        estimates = [(o.label, o.estimate) for o in comparison.options]
    reasons = [reason for label, e in estimates for reason in over_budget(label, e, budget)]
    for reason in reasons:
        print(f"aicost: over budget: {reason}", file=sys.stderr)
    return EXIT_OVER_BUDGET if reasons else 0


def _diff(args: list[str]) -> int:
    def body() -> int:
        values, switches, words = _options(args[1:])
        if len(words) != 2 or set(values) - {"--prices"}:
            raise UsageError("aicost diff takes two scenario files: aicost diff old.toml new.toml")
        book = price_book(load_prices(values.get("--prices")))
        old, new = read_plan(Path(words[0])), read_plan(Path(words[1]))
        pairs = _paired(old, new, words)
        diffs = [
            (name, diff_estimates(_estimate(a, book), _estimate(b, book))) for name, a, b in pairs
        ]
        if "--json" in switches:
            shown = {name: d.to_dict() for name, d in diffs}
            print(json.dumps(shown[pairs[0][0]] if len(diffs) == 1 else shown, indent=2))
            return 0
        blocks = [
            (f"{name}:\n" if len(diffs) > 1 else "") + render_line_changes(d) for name, d in diffs
        ]
        print("\n\n".join(blocks))
        return 0

    return _run(body)


def _paired(
    old: list[tuple[str, Scenario]], new: list[tuple[str, Scenario]], paths: list[str]
) -> list[tuple[str, Scenario, Scenario]]:
    """Scenarios of the two files by name (one each: the two, whatever their names)."""
    if len(old) == 1 and len(new) == 1:
        return [(old[0][0], old[0][1], new[0][1])]
    before, after = dict(old), dict(new)
    missing = [name for name in [*before, *after] if name not in before or name not in after]
    if missing:
        raise UsageError(
            f"{paths[0]} and {paths[1]} name different scenarios ({missing[0]} is in one only): "
            "diff compares scenarios of the same name."
        )
    return [(name, before[name], after[name]) for name in before]
