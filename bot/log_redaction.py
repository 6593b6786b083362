"""No secret in any log line, at any level: a filter on the root logger's handlers (so every
library's records pass it too, formatted with their arguments and tracebacks) that blanks
Slack tokens, Authorization headers, secret-named fields (an OAuth response's `access_token`
and `refresh_token`, the `code`, `client_secret`) and the configured secrets' own values.
slack_sdk logs whole requests and responses at DEBUG, the OAuth exchange among them."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6  # shorter configured values would blank ordinary words

_PATTERNS = (
    # Slack tokens: bot, user, app-level, config, refresh, rotating (xoxe.xoxb-…).
    re.compile(r"\bxox[a-z]?[.-][\w.-]+|\bxapp-[\w-]+"),
    # Authorization: Bearer …, Basic …
    re.compile(r"(?i)\b(bearer|basic)\s+[^\s'\",}]+"),
    # password in a URL: scheme://user:password@host
    re.compile(r"(?<=://)([^/\s:@]+):[^/\s@]+@"),
)
# A secret-named field in a dict's repr (its value alone or in a list), JSON, a form or a
# query string.
_FIELD = re.compile(
    r"(?i)(['\"]?\b(?:access_token|refresh_token|bot_token|user_token|app_token|token|"
    r"client_secret|signing_secret|secret|password|authorization)['\"]?\s*[:=]\s*\[?['\"]?"
    # The OAuth code: quoted as a key, or a query or form field ("status code: 500" stays).
    r"|['\"]code['\"]\s*:\s*\[?['\"]?|[?&]code=)"
    r"([^'\"&\s,}]+)"
)


class Redactor(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first, so a secret containing another is blanked whole.
        known = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        self.secrets = sorted(known, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = _PATTERNS[0].sub(REDACTED, text)
        text = _PATTERNS[1].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)
        return _FIELD.sub(lambda m: m.group(1) + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep the format alone
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install(secrets: Iterable[str] = ()) -> Redactor:
    """Put one Redactor on every handler of the root logger (after logging.basicConfig)."""
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor
