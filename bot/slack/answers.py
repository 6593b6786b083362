"""A turn of the conversation worded for Slack: the advisor's reply turned into the messages to
post, the state to save and the line for the channel's history.

This is the part of an answer that costs CPU (an estimate and its five messages take about a
millisecond), so it is kept pure, and everything in and out of these functions pickles: the bot
runs them in a worker process (bot/slack/workers.py) while its event loop acknowledges requests and
talks to Slack and Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import advisor
from bot.advisor import ConversationState, Reply, ReplyKind, Turn
from bot.breakeven_tip import PART as BREAKEVEN_PART
from bot.export import estimate_csv, estimate_json
from bot.fail_soft import failed, optional
from bot.slack.headline import Headline, headline_of
from bot.slack.ids import Action
from bot.slack.message import Message
from bot.slack.messages.breakeven import breakeven_message
from bot.slack.messages.comparison import comparison_message
from bot.slack.messages.estimate import estimate_message
from bot.slack.messages.follow_up import follow_up_message
from bot.slack.messages.replies import error_message, help_message, hint_message, info_message
from bot.slack.messages.tips import thread_tips
from bot.slack.page_view import PageParts, estimate_page
from estimator import (
    Amount,
    BreakEven,
    Crossing,
    Estimate,
    PriceBook,
    PriceOverrides,
    Scenario,
    ScenarioChange,
    estimate,
    find_crossing,
    first_year_difference,
    pair_at,
    price_book,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    kind: ReplyKind
    state: ConversationState
    changed: bool = False  # `state` differs from what came in and should be saved
    text: str = ""  # the advisor's sentence for hints, errors and notes
    scenario: Scenario | None = None  # the form's prefill
    # A new estimate: the estimate, then its thread tips. An answer in a thread: one message.
    messages: tuple[Message, ...] = ()
    summary: dict[str, Any] | None = None  # a new estimate's line in the channel's history
    # A comparison: its (label, scenario) options, for the chart drawn after it is posted.
    options: tuple[tuple[str, Scenario], ...] = ()


# --- entry points (run in a worker) -------------------------------------------------------------


def request(text: str, overrides: PriceOverrides | None = None) -> Answer:
    """`/aicost <text>`: a new estimate with its tips, or a command for the caller to carry out.
    `overrides`: the workspace's saved prices, applied to everything estimated and shown."""
    return _answered(
        lambda prices: _new_thread(advisor.request(text, ConversationState(), prices)),
        overrides,
        ConversationState(),
    )


def from_form(scenario: Scenario, overrides: PriceOverrides | None = None) -> Answer:
    """A submitted form: a new estimate with its tips."""
    return _answered(
        lambda prices: _new_thread(advisor.from_scenario(scenario, ConversationState(), prices)),
        overrides,
        ConversationState(),
    )


def follow_up(
    text: str, state: ConversationState, overrides: PriceOverrides | None = None
) -> Answer:
    """A reply in an estimate's thread or an @mention: one message in the thread."""
    return _answered(
        lambda prices: _in_thread(advisor.follow_up_text(text, state, prices)), overrides, state
    )


def button(
    action: Action, state: ConversationState, overrides: PriceOverrides | None = None
) -> Answer:
    """A button under an estimate, acting on its scenario: one message in the thread."""
    assert state.scenario is not None
    scenario = state.scenario

    def worded(prices: PriceBook) -> Answer:
        if action is Action.cheaper_model:  # the same as typing "cheaper model" (advisor)
            return _in_thread(advisor.try_cheaper_model(state, prices))
        change = _button_change(action, scenario, prices)
        if change is None:
            return _in_thread(Turn(Reply(ReplyKind.info, _already(action)), state))
        return _in_thread(advisor.apply(change, state, prices))

    return _answered(worded, overrides, state)


