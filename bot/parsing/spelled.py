"""Numbers written in words as digits: "ten thousand users" -> "10000 users", "five regions" ->
"5 regions", "a hundred and fifty thousand" -> "150000"."""

from __future__ import annotations

import re

from bot.parsing.vocabulary import (
    CORPUS_WORDS,
    MULTIPLIERS,
    RECORD_WORDS,
    REGION_WORDS,
    REQUEST_WORDS,
    TOKEN_WORDS,
    USER_WORDS,
)

_UNITS = [
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SMALL = {word: n for n, word in enumerate(_UNITS)} | {w: 20 + 10 * n for n, w in enumerate(_TENS)}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SCALED = frozenset(["hundred", *_SCALES])
_WORD = "|".join([*_UNITS, *_TENS, "hundred", *_SCALES])
# A run of number words, as a whole word: never part of "one-time", "often" or "phone". It starts
# with a number below a hundred or "a"/"an" before a scale ("a hundred thousand"), never with a
# scale alone, which belongs to the digits before it ("10 thousand", "0.5 million" from "half a
# million", text.py). "And" joins only after "hundred" ("a hundred and fifty"): "ten thousand and
# fifty thousand users" is two user counts to compare, not 60,000.
RUN = re.compile(
    rf"(?<![\w.-])(?<!half )(?:an?\s+(?:hundred|thousand|million|billion)|{'|'.join(_SMALL)})\b"
    rf"(?:(?:(?<=hundred)\s+and\s+|\s+|-)(?:{_WORD})\b)*(?![\w-]|\.\d)"
)


def value_of(words: list[str]) -> int | None:
    """The number the words say, or None when they do not make one ("one two", "ten five")."""
    total = current = 0
    last = ""  # "small", "hundred" or "scale": what came before, to refuse "one two"
    for word in words:
        if word in ("a", "an"):
            current, last = 1, "small"
        elif word in _SMALL:
            n = _SMALL[word]
            # After a small number only a unit after a tens word follows ("twenty five").
            if last == "small" and not (current % 100 >= 20 and current % 10 == 0 and n < 10):
                return None
            current, last = current + n, "small"
        elif word == "hundred":
            if last == "hundred":
                return None
            current, last = (current or 1) * 100, "hundred"
        else:
            scale = _SCALES[word]
            if last == "scale" and current == 0:
                return None
            total, current, last = total + (current or 1) * scale, 0, "scale"
    return total + current


# A number below a hundred is read only before what it counts ("five regions", "one user"): alone
# it is a word ("which one", "one time", "one go"), and a bare number would be read as users.
_COUNTED = (
    USER_WORDS | REGION_WORDS | REQUEST_WORDS | TOKEN_WORDS | RECORD_WORDS | CORPUS_WORDS
) | {"dau", "daus", "daily", "monthly", "active", "input", "output", *MULTIPLIERS}
_NEXT_WORD = re.compile(r"\s*([a-z]+)")


def _digits(m: re.Match[str]) -> str:
    words = [w for w in re.split(r"[\s-]+", m.group(0)) if w != "and"]
    if not _SCALED.intersection(words):
        after = _NEXT_WORD.match(m.string, m.end())
        if after is None or after.group(1) not in _COUNTED:
            return m.group(0)
    value = value_of(words)
    return m.group(0) if value is None else str(value)


def spelled_as_digits(text: str) -> str:
    """`text` with each run of number words that makes one number written in digits."""
    return RUN.sub(_digits, text)
