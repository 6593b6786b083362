"""Which genai-prices data prices the tokens: the snapshot bundled with the installed package, or
(opt-in) a fresh one fetched through genai-prices' own updater (`UpdatePrices.fetch`, the same
fetch its background task makes), falling back to the bundled snapshot when the fetch fails.

`refresh()` runs once per process at start-up (the CLI's --update-prices, the bot's
PRICES_AUTO_UPDATE=1, in the bot and each estimate worker), before any price is read, and clears
the estimator's price caches so nothing priced from the old data stays. The whole fetch has one
deadline (FETCH_SECONDS): the HTTP client's timeout is per read, so a server trickling bytes
would otherwise hold it forever. The bot refreshes on a thread of its own
(`start_refresh_if_wanted`) so it listens without waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable, Mapping
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING, Any

from estimator import facts

if TYPE_CHECKING:
    from genai_prices.data_snapshot import DataSnapshot
    from genai_prices.update_prices import UpdatePrices

log = logging.getLogger(__name__)

AUTO_UPDATE_ENV = "PRICES_AUTO_UPDATE"
FETCH_SECONDS = 10.0  # the whole fetch, connect to last byte

_state: dict[str, str] = {}


@cache
def _version() -> str:
    try:
        return metadata.version("genai-prices")
    except metadata.PackageNotFoundError:
        return "unknown"


def bundled_note() -> str:
    """'genai-prices 0.2.5 bundled snapshot, read 2026-12-06': the date is the data file's for
    that version (`[token_snapshot]`); another installed version says its date is not on file."""
    version = _version()
    recorded = facts.bundled_entry("token_snapshot")
    if recorded["version"] == version:
        return f"genai-prices {version} bundled snapshot, read {recorded['read']}"
    return (
        f"genai-prices {version} bundled snapshot (its date is not on file: costs.toml "
        f"records {recorded['version']})"
    )


def snapshot_note() -> str:
    """Which token price data is in use, e.g. 'genai-prices 0.2.3 bundled snapshot' or
    'genai-prices data fetched 2026-11-29 21:40 UTC'."""
    return _state.get("note", bundled_note())


def snapshot_status() -> dict[str, str]:
    """For /healthz: source ('bundled' or 'fetched'), note, and the failure if a refresh failed."""
    return {
        "source": _state.get("source", "bundled"),
        "note": snapshot_note(),
        **({"refresh_error": _state["error"]} if "error" in _state else {}),
    }


URL_ENV = "PRICES_UPDATE_URL"  # where to fetch from instead of genai-prices' own default
_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


class AutoUpdateError(ValueError):
    """PRICES_AUTO_UPDATE is set to something that is neither on nor off."""


def wanted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether PRICES_AUTO_UPDATE asks for fresh token prices; AutoUpdateError if unreadable."""
    value = (environ if environ is not None else os.environ).get(AUTO_UPDATE_ENV, "")
    if value.strip().lower() not in (*_YES, *_NO):
        raise AutoUpdateError(f"{AUTO_UPDATE_ENV} must be 1 or 0 (got {value[:20]!r})")
    return value.strip().lower() in _YES


def refresh_if_wanted(environ: Mapping[str, str] | None = None) -> None:
    """At a process's start: refresh when PRICES_AUTO_UPDATE=1, from PRICES_UPDATE_URL if set."""
    env = environ if environ is not None else os.environ
    if wanted(env):
        refresh(env.get(URL_ENV) or None)


def start_refresh_if_wanted(environ: Mapping[str, str] | None = None) -> threading.Thread | None:
    """`refresh_if_wanted` on a daemon thread, for a server that must not wait on it (the
    bundled snapshot prices until the fetch lands); AutoUpdateError at once if unreadable."""
    env = dict(environ if environ is not None else os.environ)
    if not wanted(env):
        return None
    thread = threading.Thread(
        target=refresh, args=(env.get(URL_ENV) or None,), name="token-prices", daemon=True
    )
    thread.start()
    return thread


def refresh(url: str | None = None, seconds: float = FETCH_SECONDS) -> bool:
    """Fetch the latest genai-prices data once; True if it is now in use. On any failure the
    bundled snapshot stays in use and the note says the refresh failed."""
    import httpx2
    from genai_prices import data_snapshot
    from genai_prices.update_prices import DEFAULT_UPDATE_URL, UpdatePrices

    updater = UpdatePrices(
        url=url or DEFAULT_UPDATE_URL,
        request_timeout=httpx2.Timeout(timeout=seconds, connect=min(5.0, seconds)),
    )
    try:
        snapshot = _fetch_within(updater, seconds)
    except Exception as exc:  # network down, too slow, bad payload: the bundled data is good
        reason = f"{type(exc).__name__}"
        log.warning("genai-prices refresh failed (%s); using the bundled snapshot", reason)
        _state.clear()
        _state.update(
            source="bundled",
            note=f"{bundled_note()} (refresh failed: {reason})",
            error=reason,
        )
        return False
    data_snapshot.set_custom_snapshot(snapshot)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    _state.clear()
    _state.update(source="fetched", note=f"genai-prices data fetched {when}")
    _clear_caches()
    return True


def _fetch_within(updater: UpdatePrices, seconds: float) -> DataSnapshot | None:
    """updater.fetch(), or TimeoutError once `seconds` have passed in all. The fetch goes on, on
    a daemon thread nobody waits for, until the server stops sending (or the process exits)."""
    outcome: dict[str, Any] = {}

    def fetch() -> None:
        try:
            outcome["snapshot"] = updater.fetch()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=fetch, name="token-prices-fetch", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError(f"no complete answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["snapshot"]


_ALSO_CLEARED: list[Callable[[], None]] = []


def clear_on_refresh(clear: Callable[[], None]) -> None:
    """Have `clear` run whenever the token prices are replaced: for tables built from the price
    data outside the estimator (the parser's model names), which would otherwise keep the old."""
    _ALSO_CLEARED.append(clear)


def _clear_caches() -> None:
    from estimator import price_months
    from estimator.costs import inference
    from estimator.token_prices import (
        READ_OFF,
        SHOWN,
        _listings,
        _rates,
        known_models,
        list_request_price,
        price_changes,
        provider_ids,
        token_prices,
    )

    for cached in (
        token_prices,
        list_request_price,
        _rates,
        known_models,
        provider_ids,
        _listings,
        inference._quote,
        # The rates are shared by the days between the same price changes: the changes too.
        price_changes,
        price_months.periods,
    ):
        cached.cache_clear()
    READ_OFF.clear()
    SHOWN.clear()
    for clear in _ALSO_CLEARED:
        clear()
