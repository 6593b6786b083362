"""Model names as people type them -> the id aicost prices them by.

"gpt4o", "Claude Opus 4.1", "claude sonnet 4.5", "gpt 4o mini", "gemini 2.5 flash",
"Llama-3.1-8B-Instruct", "qwen 2.5 72b": a name may span several words and be spelled with or
without spaces, dots and dashes. Names are compared squashed (lower case, letters and digits
only) against the open-weight catalogue's spellings and genai-prices' model ids; only ids that
genai-prices can price are returned, so a name is never "resolved" to one it would refuse.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from bot.parsing.vocabulary import (
    COMPLIANCE,
    CORPUS_WORDS,
    GPU_SHAPE,
    GPUS,
    MULTIPLIERS,
    PRECISIONS,
    PROTOTYPE_WORDS,
    RECORD_WORDS,
    REGION_WORDS,
    REQUEST_WORDS,
    TOKEN_WORDS,
    USER_WORDS,
)
from estimator import (
    PricingError,
    catalogue,
    clear_on_refresh,
    family_names,
    find_open_model,
    known_models,
    squash,
    token_prices,
)

# Words a model name starts with.
_HEADS = re.compile(
    r"^(gpt|chatgpt|o[1-9]|claude|opus|sonnet|haiku|gemini|gemma|llama|meta-llama|qwen|qwq|"
    r"mistral|mixtral|ministral|codestral|deepseek|phi|kimi|glm|grok|command)"
)
# Family words, for telling a misspelt model name ("cluade", "lama") from an ordinary word.
MODEL_HEADS = (
    "gpt", "claude", "opus", "sonnet", "haiku", "gemini", "gemma", "llama", "qwen", "mistral",
    "mixtral", "deepseek", "kimi", "grok", "phi", "codestral", "ministral",
)  # fmt: skip
# Words that may continue one: versions, sizes, tiers.
_PART = re.compile(
    r"^(v?\d{1,2}(\.\d{1,2})?|\d{1,2}o|\d+(\.\d+)?b|\d+x\d+b|a\d+b|[a-z]+\d[a-z0-9.-]*"
    r"|\d[a-z0-9.-]*-[a-z0-9.-]+)$"
)
_PART_WORDS = {
    "opus", "sonnet", "haiku", "mini", "nano", "flash", "pro", "lite", "small", "medium",
    "large", "nemo", "instruct", "it", "chat", "turbo", "oss", "preview", "thinking",
    "reasoner", "coder", "distill", "vl", "scout", "maverick", "latest", "versatile", "instant",
}  # fmt: skip
_COUNT = re.compile(r"^\d+(\.\d+)?$")
_SPACES, _SEPARATORS = re.compile(r"\s+"), re.compile(r"[\s_-]+")
_UNITS = (
    (USER_WORDS | REGION_WORDS | RECORD_WORDS | REQUEST_WORDS | TOKEN_WORDS | PROTOTYPE_WORDS)
    | set(MULTIPLIERS)
    | CORPUS_WORDS
)
_OTHER_WORDS = {*COMPLIANCE, *GPUS, *PRECISIONS}
_LONGEST = 6  # words one model name may span
_TIERS = ("opus", "sonnet", "haiku")


def join_model_names(tokens: list[str]) -> list[str]:
    """The tokens with each model name (one word or several) replaced by the id it prices as;
    words that name no model stay as they are."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if not _HEADS.match(tokens[i]):
            out.append(tokens[i])
            i += 1
            continue
        end = i + 1
        while end < len(tokens) and end - i < _LONGEST and _continues(tokens, end):
            end += 1
        for stop in range(end, i, -1):
            found = resolve(" ".join(tokens[i:stop]))
            if found is not None:
                out.append(found)
                i = stop
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _continues(tokens: list[str], j: int) -> bool:
    token = tokens[j]
    if _COUNT.match(token) and j + 1 < len(tokens) and tokens[j + 1] in _UNITS:
        return False  # "claude 3 regions": the 3 counts regions
    if token in _OTHER_WORDS or GPU_SHAPE.match(token.removesuffix("s")):
        return False  # "mixtral 8x7b l4", "sonnet 4.5 soc2": the GPU or framework is its own
    return token in _PART_WORDS or bool(_PART.match(token))


@cache
def resolve(name: str) -> str | None:
    """The priced id `name` means, or None. An id genai-prices prices as typed stays as typed."""
    typed = name.strip().lower()
    if typed in _known() and _prices(typed):
        return typed
    open_model = find_open_model(typed)
    if open_model is not None:
        return open_model.model
    for key in _squashed_variants(typed):
        found = _priced(key)
        if found is not None:
            return found
    # An id genai-prices prices by its own patterns ("gpt-4o-2024-08-06", "gpt 3.5").
    # Two words at most: genai-prices matches ids by prefix, so "claude-sonnet-4.5-soc2" would.
    dashed = _SPACES.sub("-", typed)
    return dashed if dashed.count("-") <= typed.count("-") + 1 and _prices(dashed) else None


@cache
def _known() -> frozenset[str]:
    return frozenset(known_models())


def _squashed_variants(typed: str) -> list[str]:
    base = squash(typed)
    variants = [base]
    words = _SEPARATORS.split(typed)
    tier = next((t for t in _TIERS if t in words), None)
    if tier is not None:
        # "claude 4.5 sonnet", "opus 4.1": Anthropic's ids read claude-<tier>-<version>
        rest = "".join(squash(w) for w in words if w not in (tier, "claude"))
        variants += [f"claude{tier}{rest}", f"claude{rest}{tier}"]
    return variants


def _prices(ref: str) -> bool:
    try:
        token_prices(ref)
    except PricingError:
        return False
    return True


@cache
def _by_squash() -> dict[str, str | tuple[str, ...]]:
    """squashed id -> its one id, or its ids (those without a provider prefix first, then the
    shortest). Most squash to one id, kept as the string: a tuple each was about 1,500 objects
    made at once, the first time a name needed the table (docs/benchmarks.md)."""
    table: dict[str, str | tuple[str, ...]] = {}
    for model in known_models():
        key = squash(model)
        found = table.get(key)
        if found is None:
            table[key] = model
        else:
            table[key] = (found, model) if type(found) is str else (*found, model)
    for key, found in table.items():
        if type(found) is tuple:
            table[key] = tuple(sorted(found, key=lambda m: ("/" in m, len(m), m)))
    return table


@cache
def _priced(key: str) -> str | None:
    """The first id of the squashed name that genai-prices prices (checked only when asked)."""
    found = _by_squash().get(key)
    if found is None:
        return None
    if type(found) is str:
        return found if _prices(found) else None
    return next((m for m in found if _prices(m)), None)


def _forget_model_names() -> None:
    for cached in (resolve, _known, _by_squash, _priced):
        cached.cache_clear()


clear_on_refresh(_forget_model_names)  # a refreshed price list can name new models


def closest_models(word: str, limit: int = 3) -> list[str]:
    """Real model ids genai-prices prices, closest to `word`; never `word` itself."""
    typed = word.strip().lower()
    names = [m for m in known_models() if "/" not in m or "/" in typed]
    names += [m.model for m in catalogue()] + [*family_names()]
    close = difflib.get_close_matches(typed, list(dict.fromkeys(names)), n=limit * 4, cutoff=0.6)
    return [
        m
        for m in close
        if m != typed and squash(m) != squash(typed) and (m in family_names() or _prices(m))
    ][:limit]
