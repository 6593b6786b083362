"""A workspace's settings as stored: its prices over the bundled ones and who may change them.

Stored per workspace through the conversation store (`aicost:{team}:settings` in Redis, kept for
years), read on every Home tab and settings modal. An unreadable record reads as the defaults
(and the log says so) rather than failing a Home tab.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from estimator import (
    PriceOverrides,
)

log = logging.getLogger(__name__)

MAX_EDITORS = 50  # people admins allow to change settings, besides admins and owners
ORIGIN = "workspace settings"  # how estimates name where an overridden price came from
# Which settings estimates use, said on Home and in the modal.
APPLIED_NOTE = (
    "Every estimate made in this workspace applies these settings (slash command, form, buttons, "
    "thread replies, comparisons) and lists them under its assumptions. Past estimates keep the "
    "currency and rate of their day."
)


class WorkspaceSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    overrides: PriceOverrides = PriceOverrides(origin=ORIGIN)
    editors: tuple[str, ...] = Field(default=(), max_length=MAX_EDITORS)
    updated_by: str | None = None
    updated_at: int | None = None  # unix seconds

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> WorkspaceSettings:
        if data is None:
            return cls()
        try:
            return cls.model_validate(data)
        except ValidationError:
            # Usually a schema change since it was saved: show the defaults, keep the record.
            log.warning("ignoring unreadable workspace settings")
            return cls()
