"""Numbers and the unit words around them: "10k users", "$80k prototype", "cache 40%",
"1000/300 tokens"; and one number typed on its own in a form field."""

from __future__ import annotations

import math
import re

from bot.parsing.reading import Reading, consume, near
from bot.parsing.text import normalize
from bot.parsing.vocabulary import (
    CACHE_WORDS,
    CORPUS_WORDS,
    DAILY_WORDS,
    DIRECTION_WORDS,
    GROWTH_WORDS,
    IN_OUT,
    INPUT_WORDS,
    MULTIPLIERS,
    NUMBER,
    PROTOTYPE_WORDS,
    RECORD_WORDS,
    REGION_WORDS,
    REQUEST_WORDS,
    TOKEN_WORDS,
    UPTIMES,
    USER_WORDS,
)
from estimator import own_model, percent

_TWO_USER_COUNTS = (
    "Which user count: {0:,} or {1:,}? Send one, or compare them: “compare {0:,} and {1:,} users”."
)
_UPTIME_OFFERED = "Uptime target must be one of 99.5, 99.9 or 99.99 (%); {0} is not offered."
_TOO_LARGE = (
    "“{0}” is larger than any figure aicost takes (a trillion at most); send a smaller number."
)
_UNIT_WORDS = (
    USER_WORDS | PROTOTYPE_WORDS | REGION_WORDS | RECORD_WORDS | REQUEST_WORDS | TOKEN_WORDS
) | CORPUS_WORDS
# Made once, not on each number read: a set built in a function is built on every call.
_OWN_UNIT_WORDS = _UNIT_WORDS - PROTOTYPE_WORDS
_PER_DAY = {"/day", "daily"}
_PROMPT_CACHE = {"prompt-cache"}
_SIZE_WORDS = {"model", "models", "params", "parameters", "parameter", "llm"}
_OWN_MODEL = (
    "A model of your own ({0}) is sized from 0.1 to 2,000 billion parameters: give its size, "
    "e.g. “our 34b model”, or name the open model closest to it, e.g. “self-hosted qwen3 32b”."
)
# "10k-20k", "10-20k" (the multiplier of both), ">10k", "10k+": a range priced at one end, said.
_RANGE = re.compile(
    r"^(?P<low>[0-9][0-9,.]*)(?P<low_mult>k|m|mm|mn|b|bn)?[-–]"
    r"(?P<high>[0-9][0-9,.]*)(?P<mult>k|m|mm|mn|b|bn)?$"
)
_AT_LEAST = re.compile(r"^(?:>=?|≥)(?P<n>[0-9][0-9,.]*(?:k|m|mm|mn|b|bn)?)$|^(?P<m>[0-9].*)\+$")
_RANGE_NOTE = "Read “{0}” as {1}, the top of the range, so the estimate covers it"
_BOTH_ENDS = "; for both ends, send “compare {0} and {1} users”"
_AT_LEAST_NOTE = "Read “{0}” as {1}, the least it says; send a larger figure to price more."
# The words before a number that make it a bound ("at least 10k users", "less than 5k users"):
# the figure is priced, and said to be the least (True) or the most it says.
_BOUNDS = (
    (True, ((">",), (">=",), ("≥",), ("at", "least"), ("more", "than"))),
    (False, (("<",), ("<=",), ("≤",), ("at", "most"), ("less", "than"), ("fewer", "than"))),
)
# The last word of each, so a number with none of them before it is passed over at once.
_BOUND_LAST = frozenset(phrase[-1] for _, phrases in _BOUNDS for phrase in phrases)
# What the end priced means for a user count; of another figure (a cache rate) the bound alone.
_FOR_USERS = {True: "; send a larger figure to price more", False: ", so the estimate covers it"}
# Above this no scenario field is valid; a float this size is still exact enough to say so, while
# 309 digits would be infinite (and no whole number).
_LARGEST = 1e15


