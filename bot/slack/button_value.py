"""The value an estimate's buttons carry: whose estimate it is, plus a private estimate's key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.slack.where import Where

# A private estimate's scenario is remembered under this prefix and a random key, which its
# buttons carry as their value (a message only its reader sees has no thread in the channel).
PRIVATE_PREFIX = "private-"
# What an estimate's buttons carry: whose estimate it is ("w:T0123", "w:T0123.E0456" for a
# workspace of an organisation, "w:E0456" for an org-wide install), plus a private estimate's
# key. A click from the other side of a shared channel then acts on the same scenario, with the
# installing side's token.
_BUTTON_VALUE = re.compile(
    r"w:([A-Za-z0-9]{1,32})(?:\.([A-Za-z0-9]{1,32}))?(?::(private-[0-9a-f]{16}))?"
)


@dataclass(frozen=True)
class ButtonValue:
    owner: str  # a workspace (T…) or, org-wide, an organisation (E…)
    enterprise: str | None = None
    private_key: str | None = None

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
    match = _BUTTON_VALUE.fullmatch(value)
    return ButtonValue(match.group(1), match.group(2), match.group(3)) if match else None
