"""What each MCP tool answers: the JSON `aicost --json` prints, and a short summary to read.

Each answer goes through the terminal's own path (the advisor for words, the scenario fields of
scenario files for structures) under the server's price book. Input the estimator refuses raises
`Refused` with the terminal's sentence; the server turns it into a tool error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot import advisor
from bot.advisor import ConversationState, Reply, ReplyKind
from bot.breakeven_tip import breakeven_beside
from bot.export import estimate_document
from bot.parsing import BREAKEVEN_EXAMPLE, COMPARE_EXAMPLE, breakeven_question, is_compare
from bot.price_list import price_sheet
from bot.scenario_input import FieldError, fields_from, scenario_of
from bot.verdicts import breakeven_sentence, comparison_sentence
from estimator import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    Comparison,
    Estimate,
    EstimateDiff,
    PriceBook,
    PriceOverrides,
    ScenarioChange,
    ShownCurrency,
    break_even,
    compare,
    count,
    price_book,
    signed_usd_short,
    times_span,
    usd_range,
)

DESCRIBE = "Describe a scenario in words (e.g. “10000 users startup”) or give scenario fields."
ONE_OF = "Give the scenario as `text` or as `scenario` fields, not both."


class Refused(ValueError):
    """Input the estimator cannot take; the message is the sentence the terminal shows."""


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]  # the JSON `aicost --json` prints for the same question
    summary: str


class Answers:
    """The tools' answers under one organisation's prices (None: the bundled ones)."""

    def __init__(self, overrides: PriceOverrides | None = None) -> None:
        self.overrides = overrides
        self.book = price_book(overrides)

    @contextmanager
    def _fields_checked(self) -> Iterator[None]:
        """A scenario field the tool was given that is out of range refuses the call."""
        try:
            yield
        except FieldError as exc:
            raise Refused(str(exc)) from None

    def estimate(self, text: str | None, fields: dict[str, Any] | None) -> Answer:
        with self._fields_checked():
            turn = _start(text, fields, self.book)
            e = _estimated(turn)
            summary = _with_notes(estimate_summary(e), turn.reply.text)
            return Answer(estimate_document(e, breakeven_beside(e)), summary)

    def what_if(
        self,
        text: str | None,
        fields: dict[str, Any] | None,
        change: str | None,
        change_fields: dict[str, Any] | None,
    ) -> Answer:
        if (change is None) == (change_fields is None):
            raise Refused("Give the change in words (`change`) or as fields (`change_fields`).")
        with self._fields_checked():
            state = _start(text, fields, self.book).state
            if change is not None:
                turn = advisor.follow_up_text(change, state, self.book)
            else:
                update = fields_from(change_fields or {})
                turn = advisor.apply(ScenarioChange(set=update), state, self.book)
            reply = turn.reply
            if reply.kind is not ReplyKind.estimate or reply.diff is None:
                raise Refused(_why_not(reply))
            assert reply.estimate is not None
            data = {
                "changed": reply.diff.changed_fields,
                "diff": reply.diff.to_dict(),
                # The new estimate as `aicost --json` prints it, with its break-even.
                "estimate": estimate_document(reply.estimate, breakeven_beside(reply.estimate)),
            }
            return Answer(data, _with_notes(diff_summary(reply.diff, reply.estimate), reply.text))

    def compare(
        self,
        text: str | None,
        shared: dict[str, Any] | None,
        options: Sequence[tuple[str, dict[str, Any]]] | None,
    ) -> Answer:
        with self._fields_checked():
            if text is not None and shared is not None:
                raise Refused("`shared` goes with `options`; in words, put it after “for”.")
            if text is not None and options is None:
                words = text if is_compare(text) else f"compare {text}"
                reply = advisor.request(words, ConversationState(), self.book).reply
                if reply.kind is not ReplyKind.comparison or reply.comparison is None:
                    raise Refused(reply.text or f"Try: “{COMPARE_EXAMPLE}”.")
                comparison = reply.comparison
            elif options is not None and text is None:
                if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
                    raise Refused(f"Compare two to five options (got {len(options)}).")
                base = fields_from(shared or {})
                comparison = compare(
                    [(label, scenario_of({**base, **fields_from(own)})) for label, own in options],
                    self.book,
                    complete=True,
                )
            else:
                raise Refused(
                    f"Give the options in words (e.g. “{COMPARE_EXAMPLE}”) or as a list, not both."
                )
            return Answer(comparison.to_dict(), comparison_summary(comparison))

    def break_even(self, text: str | None, fields: dict[str, Any] | None) -> Answer:
        with self._fields_checked():
            _one_of(text, fields)
            if fields is not None:
                result = break_even(scenario_of(fields_from(fields)), self.book)
            else:
                words = text if breakeven_question(text) is not None else _question(text)
                reply = advisor.request(words, ConversationState(), self.book).reply
                if reply.kind is not ReplyKind.breakeven or reply.breakeven is None:
                    raise Refused(reply.text or f"Try: “{BREAKEVEN_EXAMPLE}”.")
                result = reply.breakeven
            return Answer(result.to_dict(), breakeven_sentence(result))

    def prices(self) -> Answer:
        with self._fields_checked():
            sheet = price_sheet(self.overrides)
            own = sum(1 for row in sheet["figures"] if row["where"] != "bundled")
            summary = (
                f"Prices in use: currency {sheet['currency']}; token prices from "
                f"{sheet['token_prices_from']}; {len(sheet['figures'])} figures of the data file "
                f"({own} from the organisation's settings), each with its source. "
                "Amounts are USD."
            )
            return Answer(sheet, summary)


def _question(text: str) -> str:
    return f"when does self-hosting pay off for {text}"


def _start(text: str | None, fields: dict[str, Any] | None, book: PriceBook) -> advisor.Turn:
    """The conversation's first turn: the scenario's estimate, as `aicost ...` makes it."""
    _one_of(text, fields)
    if fields is not None:
        return advisor.from_scenario(scenario_of(fields_from(fields)), ConversationState(), book)
    turn = advisor.request(text or "", ConversationState(), book)
    if turn.reply.kind is not ReplyKind.estimate:
        raise Refused(_why_not(turn.reply))
    return turn


def _with_notes(summary: str, notes: str) -> str:
    """The summary, then how the words were read ("Read “usres” as “users”."), as the terminal
    says it: an assistant can tell its user which words were taken another way or ignored."""
    return f"{summary} {notes}" if notes else summary


def _one_of(text: str | None, fields: dict[str, Any] | None) -> None:
    if text is None and fields is None:
        raise Refused(DESCRIBE)
    if text is not None and fields is not None:
        raise Refused(ONE_OF)


def _estimated(turn: advisor.Turn) -> Estimate:
    assert turn.reply.estimate is not None
    return turn.reply.estimate


def _why_not(reply: Reply) -> str:
    if reply.kind is ReplyKind.comparison:
        return "That asks for a comparison: use the compare tool."
    if reply.kind is ReplyKind.breakeven:
        return "That asks when self-hosting pays off: use the break_even tool."
    if reply.kind in (ReplyKind.hint, ReplyKind.error, ReplyKind.info) and reply.text:
        return reply.text
    return DESCRIBE


def estimate_summary(e: Estimate) -> str:
    """Three sentences: the scenario, the totals, the largest lines."""
    s, t, shown = e.scenario, e.totals, e.shown
    where = f"self-hosted on {s.gpu.value.upper()}" if s.hosting.value != "api" else "API"
    largest = sorted(e.line_items, key=lambda i: i.first_year(low=False), reverse=True)[:3]
    lines = "; ".join(f"{i.item} {usd_range(i.low, i.high, shown, True)}" for i in largest)
    return (
        f"{count(s.users)} monthly users, {s.stage.value}, {s.model} ({where}). "
        f"Monthly run-rate {_range(t.monthly, shown)}; one-time {_range(t.one_time, shown)}; team "
        "and legal "
        f"{_range(t.annual, shown)} a year; first year {_range(t.first_year, shown)} "
        f"({times_span(t.prototype_multiple.low, t.prototype_multiple.high)} the prototype). "
        f"Largest lines: {lines}. Each line's arithmetic is in line_items[].basis."
    )


def diff_summary(diff: EstimateDiff, after: Estimate) -> str:
    before, now = diff.totals["first_year"]
    shown = diff.shown
    monthly_before, monthly_now = diff.totals["monthly"]
    return (
        f"Changed: {'; '.join(diff.changed_fields) or 'nothing'}. "
        f"First year {_range(before, shown)} -> {_range(now, shown)} "
        f"({_change(before, now, shown)}); monthly "
        f"run-rate {_range(monthly_before, shown)} -> {_range(monthly_now, shown)} "
        f"({_change(monthly_before, monthly_now, shown)}). {len(diff.lines)} lines moved."
    )


def comparison_summary(c: Comparison) -> str:
    shown = c.shown
    each = "; ".join(
        f"{o.label}: first year {_range(o.estimate.totals.first_year, shown)}" for o in c.options
    )
    return f"{comparison_sentence(c)} {each}."


def _range(amount: Any, shown: ShownCurrency) -> str:
    return usd_range(amount.low, amount.high, shown, True)


def _change(before: Any, after: Any, shown: ShownCurrency) -> str:
    low, high = after.low - before.low, after.high - before.high
    return f"{signed_usd_short(low, shown)} / {signed_usd_short(high, shown)}"