def _one_end(tokens: list[str], i: int, r: Reading) -> str:
    """The token at `i`, a range or a lower bound replaced by the end priced (with a note)."""
    token = tokens[i]
    if token[:1].isdigit() and ("-" in token or "–" in token):
        span = _RANGE.match(token)
        if span:
            mult = span.group("mult") or ""
            low = span.group("low") + (span.group("low_mult") or mult)
            tokens[i] = span.group("high") + mult
            users = i + 1 < len(tokens) and tokens[i + 1] in USER_WORDS  # compare takes users
            both = _BOTH_ENDS.format(low, tokens[i]) if users else ""
            r.notes.append(_RANGE_NOTE.format(token, tokens[i]) + both + ".")
    elif token[:1] in ">≥" or token.endswith("+"):
        bound = _AT_LEAST.match(token)
        if bound:
            tokens[i] = bound.group("n") or bound.group("m")
            r.notes.append(_AT_LEAST_NOTE.format(token, tokens[i]))
    return tokens[i]


def _bound_before(tokens: list[str], i: int, used: list[bool], r: Reading) -> None:
    """The words before the number at `i` that bound it ("at least", "<"): read, and said."""
    if not i or tokens[i - 1] not in _BOUND_LAST:
        return
    for least, phrases in _BOUNDS:
        for phrase in phrases:
            start = i - len(phrase)
            if start >= 0 and tuple(tokens[start:i]) == phrase and not any(used[start:i]):
                used[start:i] = [True] * len(phrase)
                users = i + 1 < len(tokens) and tokens[i + 1] in USER_WORDS
                said = " ".join((*phrase, tokens[i]))
                end = "least" if least else "most"
                more = _FOR_USERS[least] if users else ""
                r.notes.append(f"Read “{said}” as {tokens[i]}, the {end} it says{more}.")
                return


