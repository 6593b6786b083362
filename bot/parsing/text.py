"""Text as typed -> tokens: Slack's escapes undone, invisible marks dropped, digits of any
script read, and multi-word phrases ("soc 2", "self hosted") joined into one word."""

from __future__ import annotations

import html
import re
import unicodedata

from bot.parsing.spelled import spelled_as_digits

MAX_TEXT = 2_000  # longer text is cut before parsing; nobody types a scenario that long

# Zero-width characters, soft hyphen, and the bidirectional marks and embeddings.
INVISIBLE = dict.fromkeys(
    [
        *(0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD, 0xFE0F),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
# "high reasoning", "reasoning: minimal", "reasoning effort low", "no reasoning": one token.
_EFFORT_FIRST = re.compile(
    r"\b(minimal|low|medium|high|no|none)\s+reasoning(?:\s+effort)?\b(?!\s+tok)"
)
_EFFORT_AFTER = re.compile(
    r"\breasoning(?:\s+effort)?\s*[:=]?\s*(minimal|low|medium|high|none|off)\b"
)
# "starting March 2027", "from jan 2027", "beginning 2027-03": the projection's first month.
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STARTING = re.compile(
    r"\b(?:starting|starts?|from|beginning|begins?)\s+(?:in\s+|on\s+)?"
    r"(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})|(\d{4})-(\d{2}))\b"
)


def _month_token(m: re.Match[str]) -> str:
    """'starts-2027-03' for 'starting March 2027' or 'from 2027-03'."""
    if m.group(1):
        return f"starts-{m.group(2)}-{_MONTHS.index(m.group(1)) + 1:02d}"
    return f"starts-{m.group(3)}-{m.group(4)}"


_SPELLED_COUNT = re.compile(r"\b(half\s+an?|an?|one)\s+(thousand|million|billion)\b")


def _spelled_count(m: re.Match[str]) -> str:
    return f"{0.5 if m.group(1).startswith('half') else 1} {m.group(2)}"


_DOLLARS_AFTER = re.compile(
    r"(?<![\w$.,])(\d[\d,]*(?:\.\d+)?(?:k|m|mm|mn|b|bn)?(?:\s+(?:thousand|million|billion))?)"
    r"\s*(?:usd|us\s+dollars?|dollars?)\b"
)

# (a word every match contains, pattern, replacement): a pattern runs only on text that holds
# its word, so most requests skip most of them.
# "10 000 users", "1 000 000 MAU", "$80 000": digits grouped by spaces (or the no-break spaces
# of French and SI style) before a count of people (vocabulary.USER_WORDS) or after "$". Only
# there: elsewhere "500 400 tokens" could as well be two numbers.
_COUNTED = r"users?|maus?|people|customers|seats|employees"
_GROUPED = (
    re.compile(rf"(?<![\w.,$])(\d{{1,3}})((?:[ \u00a0\u202f]\d{{3}})+)(?=\s+(?:{_COUNTED})\b)"),
    re.compile(r"(\$\d{1,3})((?:[ \u00a0\u202f]\d{3})+)(?![\w.,])"),
)

_MAYBE_GROUPED = re.compile(r"\d[ \u00a0\u202f]\d\d\d")


def _joined(m: re.Match[str]) -> str:
    return m.group(1) + "".join(m.group(2).split())


_NINES = {
    "3": "99.9",
    "three": "99.9",
    "4": "99.99",
    "four": "99.99",
    "5": "99.999",
    "five": "99.999",
}

PHRASES = [
    # "24/7" is round-the-clock service, never 24 input and 7 output tokens
    ("24", re.compile(r"\b24\s*(?:/|x)\s*7\b"), "round-the-clock"),
    # "four nines" (written in digits by now): the uptime of that many nines
    ("nines", re.compile(r"\b([3-5]|three|four|five)\s+nines\b"), lambda m: _NINES[m[1]]),
    ("soc", re.compile(r"\bsoc\s*2\b"), "soc2"),
    ("iso", re.compile(r"\biso\s*27001\b"), "iso27001"),
    # Type II is what aicost prices; "type i"/"type 1" is kept as a word, to be told so.
    ("type", re.compile(r"\b(soc2)\s+type\s*(?:ii|2)\b"), r"\1"),
    ("type", re.compile(r"\b(soc2)\s+type\s*(?:i|1)\b"), r"\1 soc2-type-i"),
    # "self hosted", "self host", "self-hosting": one word, as "self-hosted" is read
    ("self", re.compile(r"\bself[\s-]*host(?:ed|ing)?\b"), "self-hosted"),
    ("mid", re.compile(r"\bmid[\s-]*size(d)?\b"), "midsize"),
    ("start", re.compile(r"\bstart\s+up\b"), "startup"),
    ("start", re.compile(r"\bstart\s+over\b"), "reset"),
    ("hit", re.compile(r"\bhit\s+rate\b"), "hit-rate"),
    # "monthly active users" is what aicost's user count means; "active" alone reads as daily.
    ("active", re.compile(r"\b(?:monthly\s+)?active\s+(users?|customers|people)\b"), r"\1"),
    ("day", re.compile(r"(?:\b(?:per|a)\s*|\s*/\s*)day\b"), " /day"),
    ("month", re.compile(r"\s*/\s*month\b"), " /month"),
    ("w/", re.compile(r"\bw/\s"), "with "),
    ("=", re.compile(r"([a-z])\s*=\s*"), r"\1 = "),
    ("prompt", re.compile(r"\bprompt\s+cach(e|ing)\b"), "prompt-cache"),
    ("gemini", re.compile(r"\bgemini\s+flash\b"), "gemini-flash"),
    # "claude haiku" is the Haiku family (a version after it is read as one model name)
    ("claude", re.compile(r"\bclaude[\s-]+(opus|sonnet|haiku)\b(?![\s.-]*\d)"), r"\1"),
    ("llama", re.compile(r"\bllama\s*-?\s*70b\b"), "llama-70b"),
    ("vector", re.compile(r"\bmanaged\s+vector\s+(db|database)\b"), "managed-vector-db"),
    ("vector", re.compile(r"\bs3\s*vectors?\b"), "s3-vectors"),
    ("vector", re.compile(r"\bobject[\s-]*storage\s+vectors?\b"), "object-storage-vectors"),
    ("memory", re.compile(r"\b(in[\s-]*memory|ram)\s+(vector\s+)?index\b"), "in-memory-index"),
    ("reason", _EFFORT_FIRST, r"reasoning-\1"),
    ("reason", _EFFORT_AFTER, r"reasoning-\1"),
    ("start", _STARTING, _month_token),
    ("from", _STARTING, _month_token),
    ("begin", _STARTING, _month_token),
    # "a million users", "half a million": the count spelled with its multiplier alone
    ("illion", _SPELLED_COUNT, _spelled_count),
    ("thousand", _SPELLED_COUNT, _spelled_count),
    ("/", re.compile(r"(\d)\s*/\s*(\d)"), r"\1/\2"),
    # "50k dollars", "2 million dollar prototype", "usd 80k": the amount in dollars, as "$80k" is
    ("dollar", _DOLLARS_AFTER, r"$\1"),
    ("usd", _DOLLARS_AFTER, r"$\1"),
    ("usd", re.compile(r"\busd\s*(\d)"), r"$\1"),
    ("$", re.compile(r"\$\s+(\d)"), r"$\1"),
]


_DIGIT_DOT = re.compile(r"\d\.$")


# Slack writes an emoji as its shortcode (":rocket:", ":+1:", ":flag-us:").
_EMOJI_CODE = re.compile(r"(?<![\w:]):[a-z0-9_+'-]+:(?![\w:])")


def plain(text: str) -> str:
    """Lower-case text as typed: Slack's HTML escapes undone, invisible marks and emoji dropped,
    digits of any script turned into 0-9; words and phrases left as they were (a comparison's
    labels)."""
    text = html.unescape(text[:MAX_TEXT])
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE).lower()
    if not text.isascii():
        text = "".join(_ascii_char(ch) for ch in text)
    if ":" in text:
        text = _EMOJI_CODE.sub(" ", text)
    return text


def normalize(text: str) -> str:
    """`plain` text with numbers in words written in digits and a few multi-word phrases
    joined."""
    text = spelled_as_digits(plain(text))  # "ten thousand users", "five regions"
    if _MAYBE_GROUPED.search(text):  # one quick scan; most texts have no spaced digits
        for grouped in _GROUPED:
            text = grouped.sub(_joined, text)
    for word, pattern, replacement in PHRASES:
        if word in text:
            text = pattern.sub(replacement, text)
    return text


def _ascii_char(ch: str) -> str:
    """A digit of any script as 0-9; an emoji (a symbol, "So") as a space: it says nothing about
    the scenario ("10k users 🚀")."""
    if ch.isascii():
        return ch
    if ch.isdigit():
        try:
            return str(unicodedata.decimal(ch))
        except ValueError:
            return ch
    return " " if unicodedata.category(ch) == "So" else ch


def tokenize(text: str) -> list[str]:
    tokens = []
    for raw in normalize(text).split():
        token = raw.strip("?!,;:()[]{}\"'`*_~")
        if len(token) > 1 and token[-1] == "+" and token[-2].isalnum():
            token = token[:-1]  # "10k+ users": at least 10k
        if token.endswith(".") and not _DIGIT_DOT.search(token[:-1] + "x"):
            token = token.rstrip(".")
        if token:
            tokens.append(token)
    return tokens