def _answered(
    worded: Callable[[PriceBook], Answer],
    overrides: PriceOverrides | None,
    state: ConversationState,
) -> Answer:
    """`worded(prices)` (its estimates carry the prices' currency); when it raises, one sentence
    saying so and `state` as it was (the traceback goes to the log): never silence."""
    try:
        prices = price_book(overrides)
        return worded(prices)
    except Exception as exc:
        log.warning("could not word an answer", exc_info=True)
        text = failed(exc)
        return Answer(ReplyKind.error, state, text=text, messages=(error_message(text),))


def export(scenario: Scenario, overrides: PriceOverrides | None = None) -> tuple[str, str]:
    """The scenario's estimate as (CSV, JSON): the files the Export button uploads, priced with
    the workspace's prices like its messages."""
    prices = price_book(overrides)
    e = estimate(scenario, prices)
    # The JSON carries the break-even the hosting tip shows (from the same remembered search).
    tip = optional(BREAKEVEN_PART, lambda: _breakeven(e))
    return estimate_csv(e), estimate_json(e, tip)


def page(scenario: Scenario, overrides: PriceOverrides | None, parts: PageParts) -> str:
    """A shared estimate's web page (bot/slack/page_routes.py), priced and worded like its
    Slack message."""
    prices = price_book(overrides)
    return estimate_page(estimate(scenario, prices), parts)


def headline(scenario: Scenario, overrides: PriceOverrides | None) -> Headline:
    """A shared estimate's figures for its Work Object card and flexpane (bot/slack/unfurls.py)."""
    prices = price_book(overrides)
    return headline_of(estimate(scenario, prices))


def priced(reading: ConversationState | Scenario) -> bool:
    """Whether a state or scenario, read back without its models' prices (READ_BACK: the store,
    a button's value), validates with them: one whose model is no longer priced, or no longer
    fits its context window, then reads as absent, as it did when read with them."""
    try:
        type(reading).model_validate_json(reading.model_dump_json())
    except ValueError:  # ValidationError (PricingError, a window too small, ...)
        return False
    return True


def warm_up() -> None:
    """One full answer, so price tables and imports are loaded before the first user waits."""
    request("10000 users startup")


# --- wording ------------------------------------------------------------------------------------


def _new_thread(turn: Turn) -> Answer:
    reply = turn.reply
    messages: tuple[Message, ...] = ()
    summary = None
    if reply.kind is ReplyKind.estimate and reply.estimate is not None:
        e = reply.estimate
        tips = thread_tips(e, optional(BREAKEVEN_PART, lambda: _breakeven(e)))
        messages = (estimate_message(e, reply.text), *tips)
        summary = _summary(e)
    state, changed = turn.state, turn.changed
    if reply.kind in (ReplyKind.comparison, ReplyKind.breakeven):
        messages = (_render(reply),)
        if reply.question is not None:  # its thread asks it again with a reply's change
            state, changed = ConversationState(question=reply.question), True
    return Answer(
        reply.kind,
        state,
        changed,
        reply.text,
        reply.scenario,
        messages,
        summary,
        _options(reply),
    )


def _in_thread(turn: Turn) -> Answer:
    reply = turn.reply
    return Answer(
        reply.kind,
        turn.state,
        turn.changed,
        reply.text,
        reply.scenario,
        (_render(reply),),
        options=_options(reply),
    )


def _options(reply: Reply) -> tuple[tuple[str, Scenario], ...]:
    if reply.comparison is None:
        return ()
    return tuple((o.label, o.estimate.scenario) for o in reply.comparison.options)