def read_number_at(tokens: list[str], i: int, used: list[bool], r: Reading) -> bool:
    token = _one_end(tokens, i, r)
    pair = IN_OUT.match(token)
    if pair:
        if max(_to_number(pair.group(1)), _to_number(pair.group(2))) > _LARGEST:
            r.problems.append(_TOO_LARGE.format(_shown(token)))
            consume(tokens, i, used, TOKEN_WORDS)
            return True
        r.values["input_tokens"] = _whole(_to_number(pair.group(1)))
        r.values["output_tokens"] = _whole(_to_number(pair.group(2)))
        if not (i + 1 < len(tokens) and tokens[i + 1] in TOKEN_WORDS):  # "9/5": said how read
            r.notes.append(
                f"Read “{token}” as {r.values['input_tokens']:,} input and "
                f"{r.values['output_tokens']:,} output tokens a request."
            )
        consume(tokens, i, used, TOKEN_WORDS)
        return True
    m = NUMBER.match(token)
    if not m:
        return False
    _bound_before(tokens, i, used, r)
    value = _to_number(m.group("num"))
    mult = m.group("mult")
    if mult is None and i + 1 < len(tokens) and tokens[i + 1] in MULTIPLIERS:
        mult = tokens[i + 1]
        used[i + 1] = True
    if mult:
        value *= MULTIPLIERS[mult]
    if m.group("sign"):
        value = -value
    if not abs(value) <= _LARGEST:  # also catches inf
        r.problems.append(_TOO_LARGE.format(_shown(token)))
        consume(tokens, i, used, _UNIT_WORDS, after=1)  # its unit is read, the number refused
        return True
    if mult in ("b", "bn") and consume(tokens, i, used, _SIZE_WORDS, before=0, after=1):
        # "our 34b model": a size, not 34bn users; a model of the team's own, self-hosted
        if not 0.1 <= value / 1e9 <= 2_000:
            r.problems.append(_OWN_MODEL.format(token))
            return True
        r.name_model(own_model(value / 1e9))
        r.values["hosting"] = "self-hosted"
        r.notes.append(
            f"Your own {value / 1e9:g}B model is sized as a dense model of that many parameters "
            "in BF16 (memory and speed from its size); name its precision (fp8) if it is served "
            "so, or the catalogue's closest model for its exact shape."
        )
        return True
    suffix = m.group("suffix")
    if suffix == "%":
        return _read_percent(tokens, i, used, r, value / 100)
    if suffix == "x":
        # "10x users", "what if 10x": scale the user count
        r.scale = value
        consume(tokens, i, used, USER_WORDS)
        return True
    own_unit = i + 1 < len(tokens) and tokens[i + 1] in _OWN_UNIT_WORDS
    # "prototype cost 60k", "prototype was 30k": the prototype word may sit two words back
    prototype = near(tokens, i, PROTOTYPE_WORDS, before=2, used=used)
    if m.group("dollar") or (prototype is not None and not own_unit):
        r.values["prototype_cost"] = value
        consume(tokens, i, used, PROTOTYPE_WORDS, before=2)
        return True
    if m.group("num") in UPTIMES and not mult:
        r.values["uptime"] = UPTIMES[m.group("num")]
        return True
    for words, name in (
        (REGION_WORDS, "regions"),
        (RECORD_WORDS, "stored_records"),
        (CORPUS_WORDS, "corpus_documents"),
    ):
        if consume(tokens, i, used, words, before=0):
            r.values[name] = _whole(value)
            return True
    if consume(tokens, i, used, REQUEST_WORDS, before=0):
        r.values["requests_per_active_user_per_day"] = value
        consume(tokens, i, used, _PER_DAY, before=0, after=3)
        return True
    if i + 1 < len(tokens) and tokens[i + 1] in ("reasoning", "thinking"):
        # "2000 reasoning tokens": a figure of the team's own, which wins over any effort
        used[i + 1] = True
        r.values["reasoning_tokens"] = _whole(value)
        consume(tokens, i + 1, used, TOKEN_WORDS, before=0, after=1)
        return True
    # "1500 input 400 output tokens", "input 3000 tokens output 500 tokens": a direction word
    # right beside the number is its own; else the nearest one. A loop, not a generator: one
    # would make its function, cells and frame for every number read.
    beside = None
    for j in (i + 1, i - 1):
        if 0 <= j < len(tokens) and tokens[j] in DIRECTION_WORDS and not used[j]:
            beside = j
            break
    token_word = near(tokens, i, TOKEN_WORDS, before=1, after=2 if beside is None else 4)
    if token_word is not None:
        direction = beside
        if direction is None:
            direction = near(tokens, i, DIRECTION_WORDS, before=2, after=3, used=used)
        if direction is not None:
            name = "input_tokens" if tokens[direction] in INPUT_WORDS else "output_tokens"
            r.values[name] = _whole(value)
            used[token_word] = used[direction] = True
            return True
    if _daily_users_at(tokens, i, used):
        r.daily_users = value
        return True
    if consume(tokens, i, used, USER_WORDS, before=1):
        r.set_once("users", _whole(value), _TWO_USER_COUNTS)
        return True
    if "." in m.group("num") and 90 <= value < 100 and not mult:
        r.problems.append(_UPTIME_OFFERED.format(m.group("num")))  # "99.95": an uptime
        return True
    if "users" not in r.values and r.scale is None:
        # A bare number ("what if 50k?") is a user count: the field people change most.
        r.values["users"] = _whole(value)
        return True
    return False


def _daily_users_at(tokens: list[str], i: int, used: list[bool]) -> bool:
    """ "500k DAU", "500k daily (active) users": daily users, their unit words claimed."""
    if i + 1 < len(tokens) and tokens[i + 1] in ("dau", "daus"):
        used[i + 1] = True
        return True
    if i + 2 < len(tokens) and tokens[i + 1] == "daily" and tokens[i + 2] in USER_WORDS:
        used[i + 1] = used[i + 2] = True
        return True
    return False


