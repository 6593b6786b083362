"""The value an estimate's buttons carry: whose estimate it is, plus a private estimate's key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.advisor import ConversationState
from bot.slack.limits import BUTTON_VALUE
from bot.slack.where import Where
from estimator import READ_BACK, Scenario

# A private estimate's scenario is remembered under this prefix and a random key, which its
# buttons carry as their value (a message only its reader sees has no thread in the channel).
PRIVATE_PREFIX = "private-"
# What an estimate's buttons carry: whose estimate it is ("w:T0123", "w:T0123.E0456" for a
# workspace of an organisation, "w:E0456" for an org-wide install), plus a private estimate's
# key. A click from the other side of a shared channel then acts on the same scenario, with the
# installing side's token.
# After the owner, the scenario of the message the button is on (compact JSON).
SCENARIO_SEPARATOR = "|"
# Room left for the owner ("w:T….E…:private-…", under 100 characters) within Slack's limit.
_SCENARIO_ROOM = BUTTON_VALUE - 100
_BUTTON_VALUE = re.compile(
    r"w:([A-Za-z0-9]{1,32})(?:\.([A-Za-z0-9]{1,32}))?(?::(private-[0-9a-f]{16}))?"
)


@dataclass(frozen=True)
class ButtonValue:
    owner: str  # a workspace (T…) or, org-wide, an organisation (E…)
    enterprise: str | None = None
    private_key: str | None = None
    scenario: str | None = None  # the scenario of the message the button is on, as JSON

    @property
    def org_wide(self) -> bool:
        return self.owner.startswith("E")


def button_value(where: Where) -> str | None:
    if not where.team:
        return None
    value = f"w:{where.team}"
    if where.enterprise and where.enterprise != where.team:
        value += f".{where.enterprise}"
    if where.private and where.thread_ts:
        value += f":{where.thread_ts}"
    return value


def read_button_value(value: str) -> ButtonValue | None:
    """What an estimate's button carries; None for buttons posted before owners were stamped."""
    owner, _, scenario = value.partition(SCENARIO_SEPARATOR)
    match = _BUTTON_VALUE.fullmatch(owner)
    if not match:
        return None
    return ButtonValue(match.group(1), match.group(2), match.group(3), scenario or None)


def scenario_value(scenario: Scenario) -> str | None:
    """The scenario as a button carries it; None when it would not fit Slack's limit."""
    value = scenario.model_dump_json(exclude_defaults=True)
    return value if len(value) <= _SCENARIO_ROOM else None


def scenario_of(value: str) -> Scenario | None:
    """The scenario a button carried; None for none, or one that is not a valid scenario (a
    forged value gets no further than a typed request would). Its model is looked up in the
    price tables where they are read (StoreAccess.priced), not here."""
    if not value:
        return None
    try:
        return Scenario.model_validate_json(value, context=READ_BACK)
    except ValueError:
        return None


def on_button(state: ConversationState | None, own: Scenario | None) -> ConversationState | None:
    """The thread's state with the clicked message's own scenario current; undo then goes back
    to where the thread was. Buttons posted before they carried a scenario act on the thread's."""
    if own is None or (state is not None and state.scenario == own):
        return state
    return (state or ConversationState()).moved_to(own)
