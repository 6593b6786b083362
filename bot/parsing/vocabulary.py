"""The words requests are made of: stages, compliance, GPUs, units, fillers, number shapes."""

from __future__ import annotations

import re

from bot.parsing.reading import Command
from estimator import (
    GPU,
    Compliance,
    family_names,
)

COMMANDS = {
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

STAGES = {
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
COMPLIANCE = {
    "soc2": Compliance.soc2,
    "soc-2": Compliance.soc2,
    "gdpr": Compliance.gdpr,
    "hipaa": Compliance.hipaa,
    "iso27001": Compliance.iso27001,
    "iso-27001": Compliance.iso27001,
}
GPUS = {gpu.value: gpu.value for gpu in GPU}
# Words shaped like a GPU model ("b200", "mi300x", "rtx4090"): named back with the GPUs offered.
GPU_SHAPE = re.compile(r"^(?:[abhlt]|gh|gb|mi|rtx|v)\d{2,4}[a-z]{0,2}$")
# Family names people type for a model; two-word ones are joined in `PHRASES`.
FAMILY_TOKENS = {name.replace(" ", "-"): name for name in family_names()}
PRECISIONS = {"fp8": "fp8", "bf16": "bf16", "fp16": "bf16"}  # self-hosted weight precision
SELF_HOSTED = {"self-hosted", "selfhosted", "self-host", "on-prem", "on-premise", "gpus", "gpu"}
API_HOSTING = {"api", "hosted-api"}

USER_WORDS = {"users", "user", "mau", "maus", "people", "customers", "seats", "employees"}
REGION_WORDS = {"regions", "region"}
RECORD_WORDS = {"records", "record", "rows", "items"}
# The retrieval corpus ("corpus 2M documents", "500k docs") and where its vectors are searched.
CORPUS_WORDS = {"documents", "document", "docs", "doc"}
VECTOR_STORES = {
    "pgvector": "pgvector",
    "pinecone": "managed",
    "turbopuffer": "managed",
    "weaviate": "managed",
    "qdrant": "managed",
    "managed-vector-db": "managed",
    "s3-vectors": "object-storage",
    "object-storage-vectors": "object-storage",
    "in-memory-index": "in-memory",
}
REQUEST_WORDS = {
    "requests", "request", "req", "reqs", "queries", "messages", "calls", "chats", "msgs", "msg",
    "prompts", "questions", "conversations", "turns", "interactions",
}  # fmt: skip
PROTOTYPE_WORDS = {"prototype", "proto", "poc", "mvp", "build"}
CACHE_WORDS = {"cache", "caching", "cached", "hit", "hit-rate", "hits"}
DAILY_WORDS = {"daily", "dau", "active"}
GROWTH_WORDS = {"growth", "grow", "growing"}
TOKEN_WORDS = {"tokens", "token", "tok"}
INPUT_WORDS = {"in", "input", "prompt"}
OUTPUT_WORDS = {"out", "output", "completion", "response"}
DIRECTION_WORDS = INPUT_WORDS | OUTPUT_WORDS
ADD_WORDS = {"add", "with", "plus", "include", "including", "need", "needs", "+"}
REMOVE_WORDS = {"remove", "drop", "without", "no", "minus", "exclude", "-"}
SCALE_WORDS = {"double": 2.0, "triple": 3.0, "quadruple": 4.0, "halve": 0.5, "half": 0.5}
MULTIPLIERS = {
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
FILLER = {
    "what", "if", "we", "had", "have", "has", "and", "for", "a", "an", "the", "of", "at", "to",
    "on", "with", "per", "about", "around", "roughly", "approx", "approximately", "i", "our",
    "my", "team", "company", "size", "stage", "cost", "costs", "would", "be", "how", "much",
    "does", "it", "is", "estimate", "use", "using", "switch", "move", "go", "change", "set",
    "instead", "please", "plan", "scenario", "model", "llm", "uptime", "sla", "day", "/day",
    "month", "monthly", "each", "user", "users", "by", "x", "times", "then", "so", "let's",
    "lets", "try", "now", "also", "hosting", "hosted", "via", "from", "gpu", "in", "rate",
    "share", "=", ":", "@", "us", "are", "there", "you", "can", "could", "should",
    "corpus", "vector", "vectors", "retrieval", "rag", "usd", "dollars",
    "/month", "app", "product", "service", "platform", "bot", "chatbot", "assistant", "across",
    "&", "make", "used", "run", "running", "was", "were", "we're", "we'll", "expect", "expects",
    "expecting", "expected", "scaling", "serve", "serving", "up", "into", "over", "like",
    "compliant", "compliance", "certified", "certification", "who", "send", "sends", "own",
    "b2b", "b2c", "saas",
}  # fmt: skip


NUMBER = re.compile(
    r"^(?P<sign>-)?(?P<dollar>\$)?(?P<num>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?P<mult>k|m|mm|mn|b|bn)?(?P<suffix>%|x)?$"
)
IN_OUT = re.compile(r"^([0-9][0-9,]*)/([0-9][0-9,]*)$")
MODEL_SHAPE = re.compile(
    r"^(gpt|o[1-9]|claude|gemini|gemma|llama|mistral|mixtral|deepseek|grok|command|qwen|"
    r"phi|sonar|kimi|glm|nova|titan|jamba|codestral|ministral|pixtral)[a-z0-9.:/_-]*$"
)
UPTIMES = {"99.5": 99.5, "99.9": 99.9, "99.99": 99.99}
