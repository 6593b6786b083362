"""One Slack message as it travels to Slack: a fallback text with its blocks, or their JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True, eq=False)
class Message:
    """One Slack message: `text` is the notification fallback, `blocks` what Slack shows."""

    text: str
    blocks: list[dict]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.text, self.blocks) == (other.text, other.blocks)

    @property
    def encoded(self) -> bytes | None:
        """The blocks as the JSON a worker made of them; None for a message made here."""
        return None

    def has_buttons(self) -> bool:
        return any(block.get("type") == "actions" for block in self.blocks)

    def __reduce__(self) -> tuple[Any, ...]:
        # Out of a worker as the JSON it will be posted as: orjson writes it faster than pickle, and
        # the event loop unpickles bytes instead of a few hundred dicts ("Performance idioms").
        return (EncodedMessage, (self.text, orjson.dumps(self.blocks)))


class EncodedMessage(Message):
    """A message as a worker sent it: its blocks stay JSON, posted as they are
    (bot/slack/web_session.py), and are decoded only if something reads them."""

    def __init__(self, text: str, encoded: bytes) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "_encoded", encoded)
        object.__setattr__(self, "_blocks", None)

    @property
    def blocks(self) -> list[dict]:  # type: ignore[override]
        if self._blocks is None:
            object.__setattr__(self, "_blocks", orjson.loads(self._encoded))
        return self._blocks

    @property
    def encoded(self) -> bytes | None:
        return self._encoded

    def has_buttons(self) -> bool:
        # orjson writes no spaces, and a quote inside a text is escaped: an actions block is
        # always this sequence, so its absence is certain without decoding.
        return b'"type":"actions"' in self._encoded and super().has_buttons()

    def __reduce__(self) -> tuple[Any, ...]:
        return (EncodedMessage, (self.text, self._encoded))


def message_json(message: Message) -> str:
    """`[text, blocks]` as JSON, to keep a message with a job (its step ledger): a worker's
    message is written with the JSON its blocks came in, never decoded and encoded again here."""
    encoded = message.encoded
    blocks = orjson.Fragment(encoded) if encoded is not None else message.blocks
    return orjson.dumps([message.text, blocks]).decode()
