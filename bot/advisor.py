"""The conversation: a state and what the user said in, a reply and the next state out.

It knows nothing of Slack or terminals. The Slack listeners and `aicost chat` both drive it, and
both render its replies their own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.parsing import (
    Command,
    InputError,
    Parsed,
    breakeven_question,
    breakeven_sides,
    compare_options,
    follow_up,
    is_compare,
    notes_for,
    parse,
    scenario_from,
    unknown_message,
)
from bot.verdicts import breakeven_sentence, comparison_sentence
from estimator import (
    BUNDLED_BOOK,
    BreakEven,
    Comparison,
    Estimate,
    EstimateDiff,
    PriceBook,
    Scenario,
    ScenarioChange,
    ScenarioError,
    SelfHostingError,
    apply_change,
    break_even,
    cheaper_model,
    compare,
    diff_estimates,
    estimate,
)

HISTORY_LIMIT = 20  # undo steps kept per conversation


class Question(BaseModel):
    """A comparison or a break-even a thread was started with, so a reply in that thread ("what
    if 100k users?") asks it again with the change: a comparison's (label, scenario) options, or
    a break-even's scenario and the model named for its other side."""

    model_config = ConfigDict(frozen=True)

    options: tuple[tuple[str, Scenario], ...] = ()
    breakeven: Scenario | None = None
    other_model: str | None = None


class ConversationState(BaseModel):
    """What a conversation remembers: the current scenario and the ones before it (for undo),
    or, in a thread started by a comparison or a break-even, that question."""

    model_config = ConfigDict(frozen=True)

    scenario: Scenario | None = None
    history: tuple[Scenario, ...] = Field(default=(), description="oldest first")
    question: Question | None = None
    asked_before: tuple[Question, ...] = Field(
        default=(), description="the question before each change, oldest first (for undo)"
    )

    def moved_to(self, scenario: Scenario) -> ConversationState:
        history = (*self.history, self.scenario) if self.scenario is not None else self.history
        return ConversationState(scenario=scenario, history=history[-HISTORY_LIMIT:])


class ReplyKind(StrEnum):
    estimate = "estimate"  # a new estimate (with `diff` when it follows an earlier one)
    help = "help"
    form = "form"  # open the form, prefilled from `scenario`
    hint = "hint"  # text not understood: `text` names the words and shows examples
    error = "error"  # understood but not allowed (out of range, unknown model): `text` says so
    info = "info"  # anything else worth a sentence ("nothing to undo")
    forget = "forget"  # the caller deletes the stored conversation
    comparison = "comparison"  # `comparison` side by side; `text` says which is cheapest
    breakeven = "breakeven"  # `breakeven` for the scenario; `text` says where it lies
    chart = "chart"  # draw the current `scenario` (front ends with pictures do)
    export = "export"  # the current `scenario`'s estimate as files (front ends with files do)


@dataclass(frozen=True)
class Reply:
    kind: ReplyKind
    text: str = ""
    estimate: Estimate | None = None
    previous: Estimate | None = None
    diff: EstimateDiff | None = None
    scenario: Scenario | None = None
    changes: list[str] = field(default_factory=list)
    comparison: Comparison | None = None
    breakeven: BreakEven | None = None
    question: Question | None = None  # a comparison or break-even, to be asked again
    # A question asked again by "undo" or "reset": what was done ("Undone: back to the previous
    # comparison."), so the answer does not read as a new question.
    step: str = ""


@dataclass(frozen=True)
class Turn:
    reply: Reply
    state: ConversationState
    # True when `state` differs from what came in and should be saved.
    changed: bool = False


def request(text: str, state: ConversationState, prices: PriceBook = BUNDLED_BOOK) -> Turn:
    """A fresh request (`/aicost ...` or `aicost ...`): a new scenario unless it is a command.
    Everything estimated is priced with `prices`, as in the other entry points below."""
    question = _question(text, None, state, prices)
    if question is not None:
        return question
    parsed = parse(text)
    if parsed.command is not None:
        return _command(parsed.command, state, prices)
    if not parsed.understood_anything and not parsed.unknown:
        return Turn(Reply(ReplyKind.form, scenario=state.scenario), state)
    if parsed.unknown:
        return Turn(Reply(ReplyKind.hint, unknown_message(parsed.unknown)), state)
    try:
        scenario = scenario_from(parsed)
    except InputError as exc:
        return Turn(Reply(ReplyKind.error, str(exc)), state)
    return _new_estimate(scenario, state, prices, " ".join(notes_for(parsed, scenario)))


def follow_up_text(text: str, state: ConversationState, prices: PriceBook = BUNDLED_BOOK) -> Turn:
    """A follow-up in a thread or chat ("what if 50k users?"), relative to the current scenario."""
    question = _question(text, state.scenario, state, prices)
    if question is not None:
        return question
    parsed = parse(text)
    if parsed.command is not None:
        return _command(parsed.command, state, prices)
    if state.scenario is None and state.question is None:
        return request(text, state, prices)
    if parsed.unknown or not parsed.understood_anything:
        words = parsed.unknown or (text.strip()[:30] or "that",)
        return Turn(Reply(ReplyKind.hint, unknown_message(words, follow_up=True)), state)
    if state.scenario is None and state.question is not None:
        return _asked_again(state.question, parsed, state, prices)
    return _change(state, parsed, prices)


def apply(
    change: ScenarioChange, state: ConversationState, prices: PriceBook = BUNDLED_BOOK
) -> Turn:
    """A change from a button or a saving lever, applied to the current scenario."""
    if state.scenario is None:
        return Turn(Reply(ReplyKind.info, _NO_SCENARIO), state)
    try:
        scenario = apply_change(state.scenario, change)
    except ScenarioError as exc:
        return Turn(Reply(ReplyKind.error, str(exc)), state)
    return _compared(state, scenario, prices)


ALREADY_CHEAPEST = "This is already the cheapest of the models I compare for your traffic."


def try_cheaper_model(state: ConversationState, prices: PriceBook = BUNDLED_BOOK) -> Turn:
    """The "Try a cheaper model" button, or the words typed: the current scenario on the
    cheapest model of its class that the savings compare, or why not."""
    if state.scenario is None:
        return Turn(Reply(ReplyKind.info, _no_scenario(state)), state)
    change = cheaper_model(state.scenario, prices).change
    if change is None:
        return Turn(Reply(ReplyKind.info, ALREADY_CHEAPEST), state)
    return apply(change, state, prices)


def from_scenario(
    scenario: Scenario, state: ConversationState, prices: PriceBook = BUNDLED_BOOK
) -> Turn:
    """A scenario built elsewhere (the form) becomes the conversation's current one."""
    return _new_estimate(scenario, state, prices)


_FILES = (
    "Charts and exports are files: in a terminal, add --chart out.png or --csv to the aicost "
    "command; in Slack they are posted in the estimate's thread."
)
_NO_SCENARIO = "There is no estimate here yet. Start one with “10000 users startup”."
_A_QUESTION = (
    "This thread answers a question, not an estimate: reply with a change (“what if 100k "
    "users?”) to ask it again, or start an estimate with “/aicost 10000 users startup”."
)


def _no_scenario(state: ConversationState) -> str:
    return _A_QUESTION if state.question is not None else _NO_SCENARIO


def _command(command: Command, state: ConversationState, prices: PriceBook) -> Turn:
    if command is Command.help:
        return Turn(Reply(ReplyKind.help), state)
    if command is Command.form:
        return Turn(Reply(ReplyKind.form, scenario=state.scenario), state)
    if command is Command.forget:
        return Turn(Reply(ReplyKind.forget), ConversationState(), changed=True)
    if command in (Command.chart, Command.export):
        # Without a scenario here, a front end may still find one (Slack: the channel's latest).
        kind = ReplyKind.chart if command is Command.chart else ReplyKind.export
        text = _FILES if state.scenario is not None else _no_scenario(state)
        return Turn(Reply(kind, text, scenario=state.scenario), state)
    if state.scenario is None and state.question is not None:
        if command is Command.undo:
            return _question_undone(state, prices)
        if command is Command.reset:
            return _question_reset(state, prices)
    if command is Command.cheaper_model:
        return try_cheaper_model(state, prices)
    if state.scenario is None:
        return Turn(Reply(ReplyKind.info, _no_scenario(state)), state)
    if command is Command.undo:
        if not state.history:
            return Turn(
                Reply(ReplyKind.info, "Nothing to undo: this is the first estimate."), state
            )
        previous = state.history[-1]
        new_state = ConversationState(scenario=previous, history=state.history[:-1])
        return _compared_to(state.scenario, previous, new_state, prices)
    # reset: back to where the conversation started
    if not state.history:
        return Turn(Reply(ReplyKind.info, "Already at the first estimate."), state)
    first = state.history[0]
    return _compared_to(state.scenario, first, state.moved_to(first), prices)


def _question_undone(state: ConversationState, prices: PriceBook) -> Turn:
    """A comparison's or break-even's thread one change back, answered again."""
    assert state.question is not None
    if not state.asked_before:
        what = _kind_of(state.question)
        return Turn(Reply(ReplyKind.info, f"Nothing to undo: this is the first {what}."), state)
    previous, earlier = state.asked_before[-1], state.asked_before[:-1]
    which = "previous" if earlier else "first"
    return _asked(previous, prices, earlier, f"Undone: back to the {which} {_kind_of(previous)}.")


def _question_reset(state: ConversationState, prices: PriceBook) -> Turn:
    """A comparison's or break-even's thread back to the question it started with, answered
    again; as in an estimate's thread, "undo" then returns to where the reset left from."""
    assert state.question is not None
    if not state.asked_before or state.asked_before[0] == state.question:
        return Turn(
            Reply(ReplyKind.info, f"Already at the first {_kind_of(state.question)}."), state
        )
    earlier = (*state.asked_before, state.question)[-HISTORY_LIMIT:]
    first = state.asked_before[0]
    return _asked(first, prices, earlier, f"Reset: back to the first {_kind_of(first)}.")


def _kind_of(question: Question) -> str:
    return "break-even" if question.breakeven is not None else "comparison"


def _change(state: ConversationState, parsed: Parsed, prices: PriceBook) -> Turn:
    assert state.scenario is not None
    try:
        scenario = follow_up(state.scenario, parsed)
    except InputError as exc:
        return Turn(Reply(ReplyKind.error, str(exc)), state)
    return _compared(state, scenario, prices, " ".join(notes_for(parsed, scenario)))


def _compared(
    state: ConversationState, scenario: Scenario, prices: PriceBook, notes: str = ""
) -> Turn:
    assert state.scenario is not None
    if scenario == state.scenario:
        return Turn(
            Reply(ReplyKind.info, "That is already the scenario: nothing changed."),
            state,
        )
    return _compared_to(state.scenario, scenario, state.moved_to(scenario), prices, notes)


def _compared_to(
    before: Scenario,
    after: Scenario,
    new_state: ConversationState,
    prices: PriceBook,
    notes: str = "",
) -> Turn:
    old = estimate(before, prices, complete=False)
    new = estimate(after, prices, complete=False)  # its message shows totals and the diff
    diff = diff_estimates(old, new)
    reply = Reply(
        ReplyKind.estimate,
        notes,
        estimate=new,
        previous=old,
        diff=diff,
        scenario=after,
        changes=diff.changed_fields,
    )
    return Turn(reply, new_state, changed=True)


def _new_estimate(
    scenario: Scenario, state: ConversationState, prices: PriceBook, notes: str = ""
) -> Turn:
    new_state = ConversationState(scenario=scenario)
    return Turn(
        Reply(ReplyKind.estimate, notes, estimate=estimate(scenario, prices), scenario=scenario),
        new_state,
        changed=True,
    )


def _asked_again(
    question: Question, parsed: Parsed, state: ConversationState, prices: PriceBook
) -> Turn:
    """A comparison or a break-even asked again with a follow-up's change to every side; the
    question before it is kept, so "undo" steps back to it."""
    earlier = (*state.asked_before, question)[-HISTORY_LIMIT:]
    try:
        if question.breakeven is not None:
            scenario = follow_up(question.breakeven, parsed)
            if scenario == question.breakeven:
                return Turn(Reply(ReplyKind.info, _UNCHANGED), state)
            changed = Question(breakeven=scenario, other_model=question.other_model)
            return _asked(changed, prices, earlier)
        options = tuple((label, follow_up(s, parsed)) for label, s in question.options)
        if options == question.options:
            return Turn(Reply(ReplyKind.info, _UNCHANGED), state)
        scenarios = [s for _, s in options]
        if any(s in scenarios[:i] for i, s in enumerate(scenarios)):
            return Turn(Reply(ReplyKind.error, _SAME_OPTIONS), state)
        return _asked(Question(options=options), prices, earlier)
    except (InputError, SelfHostingError) as exc:
        return Turn(Reply(ReplyKind.error, str(exc)), state)


def _asked(
    question: Question, prices: PriceBook, asked_before: tuple[Question, ...], step: str = ""
) -> Turn:
    """`question` answered, as the thread's current question with `asked_before` behind it;
    `step` says how the thread got back to it (undo, reset)."""
    if question.breakeven is not None:
        asked = _breakeven_turn(question.breakeven, question.other_model, prices)
    else:
        asked = _comparison_turn(question.options, prices)
    state = asked.state.model_copy(update={"asked_before": asked_before})
    return Turn(replace(asked.reply, step=step), state, changed=True)


_UNCHANGED = "That is already what this compares: nothing changed."
_SAME_OPTIONS = (
    "That would make the options the same. To compare others, start a new comparison, "
    "e.g. “/aicost compare gpt-4o vs claude-haiku-4-5 for 50k users”."
)


def _comparison_turn(options: tuple[tuple[str, Scenario], ...], prices: PriceBook) -> Turn:
    comparison = compare(options, prices)
    question = Question(options=options)
    reply = Reply(
        ReplyKind.comparison,
        comparison_sentence(comparison),
        comparison=comparison,
        question=question,
    )
    return Turn(reply, ConversationState(question=question), changed=True)


def _breakeven_turn(scenario: Scenario, other_model: str | None, prices: PriceBook) -> Turn:
    result = break_even(scenario, prices, other_model)
    question = Question(breakeven=scenario, other_model=other_model)
    reply = Reply(
        ReplyKind.breakeven,
        breakeven_sentence(result),
        breakeven=result,
        scenario=scenario,
        question=question,
    )
    return Turn(reply, ConversationState(question=question), changed=True)


def _question(
    text: str, current: Scenario | None, state: ConversationState, prices: PriceBook
) -> Turn | None:
    """A comparison or a break-even question, answered without moving the conversation; None
    when the text is neither."""
    try:
        if is_compare(text):
            asked = _comparison_turn(tuple(compare_options(text, current)), prices)
            return Turn(asked.reply, state)  # the conversation stays where it was
        rest = breakeven_question(text)
        if rest is None:
            return None
        scenario, other_model = breakeven_sides(rest, current)
        return Turn(_breakeven_turn(scenario, other_model, prices).reply, state)
    except (InputError, SelfHostingError) as exc:  # SelfHostingError: the other side cannot run
        return Turn(Reply(ReplyKind.error, str(exc)), state)
