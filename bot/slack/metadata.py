"""The modal's private_metadata: where the form was opened, so the estimate goes back there."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_SLACK_ID = r"^[A-Za-z0-9._-]{1,40}$"


class FormMetadata(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    channel: str = Field(pattern=_SLACK_ID)
    thread_ts: str | None = Field(default=None, pattern=_SLACK_ID)

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def load(cls, text: str) -> FormMetadata | None:
        """None when absent or tampered with (a view we did not open)."""
        try:
            return cls.model_validate_json(text or "")
        except ValidationError:
            return None
