"""Words that are not numbers: stages, compliance, GPUs, hosting, precision and model names."""

from __future__ import annotations

from datetime import date

from bot.parsing.hosts import host_of
from bot.parsing.models import resolve
from bot.parsing.reading import Reading
from bot.parsing.vocabulary import (
    ADD_WORDS,
    API_HOSTING,
    COMPLIANCE,
    FAMILY_TOKENS,
    FILLER,
    GPU_SHAPE,
    GPUS,
    MODEL_SHAPE,
    PRECISIONS,
    REMOVE_WORDS,
    SCALE_WORDS,
    SELF_HOSTED,
    STAGES,
    VECTOR_STORES,
)
from estimator import (
    GPU,
    known_models,
    provider_ids,
    resolve_family,
)

_EFFORTS = {"no": "none", "off": "none"}
_TYPE_I = (
    "SOC 2 is priced as Type II (an audit of controls over a period, then a yearly re-audit), "
    "not as a Type I report of one date: aicost has no sourced Type I price."
)
_ROUND_THE_CLOCK = (
    "“24/7” is read as round-the-clock service, which the uptime target prices with its on-call "
    "rotation: say “99.9” or “99.99” to choose one."
)
_START_MONTH = "Say when the projection starts as a month, e.g. “starting March 2027”."
_TWO_STAGES = (
    "Which stage: {0} or {1}? Send one, e.g. “10000 users {1}”, or compare them: “compare {0} "
    "and {1}”."
)


def read_word(tokens: list[str], i: int, used: list[bool], r: Reading) -> bool:
    token = tokens[i]
    previous = tokens[i - 1] if i > 0 else ""
    if token in STAGES:
        r.set_once("stage", STAGES[token], _TWO_STAGES)
        return True
    if token in COMPLIANCE:
        (r.remove if previous in REMOVE_WORDS else r.add).append(COMPLIANCE[token])
        return True
    if token == "round-the-clock":
        r.notes.append(_ROUND_THE_CLOCK)
        return True
    if token == "soc2-type-i":  # priced as Type II (cost-facts has no Type I figure): said
        if i < 2 or tokens[i - 2] not in REMOVE_WORDS:  # not when SOC 2 is being removed
            r.notes.append(_TYPE_I)
        return True
    if token == "compliance" and previous in REMOVE_WORDS:
        r.no_compliance = True
        return True
    if token.endswith("s") and token[:-1] in GPUS:
        token = token[:-1]  # "h100s"
    if token in PRECISIONS:
        r.values["precision"] = PRECISIONS[token]
        return True
    if token in GPUS:
        r.values["gpu"] = GPUS[token]
        r.values["hosting"] = "self-hosted"
        return True
    if GPU_SHAPE.match(token):
        *most, last = [gpu.value.upper() for gpu in GPU]
        r.problems.append(
            f"GPU “{token[:12]}” is not one aicost prices; choose {', '.join(most)} or {last}."
        )
        return True
    if token in FAMILY_TOKENS:
        found = resolve_family(FAMILY_TOKENS[token])
        if found is not None:
            r.name_model(found.model, family=FAMILY_TOKENS[token])
            return True
    host = host_of(token)
    if host is not None:
        r.hosts.append(host)  # where the model runs, never a model (hosts.py)
        return True
    if token.startswith("reasoning-"):
        effort = token.removeprefix("reasoning-")
        r.values["reasoning_effort"] = _EFFORTS.get(effort, effort)
        r.values["reasoning_tokens"] = None  # an effort asked for replaces a figure given before
        return True
    if token.startswith("starts-"):
        try:
            r.values["start_month"] = date.fromisoformat(token.removeprefix("starts-") + "-01")
        except ValueError:
            r.problems.append(_START_MONTH)
        return True
    if token in SELF_HOSTED:
        r.values["hosting"] = "self-hosted"
        return True
    if token in VECTOR_STORES:
        r.values["vector_store"] = VECTOR_STORES[token]
        return True
    if token in API_HOSTING:
        r.values["hosting"] = "api"
        return True
    if token in SCALE_WORDS:
        r.scale = SCALE_WORDS[token]
        return True
    if token == "prompt-cache":
        r.values["prompt_cache_share"] = 0.0 if previous in REMOVE_WORDS else 0.6
        return True
    if token in ("caching", "cache"):
        # "with caching" -> the low end of the 40-60% FAQ-heavy band; "no caching" -> off
        if "cache_hit_rate" not in r.values:
            r.values["cache_hit_rate"] = 0.0 if previous in REMOVE_WORDS else 0.4
        return True
    if token in REMOVE_WORDS or token in ADD_WORDS:
        return True
    if (
        MODEL_SHAPE.match(token)
        or token in _known_model_set()
        or token.partition("/")[0] in provider_ids()  # "groq/llama-3.3-70b-versatile"
        or (not token.isalpha() and resolve(token) == token)  # "open-mistral-nemo"
    ):
        if previous == "from" or tokens[max(0, i - 2) : i] == ["instead", "of"]:
            r.left_behind.append(token)  # "from gpt-4o to claude": the model moved away from
            return True
        r.name_model(token)
        return True
    return token in FILLER


_MODEL_CACHE: set[str] = set()


def _known_model_set() -> set[str]:
    if not _MODEL_CACHE:
        _MODEL_CACHE.update(known_models())
    return _MODEL_CACHE
