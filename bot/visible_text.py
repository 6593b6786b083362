"""What people type, without the characters they cannot see: control characters (ESC starts a
terminal escape sequence) and invisible format characters (zero-width, bidirectional
overrides, Unicode tags that hide text from a reader but not from a model). Applied where text
comes in (a Slack job, the command line, `aicost chat`), so nothing echoes them back."""

from __future__ import annotations

import unicodedata

# Kept: line breaks and tabs are layout, not hidden content.
_KEPT = frozenset("\n\t")
# Cc: C0 and C1 controls (ESC, BEL, CSI ...); Cf: format characters (U+200B-U+200F, U+202A-U+202E,
# U+2066-U+2069, tags U+E0000-U+E007F ...); Cs: lone surrogates, which cannot be encoded.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})


def visible(text: str) -> str:
    """`text` without control and invisible format characters (line breaks and tabs kept)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without looking at each character
    return "".join(ch for ch in text if ch in _KEPT or unicodedata.category(ch) not in _INVISIBLE)
