"""Free text -> a scenario change or a command, shared by Slack and the terminal.

Understands requests ("10000 users startup", "$80k prototype", "soc2 gdpr", "self-hosted h100",
"cache 40%", "99.99") and follow-ups ("what if 50k users", "with caching", "add hipaa",
"use claude-haiku-4-5", "undo"). Every word it cannot place is returned in `unknown` and named back
to the user; nothing is dropped silently. It raises nothing but its own InputError.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from estimator.families import family_names, resolve_family
from estimator.scenario import GPU, Compliance, Scenario, ScenarioError, build_scenario
from estimator.token_prices import (
    PricingError,
    close_matches,
    known_models,
    provider_ids,
    token_prices,
)
from estimator.whatif import ScenarioChange, apply_change

MAX_TEXT = 2_000  # longer text is cut before parsing; nobody types a scenario that long

EXAMPLES = (
    "10000 users startup",
    "50,000 users enterprise soc2 gdpr",
    "1.5M users $80k prototype gpt-4o-mini cache 40%",
    "20k users self-hosted h100 3 regions 99.99",
    "5k users claude 2000/400 tokens 8 requests per day",
)
FOLLOW_UP_EXAMPLES = (
    "what if 50k users?",
    "with caching",
    "add hipaa",
    "use claude-haiku-4-5",
    "enterprise",
    "3 regions",
    "undo",
)


class InputError(ScenarioError):
    """Text we could not turn into a scenario; the message says what to type instead."""


class Command(StrEnum):
    help = "help"
    form = "form"
    undo = "undo"
    reset = "reset"
    forget = "forget"
    chart = "chart"  # the current estimate's chart again
    export = "export"  # the current estimate as CSV and JSON files


@dataclass(frozen=True)
class Parsed:
    change: ScenarioChange = field(default_factory=ScenarioChange)
    command: Command | None = None
    unknown: tuple[str, ...] = ()
    # Compliance words in a first request name the whole set; in a follow-up they add to it.
    compliance_named: tuple[Compliance, ...] = ()
    no_compliance: bool = False
    # Read but not allowed or ambiguous ("99.95", "b200", two stages): one sentence each, shown
    # to the user instead of an estimate.
    problems: tuple[str, ...] = ()

    @property
    def understood_anything(self) -> bool:
        return (
            self.command is not None
            or not self.change.is_empty()
            or self.no_compliance
            or bool(self.problems)
        )


_COMMANDS = {
    "help": Command.help,
    "?": Command.help,
    "form": Command.form,
    "edit": Command.form,
    "undo": Command.undo,
    "back": Command.undo,
    "reset": Command.reset,
    "start over": Command.reset,
    "forget": Command.forget,
    "chart": Command.chart,
    "graph": Command.chart,
    "picture": Command.chart,
    "export": Command.export,
    "csv": Command.export,
    "download": Command.export,
}

_STAGES = {
    "startup": "startup",
    "start-up": "startup",
    "midsize": "midsize",
    "mid-size": "midsize",
    "mid-sized": "midsize",
    "midmarket": "midsize",
    "mid-market": "midsize",
    "scaleup": "midsize",
    "scale-up": "midsize",
    "enterprise": "enterprise",
}
_COMPLIANCE = {
    "soc2": Compliance.soc2,
    "soc-2": Compliance.soc2,
    "gdpr": Compliance.gdpr,
    "hipaa": Compliance.hipaa,
    "iso27001": Compliance.iso27001,
    "iso-27001": Compliance.iso27001,
}
_GPUS = {gpu.value: gpu.value for gpu in GPU}
# Words shaped like a GPU model ("b200", "mi300x", "rtx4090"): named back with the GPUs offered.
_GPU_SHAPE = re.compile(r"^(?:[abhlt]|gh|gb|mi|rtx|v)\d{2,4}[a-z]{0,2}$")
# Family names people type for a model; two-word ones are joined in `_PHRASES`.
_FAMILY_TOKENS = {name.replace(" ", "-"): name for name in family_names()}
_PRECISIONS = {"fp8": "fp8", "bf16": "bf16", "fp16": "bf16"}  # self-hosted weight precision
_SELF_HOSTED = {"self-hosted", "selfhosted", "self-host", "on-prem", "on-premise", "gpus", "gpu"}
_API_HOSTING = {"api", "hosted-api"}

_USER_WORDS = {"users", "user", "mau", "maus", "people", "customers", "seats", "employees"}
_REGION_WORDS = {"regions", "region"}
_RECORD_WORDS = {"records", "record", "rows", "documents", "docs", "items"}
_REQUEST_WORDS = {"requests", "request", "req", "reqs", "queries", "messages", "calls", "chats"}
_PROTOTYPE_WORDS = {"prototype", "proto", "poc", "mvp", "build"}
_CACHE_WORDS = {"cache", "caching", "cached", "hit", "hit-rate", "hits"}
_DAILY_WORDS = {"daily", "dau", "active"}
_GROWTH_WORDS = {"growth", "grow", "growing"}
_TOKEN_WORDS = {"tokens", "token", "tok"}
_INPUT_WORDS = {"in", "input", "prompt"}
_OUTPUT_WORDS = {"out", "output", "completion", "response"}
_DIRECTION_WORDS = _INPUT_WORDS | _OUTPUT_WORDS
_ADD_WORDS = {"add", "with", "plus", "include", "including", "need", "needs", "+"}
_REMOVE_WORDS = {"remove", "drop", "without", "no", "minus", "exclude", "-"}
_SCALE_WORDS = {"double": 2.0, "triple": 3.0, "quadruple": 4.0, "halve": 0.5, "half": 0.5}
_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
# Words that carry no meaning of their own in these requests.
_FILLER = {
    "what", "if", "we", "had", "have", "has", "and", "for", "a", "an", "the", "of", "at", "to",
    "on", "with", "per", "about", "around", "roughly", "approx", "approximately", "i", "our",
    "my", "team", "company", "size", "stage", "cost", "costs", "would", "be", "how", "much",
    "does", "it", "is", "estimate", "use", "using", "switch", "move", "go", "change", "set",
    "instead", "please", "plan", "scenario", "model", "llm", "uptime", "sla", "day", "/day",
    "month", "monthly", "each", "user", "users", "by", "x", "times", "then", "so", "let's",
    "lets", "try", "now", "also", "hosting", "hosted", "via", "from", "gpu", "in", "rate",
    "share", "=", ":", "@", "us", "are", "there", "you", "can", "could", "should",
}  # fmt: skip

# Zero-width characters, soft hyphen, and the bidirectional marks and embeddings.
_INVISIBLE = dict.fromkeys(
    [
        *(0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
# (a word every match contains, pattern, replacement): a pattern runs only on text that holds
# its word, so most requests skip most of them.
_PHRASES = [
    ("soc", re.compile(r"\bsoc\s*2\b"), "soc2"),
    ("iso", re.compile(r"\biso\s*27001\b"), "iso27001"),
    ("self", re.compile(r"\bself[\s-]*hosted?\b"), "self-hosted"),
    ("mid", re.compile(r"\bmid[\s-]*size(d)?\b"), "midsize"),
    ("start", re.compile(r"\bstart\s+up\b"), "startup"),
    ("start", re.compile(r"\bstart\s+over\b"), "reset"),
    ("hit", re.compile(r"\bhit\s+rate\b"), "hit-rate"),
    ("day", re.compile(r"\b(per|a|/)\s*day\b"), "/day"),
    ("prompt", re.compile(r"\bprompt\s+cach(e|ing)\b"), "prompt-cache"),
    ("gemini", re.compile(r"\bgemini\s+flash\b"), "gemini-flash"),
    ("llama", re.compile(r"\bllama\s*-?\s*70b\b"), "llama-70b"),
    ("/", re.compile(r"(\d)\s*/\s*(\d)"), r"\1/\2"),
    ("$", re.compile(r"\$\s+(\d)"), r"$\1"),
]
_NUMBER = re.compile(
    r"^(?P<sign>-)?(?P<dollar>\$)?(?P<num>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?P<mult>k|m|mm|mn|b|bn)?(?P<suffix>%|x)?$"
)
_IN_OUT = re.compile(r"^([0-9][0-9,]*)/([0-9][0-9,]*)$")
_MODEL_SHAPE = re.compile(
    r"^(gpt|o[1-9]|claude|gemini|gemma|llama|mistral|mixtral|deepseek|grok|command|qwen|"
    r"phi|sonar|kimi|glm|nova|titan|jamba|codestral|ministral|pixtral)[a-z0-9.:/_-]*$"
)
_UPTIMES = {"99.5": 99.5, "99.9": 99.9, "99.99": 99.99}


def normalize(text: str) -> str:
    """Lower-case ASCII-ish text: Slack's HTML escapes undone, invisible marks dropped, digits of
    any script turned into 0-9, and a few multi-word phrases joined."""
    text = html.unescape(text[:MAX_TEXT])
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).lower()
    if not text.isascii():
        text = "".join(_ascii_digit(ch) for ch in text)
    for word, pattern, replacement in _PHRASES:
        if word in text:
            text = pattern.sub(replacement, text)
    return text


def _ascii_digit(ch: str) -> str:
    if ch.isdigit() and not ch.isascii():
        try:
            return str(unicodedata.decimal(ch))
        except ValueError:
            return ch
    return ch


def tokenize(text: str) -> list[str]:
    tokens = []
    for raw in normalize(text).split():
        token = raw.strip("?!,;()[]{}\"'`*_~")
        if token.endswith(".") and not re.search(r"\d\.$", token[:-1] + "x"):
            token = token.rstrip(".")
        if token:
            tokens.append(token)
    return tokens


@dataclass
class _Reading:
    values: dict[str, Any] = field(default_factory=dict)
    scale: float | None = None
    add: list[Compliance] = field(default_factory=list)
    remove: list[Compliance] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    no_compliance: bool = False
    problems: list[str] = field(default_factory=list)

    def set_once(self, name: str, value: Any, question: str) -> None:
        """Set a field; a second, different value for it is a question back, not last-one-wins."""
        if name in self.values and self.values[name] != value:
            self.problems.append(question.format(self.values[name], value))
            return
        self.values[name] = value


def parse(text: str) -> Parsed:
    """Read a request or a follow-up. Never raises: unplaced words come back in `unknown`."""
    tokens = tokenize(text)
    joined = " ".join(tokens)
    if joined in _COMMANDS:
        return Parsed(command=_COMMANDS[joined])
    if len(tokens) == 1 and tokens[0] in ("/aicost",):
        return Parsed(command=Command.form)
    r = _Reading()
    used = [False] * len(tokens)
    # Numbers first: each claims the unit words around it ("cache 40%", "prototype $80k").
    numbers_unread = []
    for i in range(len(tokens)):
        if used[i]:
            continue
        used[i] = True
        if not _read_number(tokens, i, used, r):
            used[i] = False
            numbers_unread.append(i)
    for i in numbers_unread:
        if used[i]:
            continue
        used[i] = True
        if not _read_word(tokens, i, used, r):
            r.unknown.append(tokens[i])
    change = ScenarioChange(
        set=r.values,
        scale_users=r.scale,
        add_compliance=tuple(dict.fromkeys(r.add)),
        remove_compliance=tuple(dict.fromkeys(r.remove)),
    )
    return Parsed(
        change=change,
        unknown=tuple(dict.fromkeys(r.unknown)),
        compliance_named=tuple(dict.fromkeys(r.add)),
        no_compliance=r.no_compliance,
        problems=tuple(dict.fromkeys(r.problems)),
    )


_TWO_STAGES = (
    "Which stage: {0} or {1}? Send one, e.g. “10000 users {1}”, or ask “what if {1}?” after."
)
_TWO_USER_COUNTS = (
    "Which user count: {0:,} or {1:,}? Send one; to compare, ask “what if {1:,} users?” in the "
    "estimate's thread."
)
_UPTIME_OFFERED = "Uptime target must be one of 99.5, 99.9 or 99.99 (%); {0} is not offered."


def _near(
    tokens: list[str],
    i: int,
    words: set[str],
    before: int = 1,
    after: int = 2,
    used: list[bool] | None = None,
) -> int | None:
    """Index of the nearest (unclaimed) token in `words` in a small window around i, after first."""
    for j in range(i + 1, min(len(tokens), i + 1 + after)):
        if tokens[j] in words and not (used and used[j]):
            return j
    for j in range(i - 1, max(-1, i - 1 - before), -1):
        if tokens[j] in words and not (used and used[j]):
            return j
    return None


def _read_number(tokens: list[str], i: int, used: list[bool], r: _Reading) -> bool:
    token = tokens[i]
    pair = _IN_OUT.match(token)
    if pair:
        r.values["input_tokens"] = _whole(_to_number(pair.group(1)))
        r.values["output_tokens"] = _whole(_to_number(pair.group(2)))
        _consume(tokens, i, used, _TOKEN_WORDS)
        return True
    m = _NUMBER.match(token)
    if not m:
        return False
    value = _to_number(m.group("num"))
    mult = m.group("mult")
    if mult is None and i + 1 < len(tokens) and tokens[i + 1] in _MULTIPLIERS:
        mult = tokens[i + 1]
        used[i + 1] = True
    if mult:
        value *= _MULTIPLIERS[mult]
    if m.group("sign"):
        value = -value
    suffix = m.group("suffix")
    if suffix == "%":
        return _read_percent(tokens, i, used, r, value / 100)
    if suffix == "x":
        # "10x users", "what if 10x": scale the user count
        r.scale = value
        _consume(tokens, i, used, _USER_WORDS)
        return True
    if m.group("dollar") or _near(tokens, i, _PROTOTYPE_WORDS) is not None:
        r.values["prototype_cost"] = value
        _consume(tokens, i, used, _PROTOTYPE_WORDS)
        return True
    if m.group("num") in _UPTIMES and not mult:
        r.values["uptime"] = _UPTIMES[m.group("num")]
        return True
    for words, name in (
        (_REGION_WORDS, "regions"),
        (_RECORD_WORDS, "stored_records"),
    ):
        if _consume(tokens, i, used, words, before=0):
            r.values[name] = _whole(value)
            return True
    if _consume(tokens, i, used, _REQUEST_WORDS, before=0):
        r.values["requests_per_active_user_per_day"] = value
        _consume(tokens, i, used, {"/day", "daily"}, before=0, after=3)
        return True
    token_word = _near(tokens, i, _TOKEN_WORDS, before=1, after=2)
    if token_word is not None:
        direction = _near(tokens, i, _DIRECTION_WORDS, before=2, after=3)
        if direction is not None:
            name = "input_tokens" if tokens[direction] in _INPUT_WORDS else "output_tokens"
            r.values[name] = _whole(value)
            used[token_word] = used[direction] = True
            return True
    if _consume(tokens, i, used, _USER_WORDS, before=1):
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


def _read_percent(tokens: list[str], i: int, used: list[bool], r: _Reading, share: float) -> bool:
    if _consume(tokens, i, used, {"prompt-cache"}, before=3, after=3):
        r.values["prompt_cache_share"] = share
        return True
    if _consume(tokens, i, used, _CACHE_WORDS, before=2, after=3):
        r.values["cache_hit_rate"] = share
        _consume(tokens, i, used, _CACHE_WORDS, before=2, after=3)
        return True
    if _consume(tokens, i, used, _GROWTH_WORDS, before=2, after=3):
        r.values["monthly_user_growth"] = share
        return True
    if _consume(tokens, i, used, _DAILY_WORDS, before=2, after=2):
        r.values["daily_active_share"] = share
        _consume(tokens, i, used, _DAILY_WORDS, before=2, after=2)
        return True
    text = f"{share * 100:g}"
    if text in _UPTIMES:
        r.values["uptime"] = _UPTIMES[text]
        return True
    if 0.9 <= share < 1 and "." in text:
        r.problems.append(_UPTIME_OFFERED.format(text + "%"))
        return True
    return False


def _consume(
    tokens: list[str], i: int, used: list[bool], words: set[str], before: int = 1, after: int = 2
) -> bool:
    j = _near(tokens, i, words, before=before, after=after, used=used)
    if j is None:
        return False
    used[j] = True
    return True


def _read_word(tokens: list[str], i: int, used: list[bool], r: _Reading) -> bool:
    token = tokens[i]
    previous = tokens[i - 1] if i > 0 else ""
    if token in _STAGES:
        r.set_once("stage", _STAGES[token], _TWO_STAGES)
        return True
    if token in _COMPLIANCE:
        (r.remove if previous in _REMOVE_WORDS else r.add).append(_COMPLIANCE[token])
        return True
    if token == "compliance" and previous in _REMOVE_WORDS:
        r.no_compliance = True
        return True
    if token.endswith("s") and token[:-1] in _GPUS:
        token = token[:-1]  # "h100s"
    if token in _PRECISIONS:
        r.values["precision"] = _PRECISIONS[token]
        return True
    if token in _GPUS:
        r.values["gpu"] = _GPUS[token]
        r.values["hosting"] = "self-hosted"
        return True
    if _GPU_SHAPE.match(token):
        *most, last = [gpu.value.upper() for gpu in GPU]
        r.problems.append(
            f"GPU “{token[:12]}” is not one aicost prices; choose {', '.join(most)} or {last}."
        )
        return True
    if token in _FAMILY_TOKENS:
        found = resolve_family(_FAMILY_TOKENS[token])
        if found is not None:
            r.values["model"] = found.model
            return True
    if token in _SELF_HOSTED:
        r.values["hosting"] = "self-hosted"
        return True
    if token in _API_HOSTING:
        r.values["hosting"] = "api"
        return True
    if token in _SCALE_WORDS:
        r.scale = _SCALE_WORDS[token]
        return True
    if token == "prompt-cache":
        r.values["prompt_cache_share"] = 0.0 if previous in _REMOVE_WORDS else 0.6
        return True
    if token in ("caching", "cache"):
        # "with caching" -> the low end of the 40-60% FAQ-heavy band; "no caching" -> off
        if "cache_hit_rate" not in r.values:
            r.values["cache_hit_rate"] = 0.0 if previous in _REMOVE_WORDS else 0.4
        return True
    if token in _REMOVE_WORDS or token in _ADD_WORDS:
        return True
    if (
        _MODEL_SHAPE.match(token)
        or token in _known_model_set()
        or token.partition("/")[0] in provider_ids()  # "groq/llama-3.3-70b-versatile"
    ):
        r.values["model"] = token
        return True
    return token in _FILLER


_MODEL_CACHE: set[str] = set()


def _known_model_set() -> set[str]:
    if not _MODEL_CACHE:
        _MODEL_CACHE.update(known_models())
    return _MODEL_CACHE


def read_number(text: str, as_percent: bool = False) -> float | None:
    """One number typed on its own (a form field), read the way requests are read: "10k",
    "1.5 million", "$80k", "40%". None when it is not one number; a percent field takes "40"
    as 40% too."""
    words = normalize(text).split()
    scale = 1.0
    if len(words) == 2 and words[1] == "%":
        words = [words[0] + "%"]
    elif len(words) == 2 and words[1] in _MULTIPLIERS:
        scale = _MULTIPLIERS[words[1]]  # "1.5 million"
        words = words[:1]
    if len(words) != 1:
        return None
    m = _NUMBER.match(words[0])
    if not m or m.group("suffix") == "x" or (m.group("suffix") == "%" and not as_percent):
        return None
    if m.group("mult"):
        if scale != 1.0:
            return None  # "10k million"
        scale = _MULTIPLIERS[m.group("mult")]
    value = float(m.group("num").replace(",", "")) * scale
    if m.group("sign"):
        value = -value
    if not math.isfinite(value):
        return None
    return value / 100 if as_percent else value


def _to_number(text: str) -> float:
    return float(text.replace(",", ""))


def _whole(value: float) -> int | float:
    # Keep fractions so the scenario's own validation can say "must be a whole number".
    return int(value) if value == int(value) else value


def unknown_message(unknown: tuple[str, ...], follow_up: bool = False) -> str:
    """One sentence naming the words not understood, and what to type instead."""
    shown = ", ".join(f"“{_quote(word)}”" for word in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    examples = FOLLOW_UP_EXAMPLES[:4] if follow_up else EXAMPLES[:2]
    return (
        f"I didn't understand {shown}{more}. Try: " + " · ".join(f"“{e}”" for e in examples) + "."
    )


def _quote(word: str) -> str:
    return word[:30] + ("…" if len(word) > 30 else "")


def first_scenario(text: str) -> Scenario:
    """The scenario a first request describes, or InputError saying what to type instead."""
    parsed = parse(text)
    if parsed.unknown:
        raise InputError(unknown_message(parsed.unknown))
    return scenario_from(parsed)


def scenario_from(parsed: Parsed) -> Scenario:
    """The scenario a first request describes: named compliance frameworks are the whole set."""
    if parsed.problems:
        raise InputError(parsed.problems[0])
    values = dict(parsed.change.set)
    if parsed.compliance_named or parsed.no_compliance:
        values["compliance"] = tuple(
            c for c in parsed.compliance_named if c not in parsed.change.remove_compliance
        )
    scenario = _build(values)
    if parsed.change.scale_users:
        scenario = _apply(scenario, ScenarioChange(scale_users=parsed.change.scale_users))
    return scenario


def follow_up(current: Scenario, parsed: Parsed) -> Scenario:
    """The scenario after a follow-up change; InputError (with the allowed range) when invalid."""
    if parsed.problems:
        raise InputError(parsed.problems[0])
    change = parsed.change
    if parsed.no_compliance:
        change = change.merged(ScenarioChange(remove_compliance=tuple(Compliance)))
    return _apply(current, change)


def _build(values: dict[str, Any]) -> Scenario:
    _check_model(values)
    try:
        return build_scenario(**values)
    except ScenarioError as exc:
        raise InputError(str(exc)) from None


def _apply(current: Scenario, change: ScenarioChange) -> Scenario:
    _check_model(change.set)
    try:
        return apply_change(current, change)
    except ScenarioError as exc:
        raise InputError(str(exc)) from None


def _check_model(values: dict[str, Any]) -> None:
    model = values.get("model")
    if model is None:
        return
    try:
        token_prices(model)
    except PricingError as exc:
        raise InputError(str(exc)) from None


# --- Verbs with a payload: "compare a, b, c for 100k users" and "when does self-hosting pay off?"


COMPARE_EXAMPLE = "compare gpt-4o-mini, claude-haiku-4-5, self-hosted l4 for 100k users"
BREAKEVEN_EXAMPLE = "when does self-hosting pay off for 100k users claude-sonnet-4-5?"

_COMPARE_VERB = re.compile(r"^\s*(?:/aicost\s+)?(?:compare|comparison)\b[:\s]*")
# Commas separate options, except inside numbers ("100,000 users"); "vs" works as well.
_OPTION_SEPARATOR = re.compile(r",(?!\d{3}(?!\d))|\s+(?:vs\.?|versus)\s+")
# In the last option, what follows "for"/"at"/"with" is shared by every option.
_SHARED_TAIL = re.compile(r"\s+(?:for|at|with|all\s+at|all\s+with)\s+")
_BREAKEVEN = re.compile(
    r"(?:\b(?:when|at\s+what\s+(?:scale|point|size)|how\s+many\s+users)\b\s*)?"
    r"(?:\b(?:does|do|would|will|is|should)\b\s*)?"
    r"(?:\b(?:it|self[\s-]*host(?:ing|ed)?|hosting\s+our\s+own|own\s+gpus)\b\s*)?"
    r"\b(?:pays?\s+off|breaks?[\s-]*even|breakeven)\b"
)


# The wording of the question around "pay off" (the scenario words are kept).
_QUESTION_WORDS = {
    "when", "does", "do", "would", "will", "is", "should", "it", "until", "before", "how",
    "many", "what", "scale", "point", "size", "self-hosting", "start", "to", "we", "",
}  # fmt: skip


def is_compare(text: str) -> bool:
    return bool(_COMPARE_VERB.match(normalize(text)))


def compare_options(text: str, current: Scenario | None = None) -> list[tuple[str, Scenario]]:
    """(label, scenario) for each option of "compare a, b, c for <shared>"; an option changes
    the shared scenario (or `current`, in a conversation). InputError when there are fewer than
    two or more than five options, or an option names nothing."""
    body = _COMPARE_VERB.sub("", normalize(text), count=1).strip()
    labels = [part.strip() for part in _OPTION_SEPARATOR.split(body)]
    shared_text = ""
    if labels:
        last, *tail = _SHARED_TAIL.split(labels[-1], maxsplit=1)
        labels[-1], shared_text = last.strip(), " ".join(tail)
    labels = [label for label in labels if label]
    if not 2 <= len(labels) <= 5:
        raise InputError(
            f"Compare two to five options, separated by commas (got {len(labels)}), "
            f"e.g. “{COMPARE_EXAMPLE}”."
        )
    shared = parse(shared_text)
    if shared.unknown:
        raise InputError(unknown_message(shared.unknown))
    options = []
    for label in labels:
        option = parse(label)
        if option.unknown:
            raise InputError(unknown_message(option.unknown))
        if not option.understood_anything or option.command is not None:
            raise InputError(
                f"“{_quote(label)}” names nothing to compare: give a model, hosting, GPU, "
                f"users or stage, e.g. “{COMPARE_EXAMPLE}”."
            )
        merged = _merged(shared, option)
        scenario = follow_up(current, merged) if current else scenario_from(merged)
        options.append((label, scenario))
    return options


def _merged(shared: Parsed, option: Parsed) -> Parsed:
    """The option's words over the shared ones; an option naming only a model runs it on an API."""
    change = shared.change.merged(option.change)
    if "model" in option.change.set and not {"hosting", "gpu"} & option.change.set.keys():
        change = change.merged(ScenarioChange(set={"hosting": "api"}))
    return Parsed(
        change=change,
        compliance_named=shared.compliance_named + option.compliance_named,
        no_compliance=shared.no_compliance or option.no_compliance,
    )


def breakeven_question(text: str) -> str | None:
    """The rest of the text when it asks when self-hosting pays off, else None."""
    normalized = normalize(text)
    if not _BREAKEVEN.search(normalized):
        return None
    rest = _BREAKEVEN.sub(" ", normalized, count=1).split()
    return " ".join(w for w in rest if w.strip("?!.,") not in _QUESTION_WORDS)


__all__ = [
    "BREAKEVEN_EXAMPLE",
    "COMPARE_EXAMPLE",
    "EXAMPLES",
    "FOLLOW_UP_EXAMPLES",
    "Command",
    "InputError",
    "Parsed",
    "breakeven_question",
    "close_matches",
    "compare_options",
    "first_scenario",
    "follow_up",
    "is_compare",
    "normalize",
    "parse",
    "read_number",
    "scenario_from",
    "tokenize",
    "unknown_message",
]
