"""Which pair of models a break-even weighs: like with like.

An API model is weighed against self-hosting an open model of the same capability class, and a
self-hosted open model against an API model of its class. An API model's class is its vendor's
tier (`levers.capability_classes` in costs.toml: small, mid, frontier); an open model's is the one
its public evidence places it in (`[[capability]]` in data/open_models.toml: a leaderboard's scores
or its provider's benchmark table, with dates). Within a class the pair is the one its provider
benchmarked (`[comparable.<class>]`). An API that serves an open model is weighed against
self-hosting that same model; a model the user names is taken as named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from estimator import facts
from estimator.open_models import OpenModel, SelfHostingError, catalogue, find_open_model, weights
from estimator.savings import capability_class


@dataclass(frozen=True, slots=True)
class Pairing:
    """The pair compared and why, in a sentence the answer shows."""

    api_model: str
    open_model: str
    capability: str | None  # the class both sides share; None when none was matched
    why: str

    def to_dict(self) -> dict:
        return {"capability": self.capability, "why": self.why}


@cache
def _data() -> dict[str, Any]:
    text = resources.files("estimator").joinpath("data/open_models.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def _class_of_open() -> dict[str, str]:
    return {key: row["class"] for row in _data()["capability"] for key in row["models"]}


@cache
def _by_key() -> dict[str, OpenModel]:
    return {m.key: m for m in catalogue()}


def open_capability(model: str) -> str | None:
    """The class of an open model by any of its names: the catalogue's evidence, else (an id of
    an open family the catalogue does not hold) its size's class as the lever reads it."""
    known = find_open_model(model)
    if known is not None:
        return _class_of_open().get(known.key)
    return capability_class(model)


def _reference(capability: str) -> dict[str, str]:
    return _data()["comparable"][capability]


@lru_cache(maxsize=256)
def for_api(api_model: str, named: str | None = None) -> tuple[Pairing, ...]:
    """The open models an API model may be weighed against when self-hosting, first choice
    first: the class's reference, then the rest of its class in the data's order (for a GPU
    the user named that cannot hold the reference). Kept per pair of names: the data files
    it reads are the bundled ones, and a break-even asks it for every estimate."""
    if named is not None:
        return (Pairing(api_model, named, None, f"{named} is the open model you named"),)
    try:
        same = weights(api_model).model  # an open model the API serves: self-host it
    except SelfHostingError:
        pass
    else:
        why = f"{api_model} has open weights, so self-hosting the same model"
        return (Pairing(api_model, same, open_capability(same), why),)
    capability = capability_class(api_model)
    if capability is None:
        default = facts.bundled_entry("self_hosting.default_model")["model"]
        why = f"no capability class is on file for {api_model}, so the default open model"
        return (Pairing(api_model, default, None, why),)
    ref = _reference(capability)
    first = _by_key()[ref["open_model"]]
    options = [
        Pairing(
            api_model,
            first.model,
            capability,
            f"{api_model} is a {capability}-class model and {first.name} the open model of "
            f"that class compared by default: {ref['why']} ({ref['source']})",
        )
    ]
    for key in _members(capability):
        if key != first.key:
            other = _by_key()[key]
            options.append(
                Pairing(
                    api_model,
                    other.model,
                    capability,
                    f"{api_model} is a {capability}-class model; {other.name} is the first open "
                    f"model of that class the GPU holds ({first.name} does not fit), by the "
                    "evidence in estimator/data/open_models.toml",
                )
            )
    return tuple(options)


@cache
def _members(capability: str) -> tuple[str, ...]:
    return tuple(
        key for row in _data()["capability"] if row["class"] == capability for key in row["models"]
    )


@lru_cache(maxsize=256)
def for_open(open_model: str, named: str | None = None) -> Pairing:
    """The API model a self-hosted open model is weighed against (kept, like `for_api`)."""
    if named is not None:
        return Pairing(named, open_model, None, f"{named} is the API model you named")
    capability = open_capability(open_model)
    if capability is None:
        default = facts.bundled_entry("breakeven")["api_model"]
        return Pairing(
            default,
            open_model,
            None,
            f"no capability class is on file for {open_model}, so the default API model",
        )
    ref = _reference(capability)
    known = find_open_model(open_model)
    said = known.name if known is not None else f"{open_model}, by its size,"
    api = ref["api_model"]
    if known is not None and known.key == ref["open_model"]:
        chosen = f"{api} is the API model of that class compared by default"
    else:
        # The evidence names the class's reference open model, not this one: say so, so the
        # reader is not left wondering why another model's benchmark is quoted.
        reference = _by_key()[ref["open_model"]].name
        chosen = (
            f"{api} is the API model that class is compared with by default, the one its "
            f"reference open model, {reference}, was measured against"
        )
    return Pairing(
        api,
        open_model,
        capability,
        f"{said} is a {capability}-class open model; {chosen}: {ref['why']} ({ref['source']})",
    )
