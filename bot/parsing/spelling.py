"""Misspelt words ("usres", "entreprise", "hippa", "clade") read as the word meant, out loud.

Only a word that means nothing as typed is corrected, only towards the words requests are made
of, and only when it is close (difflib ratio 0.8 or more, five letters or more); the reply says
what it was read as.
"""

from __future__ import annotations

import difflib

from bot.parsing.models import MODEL_HEADS
from bot.parsing.vocabulary import (
    ADD_WORDS,
    API_HOSTING,
    CACHE_WORDS,
    COMMANDS,
    COMPLIANCE,
    DAILY_WORDS,
    DIRECTION_WORDS,
    FILLER,
    GPUS,
    GROWTH_WORDS,
    MULTIPLIERS,
    PRECISIONS,
    PROTOTYPE_WORDS,
    RECORD_WORDS,
    REGION_WORDS,
    REMOVE_WORDS,
    REQUEST_WORDS,
    SCALE_WORDS,
    SELF_HOSTED,
    STAGES,
    TOKEN_WORDS,
    USER_WORDS,
)

# Words a typo is corrected towards: the units, stages, frameworks and model families.
_TARGETS = sorted(
    {
        *USER_WORDS, *REGION_WORDS, *RECORD_WORDS, *REQUEST_WORDS, *PROTOTYPE_WORDS,
        *TOKEN_WORDS, *STAGES, *COMPLIANCE, *CACHE_WORDS, *MODEL_HEADS, "compliance",
        "self-hosted", "prototype",
    }
    - {"mau", "maus", "poc", "mvp", "req", "reqs", "tok", "hit"}
)  # fmt: skip
_MEANINGFUL = (
    set(_TARGETS) | FILLER | ADD_WORDS | REMOVE_WORDS | SELF_HOSTED | API_HOSTING
    | set(SCALE_WORDS) | set(COMMANDS) | DIRECTION_WORDS | DAILY_WORDS | GROWTH_WORDS
    | set(MULTIPLIERS) | set(GPUS) | set(PRECISIONS)
)  # fmt: skip
_CUTOFF = 0.8
_SHORTEST = 5


def correct(tokens: list[str], notes: list[str]) -> list[str]:
    """The tokens with close misspellings replaced; each correction added to `notes`."""
    out = []
    for token in tokens:
        fixed = _corrected(token)
        if fixed is not None:
            notes.append(f"Read “{token}” as “{fixed}”.")
            token = fixed
        out.append(token)
    return out


def _corrected(token: str) -> str | None:
    if len(token) < _SHORTEST or not token.isalpha() or token in _MEANINGFUL:
        return None
    close = difflib.get_close_matches(token, _TARGETS, n=1, cutoff=_CUTOFF)
    return close[0] if close else None