def _render(reply: Reply) -> Message:
    if reply.kind is ReplyKind.estimate:
        return follow_up_message(reply)
    if reply.kind is ReplyKind.help:
        return help_message()
    if reply.kind is ReplyKind.hint:
        return hint_message(reply.text)
    if reply.kind is ReplyKind.error:
        return error_message(reply.text)
    if reply.kind is ReplyKind.form:
        return info_message("Use “Edit in form” on the estimate, or /aicost form.")
    if reply.kind is ReplyKind.forget:
        return info_message("To delete what I remember of this channel, use /aicost forget.")
    if reply.kind is ReplyKind.comparison and reply.comparison is not None:
        return comparison_message(reply.comparison, reply.step)
    if reply.kind is ReplyKind.breakeven and reply.breakeven is not None:
        return breakeven_message(reply.breakeven, reply.step)
    if reply.kind in (ReplyKind.chart, ReplyKind.export) and reply.scenario is None:
        return info_message(reply.text)  # no estimate here: the sentence says what to type
    if reply.kind is ReplyKind.chart:
        return info_message("Drawing the chart of this estimate: it follows in a moment.")
    if reply.kind is ReplyKind.export:
        return info_message("Exporting this estimate as CSV and JSON: the files follow.")
    return info_message(reply.text)


def _breakeven(e: Estimate) -> BreakEven:
    """The break-even for the hosting tip. Its search (about 70 run-rates) does not depend on
    the user count, so it is remembered per scenario without it, and without the stored records
    when they follow the users (both sides store the same records: the crossing does not move);
    only the first-year difference at this scale is computed each time."""
    s, overrides = e.scenario, e.overrides
    scale = {"users"} if "stored_records" in s.given else {"users", "stored_records"}
    crossing = _crossing(
        s.model_dump_json(exclude=scale),
        overrides.model_dump_json() if overrides is not None else None,
    )
    self_hosted, api = pair_at(crossing, s)  # the crossing's sides, at this scale
    # Totals alone: the tip reads no phase, strategy or lever of either side.
    difference = first_year_difference(_first_year(e, self_hosted), _first_year(e, api))
    return BreakEven(
        scenario=s,
        self_hosted=self_hosted,
        api=api,
        users=crossing.users,
        always_cheaper=crossing.always_cheaper,
        first_year_difference=difference,
        prices=e.prices,
        pairing=crossing.pairing,
    )


def _first_year(e: Estimate, side: Scenario) -> Amount:
    """One side's first year: the scenario's own side is the estimate already made, the other
    is priced from its parts."""
    if side is e.scenario:
        return e.totals_of_every_line().first_year
    return e.totals_hosted_otherwise(side).first_year


@lru_cache(maxsize=256)
def _crossing(scenario_without_users: str, overrides: str | None) -> Crossing:
    """Keyed by the workspace's prices too: they move where the lines cross."""
    # Users (and records, unless given) are the stage's defaults.
    s = Scenario.model_validate_json(scenario_without_users)
    own = PriceOverrides.model_validate_json(overrides) if overrides else None
    return find_crossing(s, price_book(own))


def _summary(e: Estimate) -> dict[str, Any]:
    """The history line. Amounts stay in USD with the currency and the rate of the day beside
    them, so a later change of rate does not rewrite what this estimate said."""
    s = e.scenario
    currency = e.overrides.currency if e.overrides is not None else None
    return {
        "users": s.users,
        "stage": s.stage.value,
        "model": s.model,
        "monthly": e.totals.monthly.to_dict(),
        "first_year": e.totals.first_year.to_dict(),
        "currency": {
            "code": currency.code.value if currency else "USD",
            "per_usd": currency.per_usd if currency else 1.0,
            "set_on": currency.set_on.isoformat() if currency and currency.set_on else None,
        },
    }


def _button_change(action: Action, s: Scenario, prices: PriceBook) -> ScenarioChange | None:
    if action is Action.what_if_10x:
        return ScenarioChange(scale_users=10)
    if action is Action.apply_caching:
        for target in (0.4, 0.6):
            if s.cache_hit_rate < target:
                return ScenarioChange(set={"cache_hit_rate": target})
        return None
    return None


def _already(action: Action) -> str:
    # Only caching can be at its top already (the cheaper model's answer is the advisor's).
    return "Caching is already at the top of the 40-60% hit-rate band FAQ-heavy bots reach."
