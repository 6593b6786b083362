"""How stored values are written and read: conversation states and estimate entries as JSON,
each under MAX_VALUE_BYTES. Both backends store exactly these strings, so a value written by one
version of the bot reads in the next; an unreadable value reads as absent, never as an error.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError

from bot.advisor import ConversationState
from estimator import READ_BACK

log = logging.getLogger(__name__)

MAX_VALUE_BYTES = 64 * 1024  # per stored value; larger states lose their oldest history first


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def encode_state(state: ConversationState) -> str:
    """JSON under MAX_VALUE_BYTES, dropping the oldest undo steps if needed (never the scenario
    or the question)."""
    data = state.model_dump_json()
    if _size(data) <= MAX_VALUE_BYTES:
        return data
    # Binary search for the most recent history that fits: size grows with what is kept.
    # (An estimate's thread keeps scenarios, a question's the questions before; either is undo.)
    steps = max(len(state.history), len(state.asked_before))
    fits, too_many = 0, steps
    while too_many - fits > 1:
        keep = (fits + too_many) // 2
        if _size(_with_recent_history(state, keep).model_dump_json()) <= MAX_VALUE_BYTES:
            fits = keep
        else:
            too_many = keep
    data = _with_recent_history(state, fits).model_dump_json()
    if _size(data) > MAX_VALUE_BYTES:
        raise ValueError("conversation state is too large to store even without history")
    log.warning(
        "state over %d bytes: dropped %d oldest history entries",
        MAX_VALUE_BYTES,
        steps - fits,
    )
    return data


def _with_recent_history(state: ConversationState, keep: int) -> ConversationState:
    recent = state.history[len(state.history) - keep :] if keep else ()
    asked = state.asked_before[len(state.asked_before) - keep :] if keep else ()
    return state.model_copy(update={"history": recent, "asked_before": asked})


def decode_state(data: str | None, key: str) -> ConversationState | None:
    if data is None:
        return None
    try:
        # Without looking its models' prices up: the tables stay out of the bot's event loop
        # (StoreAccess has them looked up in the estimate worker).
        return ConversationState.model_validate_json(data, context=READ_BACK)
    except ValidationError:
        # Usually a schema change since it was written: start afresh rather than fail the reply.
        log.warning("ignoring unreadable stored state at %s", key)
        return None


def encode_entry(entry: dict[str, Any]) -> str:
    """An estimate-history entry or a workspace's settings record as compact JSON."""
    try:
        data = json.dumps(entry, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError("estimate entry is not JSON-serialisable") from exc
    if _size(data) > MAX_VALUE_BYTES:
        raise ValueError(f"estimate entry is larger than {MAX_VALUE_BYTES} bytes")
    return data


def decode_entries(items: list[str], key: str) -> list[dict[str, Any]]:
    entries = []
    for item in items:
        try:
            entry = json.loads(item)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            log.warning("skipping unreadable estimate entry at %s", key)
    return entries


def settings_from(data: str, key: str) -> dict[str, Any] | None:
    """A workspace's settings record as stored at `key` ("": none)."""
    entries = decode_entries([data] if data else [], key)
    return entries[0] if entries else None


def workspace_entry(channel: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A channel's history entry as the workspace's recent list keeps it: naming its channel."""
    return {**entry, "channel": channel}


def other_channels(items: list[str], channel: str) -> list[str]:
    """Workspace history entries not from `channel` (what forgetting a channel leaves)."""
    kept = []
    for item in items:
        try:
            entry = json.loads(item)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("channel") != channel:
            kept.append(item)
    return kept
