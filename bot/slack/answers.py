"""A turn of the conversation worded for Slack: the advisor's reply turned into the messages to
post, the state to save and the line for the channel's history.

This is the part of an answer that costs CPU (an estimate and its five messages take about a
millisecond), so it is kept pure, and everything in and out of these functions pickles: the bot
runs them in a worker process (bot/slack/workers.py) while its event loop acknowledges requests and
talks to Slack and Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot import advisor
from bot.advisor import ConversationState, Reply, ReplyKind, Turn
from bot.slack import blocks
from bot.slack.ids import Action
from estimator.estimate import Estimate
from estimator.money import shown_in
from estimator.overrides import PriceOverrides
from estimator.prices import applied
from estimator.savings import cheaper_model
from estimator.scenario import Scenario
from estimator.whatif import ScenarioChange


@dataclass(frozen=True)
class Answer:
    kind: ReplyKind
    state: ConversationState
    changed: bool = False  # `state` differs from what came in and should be saved
    text: str = ""  # the advisor's sentence for hints, errors and notes
    scenario: Scenario | None = None  # the form's prefill
    # A new estimate: the estimate, then its thread tips. An answer in a thread: one message.
    messages: tuple[blocks.Message, ...] = ()
    summary: dict[str, Any] | None = None  # a new estimate's line in the channel's history


# --- entry points (run in a worker) -------------------------------------------------------------


def request(text: str, overrides: PriceOverrides | None = None) -> Answer:
    """`/aicost <text>`: a new estimate with its tips, or a command for the caller to carry out.
    `overrides`: the workspace's saved prices, applied to everything estimated and shown."""
    with _priced(overrides):
        return _new_thread(advisor.request(text, ConversationState()))


def from_form(scenario: Scenario, overrides: PriceOverrides | None = None) -> Answer:
    """A submitted form: a new estimate with its tips."""
    with _priced(overrides):
        return _new_thread(advisor.from_scenario(scenario, ConversationState()))


def follow_up(
    text: str, state: ConversationState, overrides: PriceOverrides | None = None
) -> Answer:
    """A reply in an estimate's thread or an @mention: one message in the thread."""
    with _priced(overrides):
        return _in_thread(advisor.follow_up_text(text, state))


def button(
    action: Action, state: ConversationState, overrides: PriceOverrides | None = None
) -> Answer:
    """A button under an estimate, acting on its scenario: one message in the thread."""
    assert state.scenario is not None
    with _priced(overrides):
        change = _button_change(action, state.scenario)
        if change is None:
            return _in_thread(Turn(Reply(ReplyKind.info, _already(action)), state))
        return _in_thread(advisor.apply(change, state))


@contextmanager
def _priced(overrides: PriceOverrides | None) -> Iterator[None]:
    """Estimates priced with `overrides`, amounts shown in their currency at their rate."""
    currency = overrides.currency if overrides is not None else None
    with (
        applied(overrides),
        shown_in(currency.code.value if currency else None, currency.per_usd if currency else 1),
    ):
        yield


def warm_up() -> None:
    """One full answer, so price tables and imports are loaded before the first user waits."""
    request("10000 users startup")


# --- wording ------------------------------------------------------------------------------------


def _new_thread(turn: Turn) -> Answer:
    reply = turn.reply
    messages: tuple[blocks.Message, ...] = ()
    summary = None
    if reply.kind is ReplyKind.estimate and reply.estimate is not None:
        e = reply.estimate
        messages = (blocks.estimate_message(e), *blocks.thread_tips(e))
        summary = _summary(e)
    return Answer(
        reply.kind, turn.state, turn.changed, reply.text, reply.scenario, messages, summary
    )


def _in_thread(turn: Turn) -> Answer:
    reply = turn.reply
    return Answer(
        reply.kind, turn.state, turn.changed, reply.text, reply.scenario, (_render(reply),)
    )


def _render(reply: Reply) -> blocks.Message:
    if reply.kind is ReplyKind.estimate:
        return blocks.follow_up_message(reply)
    if reply.kind is ReplyKind.help:
        return blocks.help_message()
    if reply.kind is ReplyKind.hint:
        return blocks.hint_message(reply.text)
    if reply.kind is ReplyKind.error:
        return blocks.error_message(reply.text)
    if reply.kind is ReplyKind.form:
        return blocks.info_message("Use “Edit in form” on the estimate, or /aicost form.")
    if reply.kind is ReplyKind.forget:
        return blocks.info_message("To delete what I remember of this channel, use /aicost forget.")
    return blocks.info_message(reply.text)


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


def _button_change(action: Action, s: Scenario) -> ScenarioChange | None:
    if action is Action.what_if_10x:
        return ScenarioChange(scale_users=10)
    if action is Action.apply_caching:
        for target in (0.4, 0.6):
            if s.cache_hit_rate < target:
                return ScenarioChange(set={"cache_hit_rate": target})
        return None
    if action is Action.cheaper_model:
        return cheaper_model(s).change
    return None


def _already(action: Action) -> str:
    if action is Action.apply_caching:
        return "Caching is already at the top of the 40-60% hit-rate band FAQ-heavy bots reach."
    return "This is already the cheapest of the models I compare for your traffic."