def settle_daily_users(r: Reading) -> None:
    """Daily users with the monthly ones or the daily share given beside them: the other worked
    out; with neither, a question back (a stage's or workspace's default share is not known
    here)."""
    daily = r.daily_users
    if daily is None:
        return
    share, users = r.values.get("daily_active_share"), r.values.get("users")
    if users and not share:
        if daily > users:
            r.problems.append(
                f"{daily:,.0f} daily users are more than the {users:,.0f} monthly ones: "
                "send the monthly active users, e.g. “10k users 3k DAU”."
            )
            return
        r.values["daily_active_share"] = daily / users
        r.notes.append(
            f"Read {daily:,.0f} daily of {users:,} monthly users as {percent(daily / users)} "
            "active daily."
        )
        return
    if not share:
        r.problems.append(
            "aicost works from monthly active users: send those (“"
            f"{_short_count(daily / 0.3)} users” if 30% of them are active on a given day), or "
            f"the daily share with the {daily:,.0f} daily users (“{_shown_count(daily)} DAU 30% "
            "daily active”) to have them worked out."
        )
        return
    users = round(daily / share)
    r.set_once("users", users, _TWO_USER_COUNTS)
    r.notes.append(
        f"Read {daily:,.0f} daily users at {percent(share)} active daily as {users:,} monthly "
        "active users, the count aicost works from."
    )


def _short_count(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            digits = 0 if value >= 100 * size else 1
            return f"{value / size:.{digits}f}".removesuffix(".0") + suffix
    return f"{value:,.0f}"


def _shown_count(value: float) -> str:
    return _short_count(value) if value >= 1e3 else f"{value:g}"


def _read_percent(tokens: list[str], i: int, used: list[bool], r: Reading, share: float) -> bool:
    if consume(tokens, i, used, _PROMPT_CACHE, before=3, after=3):
        r.values["prompt_cache_share"] = share
        return True
    if consume(tokens, i, used, CACHE_WORDS, before=2, after=3):
        r.values["cache_hit_rate"] = share
        consume(tokens, i, used, CACHE_WORDS, before=2, after=3)
        return True
    if consume(tokens, i, used, GROWTH_WORDS, before=2, after=3):
        r.values["monthly_user_growth"] = share
        return True
    if consume(tokens, i, used, DAILY_WORDS, before=2, after=2):
        r.values["daily_active_share"] = share
        consume(tokens, i, used, DAILY_WORDS, before=2, after=2)
        return True
    text = f"{share * 100:g}"
    if text in UPTIMES:
        r.values["uptime"] = UPTIMES[text]
        return True
    if 0.9 <= share < 1 and "." in text:
        r.problems.append(_UPTIME_OFFERED.format(text + "%"))
        return True
    return False


def read_number(text: str, as_percent: bool = False) -> float | None:
    """One number typed on its own (a form field), read the way requests are read: "10k",
    "1.5 million", "$80k", "40%". None when it is not one number; a percent field takes "40"
    as 40% too."""
    words = normalize(text).split()
    scale = 1.0
    if len(words) == 2 and words[1] == "%":
        words = [words[0] + "%"]
    elif len(words) == 2 and words[1] in MULTIPLIERS:
        scale = MULTIPLIERS[words[1]]  # "1.5 million"
        words = words[:1]
    if len(words) != 1:
        return None
    m = NUMBER.match(words[0])
    if not m or m.group("suffix") == "x" or (m.group("suffix") == "%" and not as_percent):
        return None
    if m.group("mult"):
        if scale != 1.0:
            return None  # "10k million"
        scale = MULTIPLIERS[m.group("mult")]
    value = float(m.group("num").replace(",", "")) * scale
    if m.group("sign"):
        value = -value
    if not math.isfinite(value):
        return None
    return value / 100 if as_percent else value


def _shown(token: str) -> str:
    return token if len(token) <= 12 else f"{token[:6]}…{token[-3:]}"


def _to_number(text: str) -> float:
    return float(text.replace(",", ""))


def _whole(value: float) -> int | float:
    # Keep fractions so the scenario's own validation can say "must be a whole number".
    return int(value) if value == int(value) else value
