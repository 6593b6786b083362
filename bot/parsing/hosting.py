"""Self-hosting as asked: a family name means an open model of that family, and a model too big
for the default GPU is sized on one that holds it; each choice is said in a note."""

from __future__ import annotations

from bot.parsing.reading import Reading
from estimator.open_models import SelfHostingError, find_open_model, open_model_for_family, weights
from estimator.replicas import check_hostable
from estimator.scenario import GPU, Precision, Stage, stage_defaults
from estimator.token_prices import PricingError


def settle_hosting(r: Reading) -> None:
    """Adjust a self-hosted reading in place: open model for a family word, a GPU that fits."""
    if r.values.get("hosting") != "self-hosted" or "model" not in r.values:
        return
    model = r.values["model"]
    why = not_hostable(model)
    if r.family is not None and why is not None:
        found = open_model_for_family(r.family)
        if found is None:
            return  # a closed family ("claude"): the scenario says it cannot be self-hosted
        r.values["model"] = found.model
        r.models = [found.model if m == model else m for m in r.models]
        r.notes.append(
            f"Self-hosted “{r.family}” read as {found.name} ({found.model}), an open-weight "
            f"model of that family: {model}, its newest on the API, {why}."
        )
        model = found.model
    if "gpu" not in r.values:
        _gpu_that_fits(r, model)


def not_hostable(model: str) -> str | None:
    """Why `model` cannot be self-hosted, in a few words, or None when it can."""
    try:
        weights(model)
    except SelfHostingError as exc:
        closed = "closed weights" in str(exc)
        return "has no published weights" if closed else "has no size in aicost's model table"
    return None


def _gpu_that_fits(r: Reading, model: str) -> None:
    stage = Stage(r.values.get("stage", Stage.startup))
    default = GPU(stage_defaults(stage)["gpu"])
    precision = Precision(r.values.get("precision", Precision.bf16))
    chosen = "precision" in r.values
    if _fits(model, default, precision, chosen):
        return
    for gpu in GPU:
        if gpu is not default and _fits(model, gpu, precision, chosen):
            r.values["gpu"] = gpu.value
            known = find_open_model(model)
            name = known.name if known else model
            r.notes.append(
                f"{name} does not fit one node of 8 {default.value.upper()} GPUs, so it is "
                f"sized on {gpu.value.upper()} GPUs; name a GPU to choose another."
            )
            return


def _fits(model: str, gpu: GPU, precision: Precision, chosen: bool) -> bool:
    try:
        check_hostable(model, gpu, precision, chosen)
    except (SelfHostingError, PricingError, ValueError):
        return False
    return True
