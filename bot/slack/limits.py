"""Slack's documented limits the renderer must respect, in one place."""

from __future__ import annotations

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
BUTTON_TEXT = 75
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
FALLBACK_TEXT = 4000  # notification text sent beside blocks; Slack truncates long text
