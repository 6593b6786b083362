"""The question a comparison's or break-even's message carries in its Slack message metadata, so
its thread can be rebuilt from Slack when the store lost it (bot/slack/thread_record.py).

An estimate's buttons carry its scenario; a comparison or break-even has no buttons, so its
message carries whose it is and its question's scenarios (and the model named for a break-even's
other side) as metadata: IDs and numbers only. A comparison's option names are what someone
typed ("my gpt-4o"), so they stay out of it: read back they are the names the message's own
table shows, else the options' model IDs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from bot.advisor import Question
from bot.slack.button_value import ButtonValue, button_value, read_button_value
from bot.slack.limits import QUESTION_METADATA
from bot.slack.messages.comparison import CHEAPEST_MARK
from bot.slack.where import Where
from estimator import Scenario

log = logging.getLogger(__name__)

QUESTION_EVENT = "aicost_question"  # message metadata event type of a question's message


def question_metadata(where: Where, question: Question | None) -> dict[str, Any] | None:
    """Metadata for a question's message posted at `where`; None for none, or one past the room."""
    owner = button_value(replace(where, private=False))  # in the channel: no private key
    if question is None or owner is None:
        return None
    sides: dict[str, Any] = {}
    if question.breakeven is not None:
        sides["breakeven"] = _scenario(question.breakeven)
        if question.other_model:
            sides["other_model"] = question.other_model
    else:
        sides["options"] = [_scenario(s) for _, s in question.options]
    carried = json.dumps(sides, separators=(",", ":"))
    if len(carried) > QUESTION_METADATA:
        log.info("a question of %d characters is posted without its metadata", len(carried))
        return None
    return {"event_type": QUESTION_EVENT, "event_payload": {"owner": owner, "question": carried}}


def with_step(own: dict[str, Any] | None, step: dict[str, Any]) -> dict[str, Any]:
    """A queued job's step metadata (bot/slack/step_ledger.py) with a question's added: one
    message has one metadata, and the ledger reads only its payload's job and step."""
    if own is None:
        return step
    return {**own, "event_payload": {**own["event_payload"], **step["event_payload"]}}


def question_in(message: dict[str, Any]) -> tuple[ButtonValue, Question] | None:
    """Whose question a bot message asked and the question; None for any other message (or
    metadata that does not read as one: a forged or older message counts as none)."""
    metadata = message.get("metadata") or {}
    if not message.get("bot_id") or metadata.get("event_type") != QUESTION_EVENT:
        return None
    payload = metadata.get("event_payload") or {}
    owner = read_button_value(str(payload.get("owner") or ""))
    try:
        sides = json.loads(str(payload.get("question") or ""))
        if "breakeven" in sides:
            other = sides.get("other_model")
            question = Question(
                breakeven=Scenario.model_validate(sides["breakeven"]),
                other_model=str(other) if other else None,
            )
        else:
            scenarios = [Scenario.model_validate(s) for s in sides["options"]]
            names = _names(message, len(scenarios)) or [str(s.model) for s in scenarios]
            question = Question(options=tuple(zip(names, scenarios, strict=True)))
    except (ValueError, TypeError, KeyError, ValidationError) as exc:
        log.info("a question's metadata did not read back: %s", type(exc).__name__)
        return None
    return (owner, question) if owner is not None else None


def _scenario(scenario: Scenario) -> dict[str, Any]:
    return json.loads(scenario.model_dump_json(exclude_defaults=True))


def _names(message: dict[str, Any], count: int) -> list[str] | None:
    """The option names the message's table shows (its first column under the header row)."""
    for block in message.get("blocks") or []:
        if block.get("type") not in ("data_table", "table"):
            continue
        rows = block.get("rows") or []
        names = [str((row or [{}])[0].get("text") or "") for row in rows[1:]]
        names = [n.removesuffix(CHEAPEST_MARK) for n in names]
        if len(names) == count and all(names):
            return names
    return None
