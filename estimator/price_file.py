"""A price file: an organisation's prices in TOML (`--prices` or AICOST_PRICES), read and checked
into own prices (estimator/overrides.py), with one line naming the file and the key for anything
that cannot be used.
"""

from __future__ import annotations

import math
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from estimator import facts
from estimator.overrides import PriceOverrides, messages, roles

PRICES_ENV = "AICOST_PRICES"
# The bundled data file is about 40 KB; a price file is a fraction of it. Anything larger (or
# a device, a FIFO) is not a price file, and is refused before it is read.
MAX_PRICE_FILE_BYTES = 1_000_000
# Figures the estimator divides by (capacities, reference sizes, GPU memory): 0 would divide by
# zero, so a price file may set them only above 0.
ABOVE_ZERO = frozenset(
    {
        "compute.requests_per_instance",
        "network.requests_per_lcu",
        "support.contacts_per_agent",
        "headcount_growth.onset_users",
    }
)
ABOVE_ZERO_FIELDS = frozenset({"reference_users", "memory_gb"})


class PriceFileError(ValueError):
    """A price file that cannot be used; the message is one line naming the file and the key."""


def check(data: Mapping[str, Any], origin: str = "workspace settings") -> PriceOverrides:
    """Settings from plain data, or PriceFileError with the first field's message."""
    try:
        return PriceOverrides.model_validate({**data, "origin": origin})
    except ValidationError as exc:
        field, message = next(iter(messages(exc).items()))
        raise PriceFileError(f"{origin}: {_FILE_KEYS.get(field, field)}: {message}") from None


# --- price files ----------------------------------------------------------------------------------

# Settings whose key in a price file differs from the field's name.
_FILE_KEYS = {"provider_discounts": "discounts", "model_prices": "models", "salaries": "salary"}

# Keys of a price file that are settings rather than costs.toml entries.
_SETTING_TABLES = {
    "currency",
    "salary_region",
    "loaded_factor",
    "discounts",
    "models",
    "gpu_prices",
    "cloud_multiplier",
    "stage_defaults",
}


@dataclass(frozen=True)
class _Walk:
    origin: str

    def fail(self, key: str, why: str) -> PriceFileError:
        return PriceFileError(f"{self.origin}: {key}: {why}")


def parse_price_file(text: str, origin: str = "price file") -> PriceOverrides:
    """A price file's overrides. The file mirrors the bundled data file: any entry of costs.toml
    by its own table name with the fields to change (`[gpu.h100] hourly_low = 1.8`), roles'
    salaries as `[salary.ml_engineer] low/high`, plus settings tables: `[currency] code, per_usd,
    set_on`, `salary_region`, `loaded_factor`, `[discounts] openai = 15`, `[models."gpt-4o"]
    input, output`, `[gpu_prices.h100] on_demand, reserved`, `cloud_multiplier`,
    `[stage_defaults]`. Anything else is a PriceFileError naming the key."""
    walk = _Walk(origin)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PriceFileError(f"{origin}: not valid TOML ({exc})") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise PriceFileError(f"{origin}: nested too deeply to be a price file") from None
    settings: dict[str, Any] = {}
    entries: dict[str, dict[str, float]] = {}
    salaries: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if key in _SETTING_TABLES:
            name = {v: k for k, v in _FILE_KEYS.items()}.get(key, key)
            settings[name] = value
        elif key == "salary" and isinstance(value, dict):
            for role, fields in value.items():
                if role not in roles():
                    raise walk.fail(f"salary.{role}", f"unknown role; use {', '.join(roles())}")
                salaries[role] = _numbers(walk, f"salary.{role}", fields, {"low", "high"})
        else:
            _collect_entries(walk, key, value, facts.raw().get(key), entries)
    if salaries:
        settings["salaries"] = {
            role: {
                "low": fields.get("low", facts.bundled_figure(f"salary.{role}").low),
                "high": fields.get("high", facts.bundled_figure(f"salary.{role}").high),
            }
            for role, fields in salaries.items()
        }
    settings["entries"] = entries
    return check(settings, origin)


# Sizing constants the estimator reads once at import, not prices: refused rather than ignored.
FIXED_AT_START = frozenset(
    {
        "gpu.spares",
        "self_hosting.weights_memory_share",
        "self_hosting.max_gpus_per_replica",
        "self_hosting.gpus_per_host",
        "traffic.max_users",
    }
)


def _collect_entries(
    walk: _Walk, name: str, value: Any, bundled: Any, out: dict[str, dict[str, float]]
) -> None:
    if not isinstance(bundled, dict) or name == "sources":
        raise walk.fail(name, "not an entry of the bundled data file")
    if not isinstance(value, dict):
        raise walk.fail(name, "expected a table like the bundled data file's")
    if name in FIXED_AT_START:
        raise walk.fail(name, "read once at start-up; a price file cannot change it")
    if "source" in bundled:  # an entry: its numeric fields may change
        numeric = {k for k, v in bundled.items() if isinstance(v, int | float) and k != "checked"}
        out[name] = _numbers(walk, name, value, numeric)
        return
    for key, inner in value.items():
        _collect_entries(walk, f"{name}.{key}", inner, bundled.get(key), out)


def _numbers(walk: _Walk, name: str, fields: Any, allowed: set[str]) -> dict[str, float]:
    if not isinstance(fields, dict):
        raise walk.fail(name, "expected a table like the bundled data file's")
    numbers: dict[str, float] = {}
    for field, value in fields.items():
        if field in ("source", "checked"):
            continue  # the file's own provenance; the file itself is the source shown
        if field not in allowed:
            raise walk.fail(f"{name}.{field}", f"unknown key; use {', '.join(sorted(allowed))}")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or value < 0:
            raise walk.fail(f"{name}.{field}", "must be a number of 0 or more")
        if value == 0 and (name in ABOVE_ZERO or field in ABOVE_ZERO_FIELDS):
            raise walk.fail(f"{name}.{field}", "must be more than 0 (the estimate divides by it)")
        numbers[field] = float(value)
    if {"low", "high"} <= set(numbers) and numbers["low"] > numbers["high"]:
        raise walk.fail(name, "low is more than high")
    return numbers


def load_price_file(path: Path) -> PriceOverrides:
    """The overrides in the TOML file at `path` (from --prices or AICOST_PRICES)."""
    try:
        info = path.stat()  # before opening: opening a FIFO waits for a writer
        if not stat.S_ISREG(info.st_mode):
            raise PriceFileError(f"{path}: not a regular file")
        if info.st_size > MAX_PRICE_FILE_BYTES:
            raise PriceFileError(f"{path}: larger than {MAX_PRICE_FILE_BYTES:,} bytes")
        with path.open("rb") as file:
            data = file.read(MAX_PRICE_FILE_BYTES + 1)  # it may have grown since
        if len(data) > MAX_PRICE_FILE_BYTES:
            raise PriceFileError(f"{path}: larger than {MAX_PRICE_FILE_BYTES:,} bytes")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceFileError(f"{path}: cannot read it ({type(exc).__name__})") from None
    return parse_price_file(text, origin=path.name)


def price_file_path(argument: str | None, environ: Mapping[str, str]) -> Path | None:
    """--prices wins over AICOST_PRICES; neither means the bundled prices."""
    chosen = argument or environ.get(PRICES_ENV, "").strip()
    return Path(chosen) if chosen else None
