"""Slack request signatures (v0: HMAC-SHA256 over "v0:{timestamp}:{body}" with the signing
secret), checked on the raw bytes before anything parses them."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

MAX_AGE_SECONDS = 5 * 60  # older (or future) timestamps are replays


def signed_by_slack(
    body: bytes, headers: Mapping[str, str], secret: str, now: float | None = None
) -> bool:
    """True only for a fresh request carrying a valid signature. Never raises."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp.isascii() or not timestamp.isdigit() or not signature.startswith("v0="):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))
