"""Parts of an answer that may fail without taking the answer with them.

An estimate is the answer; its break-even tip, curve, chart or thread tips are extras. An extra
that fails is left out and replaced by one sentence saying why, so a person never meets a
traceback or silence. The detail goes to the log at INFO: the bot's log keeps it, and a terminal
(whose logging is not configured) shows only the sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def _why(exc: BaseException) -> str:
    """Our own errors (ValueError and its kin: scenario, pricing, self-hosting) carry a sentence
    for people; anything else is a fault on our side, named as such without its internals."""
    if isinstance(exc, ValueError) and str(exc) and "\n" not in str(exc):
        return str(exc).rstrip(".")
    return f"it failed on our side ({type(exc).__name__}); the details are in the log"


def left_out(part: str, exc: BaseException) -> str:
    """'The break-even with self-hosting is left out: <why>.'"""
    return f"{part[:1].upper()}{part[1:]} is left out: {_why(exc)}."


def failed(exc: BaseException) -> str:
    """The one sentence when no part of an answer could be made."""
    return f"That could not be answered: {_why(exc)}."


def optional(part: str, make: Callable[[], T]) -> T | str:
    """`make()`, or the sentence saying `part` is left out and why when it raises."""
    try:
        return make()
    except Exception as exc:  # an extra must never take the answer with it
        log.info("left out %s", part, exc_info=True)
        return left_out(part, exc)


__all__ = ["failed", "left_out", "optional"]
