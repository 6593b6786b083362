"""The `aicost` terminal command: an estimate from words, as text or JSON, and `aicost chat`.

Works with no Slack and no Redis. Bad input exits 2 with one line saying what to type instead.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from bot import advisor
from bot.advisor import ConversationState, ReplyKind
from bot.breakeven_tip import breakeven_beside
from bot.export import estimate_csv, estimate_document, estimate_json
from bot.fail_soft import failed, optional
from bot.parsing import Command, InputError, parse
from bot.plans import subcommand
from bot.price_list import render_prices
from bot.terminal import (
    fit,
    render_breakeven,
    render_comparison,
    render_curve,
    render_diff,
    render_estimate,
    render_help,
    render_summary,
    terminal_width,
)
from bot.visible_text import visible
from estimator import (
    BUNDLED_BOOK,
    URL_ENV,
    PriceBook,
    PriceFileError,
    PriceOverrides,
    estimate,
    load_price_file,
    price_book,
    price_file_path,
    refresh,
    scaling_curve,
)

log = logging.getLogger(__name__)

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1  # our fault, not the input's
FLAGS = (
    "--json",
    "--csv",
    "--chart",
    "--prices",
    "--update-prices",
    "--curve",
    "--brief",
    "--version",
    "--help",
)


def main(argv: Sequence[str] | None = None) -> int:
    args = [visible(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `aicost ... | head`
        return 0
    except Exception as exc:  # a fault of ours: one line, never a traceback
        print(f"aicost: {failed(exc)}", file=sys.stderr)
        return EXIT_FAILED


def _run(args: list[str]) -> int:
    verb = subcommand(args)  # -f FILE, schema, diff, mcp and the budget gate (bot/plans.py)
    if verb is not None:
        return verb(args)
    flags: set[str] = set()
    words: list[str] = []
    chart_path: Path | None = None
    prices_arg: str | None = None
    rest = iter(args)
    for arg in rest:
        name = arg.split("=", 1)[0]
        if name == "--chart":
            value = arg.split("=", 1)[1] if "=" in arg else next(rest, "")
            if not value or value.startswith("--"):
                return _fail("--chart needs a file name, e.g.: aicost --chart out.png 10k users")
            chart_path = Path(value)
        elif name == "--prices":
            prices_arg = arg.split("=", 1)[1] if "=" in arg else next(rest, "")
            if not prices_arg or prices_arg.startswith("--"):
                return _fail(
                    "--prices needs a file, e.g.: aicost --prices my-prices.toml 10k users"
                )
        elif arg in ("-h", "-V"):
            flags.add("--help" if arg == "-h" else "--version")
        elif arg.startswith("--"):
            if name not in FLAGS:
                return _fail(f"Unknown option {name[:30]}: use {', '.join(FLAGS)}.")
            flags.add(name)
        else:
            words.append(arg)
    if "--version" in flags:
        print(f"aicost {_version()}")
        return 0
    if "--help" in flags or words == ["help"]:
        print(fit([render_help()], terminal_width()))
        return 0
    try:
        path = price_file_path(prices_arg, os.environ)
        overrides = load_price_file(path) if path is not None else None
    except PriceFileError as exc:
        return _fail(str(exc))
    if "--update-prices" in flags:
        refresh(os.environ.get(URL_ENV) or None)
    return _answer(words, flags, chart_path, overrides, price_book(overrides))


def _answer(
    words: list[str],
    flags: set[str],
    chart_path: Path | None,
    overrides: PriceOverrides | None,
    prices: PriceBook,
) -> int:
    """The command's output, priced with the organisation's prices (if any)."""
    if words == ["prices"]:
        width = terminal_width()
        print(fit(render_prices(overrides, width), width))
        return 0
    if words and words[0] == "chat":
        return chat(input_line=input, write=print, prices=prices)
    text = " ".join(words)
    if not text.strip():
        print(fit([render_help()], terminal_width()))
        return 0
    if parse(text).command is not None:
        return _fail("Commands like undo or reset work in `aicost chat`. Try: aicost 10k users")
    if "--json" in flags and "--csv" in flags:
        return _fail("Choose one of --json and --csv.")
    turn = advisor.request(text, ConversationState(), prices)
    reply = turn.reply
    if reply.kind is ReplyKind.comparison and reply.comparison is not None:
        return _comparison(reply.comparison, flags, chart_path)
    if reply.kind is ReplyKind.breakeven and reply.breakeven is not None:
        if chart_path is not None or "--csv" in flags:
            return _fail("--chart and --csv take an estimate or a comparison, not a question.")
        if "--json" in flags:
            print(json.dumps(reply.breakeven.to_dict(), indent=2))
        else:
            print(render_breakeven(reply.breakeven))
        return 0
    if reply.kind is not ReplyKind.estimate or reply.estimate is None:
        return _fail(reply.text or "Describe a scenario, e.g.: aicost 10000 users startup")
    e = reply.estimate
    if reply.text:  # how words were read (stderr, so --json and --csv stay clean)
        print(f"aicost: note: {reply.text}", file=sys.stderr)
    chart = None
    if chart_path is not None:
        from bot.charts import curve_users, estimate_chart_png

        chart = optional(
            "the chart",
            lambda: estimate_chart_png(
                estimate(e.scenario, prices, curve_at=curve_users(e.scenario))
            ),
        )
        if isinstance(chart, bytes) and not _write(chart_path, chart):
            return EXIT_BAD_INPUT
    if "--csv" in flags:
        sys.stdout.write(estimate_csv(e))
        return _told(chart)
    tip = breakeven_beside(e)  # the JSON carries what the terminal shows under the estimate
    if "--json" in flags and "--curve" in flags:
        data = estimate_document(e, tip)
        curve = optional("the scaling curve", lambda: scaling_curve(e.scenario, prices))
        if isinstance(curve, str):
            data["scaling_curve_left_out"] = curve
        else:
            data["scaling_curve"] = [p.to_dict() for p in curve]
        print(json.dumps(data, indent=2))
        return _told(chart)
    if "--json" in flags:
        print(estimate_json(e, tip))
        return _told(chart)
    print(render_estimate(e, show_basis="--brief" not in flags, breakeven=tip))
    if "--curve" in flags:
        curve = optional("the scaling curve", lambda: scaling_curve(e.scenario, prices))
        print()
        print(curve if isinstance(curve, str) else render_curve(curve, e.shown))
    if isinstance(chart, bytes):
        print(f"\nChart written to {chart_path}")
    return _told(chart)


def _told(chart: bytes | str | None) -> int:
    """0, after saying on stderr that the chart asked for is left out, when it is."""
    if isinstance(chart, str):
        print(f"aicost: {chart}", file=sys.stderr)
    return 0


def _comparison(comparison, flags: set[str], chart_path: Path | None) -> int:
    chart = None
    if chart_path is not None:
        from bot.charts import comparison_chart_png

        chart = optional("the chart", lambda: comparison_chart_png(comparison))
        if isinstance(chart, bytes) and not _write(chart_path, chart):
            return EXIT_BAD_INPUT
    if "--csv" in flags:
        return _fail("--csv exports one estimate; compare prints a table (or --json).")
    if "--json" in flags:
        print(json.dumps(comparison.to_dict(), indent=2))
        return _told(chart)
    print(render_comparison(comparison))
    if isinstance(chart, bytes):
        print(f"\nChart written to {chart_path}")
    return _told(chart)


def _write(path: Path, png: bytes) -> bool:
    try:
        path.write_bytes(png)
    except OSError as exc:
        _fail(f"Cannot write the chart to {path}: {exc.strerror or exc}.")
        return False
    return True


def _version() -> str:
    try:
        return metadata.version("aicost")
    except metadata.PackageNotFoundError:
        return "unknown"


def _fail(message: str) -> int:
    print(f"aicost: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def chat(
    input_line: Callable[[str], str],
    write: Callable[[str], None],
    prices: PriceBook = BUNDLED_BOOK,
) -> int:
    """An estimate, then follow-ups that change it, remembered in memory until you quit."""
    write("aicost chat: describe your scenario (e.g. 10000 users startup); 'quit' to leave.")
    state = ConversationState()
    while True:
        try:
            line = visible(input_line("> " if state.scenario is None else "what if> "))
        except EOFError:
            write("")
            return 0
        if line.strip().lower() in ("quit", "exit", "q", "bye"):
            return 0
        if not line.strip():
            continue
        try:
            turn = advisor.follow_up_text(line, state, prices)
            state = turn.state
            text = _chat_reply(turn.reply)
        except Exception as exc:  # the conversation goes on: one sentence, never a traceback
            log.info("chat turn failed", exc_info=True)
            text = failed(exc)
        write(text)


def _chat_reply(reply: advisor.Reply) -> str:
    if reply.kind is ReplyKind.estimate and reply.estimate is not None:
        note = f"Note: {reply.text}\n\n" if reply.text else ""
        if reply.diff is None:  # a new scenario: the whole picture, without the arithmetic
            return note + render_estimate(reply.estimate, show_basis=False)
        return note + render_diff(reply.diff) + "\n\n" + render_summary(reply.estimate)
    step = f"{reply.step}\n\n" if reply.step else ""  # undo or reset in a question's chat
    if reply.kind is ReplyKind.comparison and reply.comparison is not None:
        return step + render_comparison(reply.comparison)
    if reply.kind is ReplyKind.breakeven and reply.breakeven is not None:
        return step + render_breakeven(reply.breakeven)
    if reply.kind is ReplyKind.help:
        return render_help()
    if reply.kind is ReplyKind.form:
        return "The form is a Slack feature; here, type the scenario, e.g. 10000 users startup."
    if reply.kind is ReplyKind.forget:
        return "Forgotten. Describe a new scenario to start again."
    return reply.text


__all__ = ["Command", "InputError", "chat", "main"]


if __name__ == "__main__":
    sys.exit(main())
