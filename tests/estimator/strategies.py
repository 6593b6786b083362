"""Hypothesis strategies for scenarios across the whole allowed range."""

from __future__ import annotations

from hypothesis import strategies as st

from estimator.costs.self_hosting import replica
from estimator.open_models import SelfHostingError
from estimator.scenario import (
    GPU,
    MAX_USERS,
    UPTIME_TARGETS,
    Compliance,
    Hosting,
    Precision,
    Stage,
    build_scenario,
)

MODELS = ["gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "gemini-2.5-flash", "gpt-4.1-nano"]
# Open-weights models genai-prices prices, from 8B to 671B (mixture-of-experts among them).
OPEN_MODELS = [
    "@cf/meta/llama-3.1-8b-instruct",
    "databricks-meta-llama-3-3-70b-instruct",
    "mixtral-8x7b",
    "gpt-oss-120b",
    "deepseek-v3.2",
]

users = st.integers(min_value=0, max_value=10).flatmap(
    lambda exponent: st.integers(
        min_value=min(max(1, 10 ** (exponent - 1)), MAX_USERS),
        max_value=min(10**exponent, MAX_USERS),
    )
)


# Built once: a strategy made inside the composite is made (and validated) again per example.
_FIELDS = {
    "stage": st.sampled_from(list(Stage)),
    "users": users,
    "prototype_cost": st.floats(min_value=1_000, max_value=10_000_000),
    "daily_active_share": st.floats(min_value=0.01, max_value=1.0),
    "requests_per_active_user_per_day": st.floats(min_value=0.1, max_value=100),
    "input_tokens": st.integers(min_value=1, max_value=100_000),
    "output_tokens": st.integers(min_value=1, max_value=10_000),
    "model": st.sampled_from(MODELS),
    "cache_hit_rate": st.floats(min_value=0, max_value=0.95),
    "prompt_cache_share": st.floats(min_value=0, max_value=1),
    "regions": st.integers(min_value=1, max_value=20),
    "compliance": st.lists(st.sampled_from(list(Compliance)), unique=True),
    "uptime": st.sampled_from(UPTIME_TARGETS),
    "stored_records": st.integers(min_value=0, max_value=10**10),
    "hosting": st.sampled_from(list(Hosting)),
    "gpu": st.sampled_from(list(GPU)),
    "precision": st.sampled_from([None, *Precision]),  # None: chosen by size
    "monthly_user_growth": st.floats(min_value=0, max_value=0.5),
}
_OPEN_MODEL = st.sampled_from(OPEN_MODELS)


@st.composite
def scenarios(draw: st.DrawFn, **fixed: object):
    values = {name: draw(strategy) for name, strategy in _FIELDS.items()}
    values.update(fixed)
    if Hosting(values["hosting"]) is Hosting.self_hosted:
        if "model" not in fixed:
            values["model"] = draw(_OPEN_MODEL)
        for fallback in ({"gpu": GPU.h200}, {"precision": Precision.fp8}, {}):
            precision = values["precision"]
            try:
                replica(
                    values["model"],
                    GPU(values["gpu"]),
                    Precision(precision or "bf16"),
                    precision is not None,
                )
                break
            except SelfHostingError:
                # The largest memory offered, in FP8, holds every model listed.
                values.update(fallback)
    return build_scenario(**values)
