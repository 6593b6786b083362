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
BUTTON_VALUE = 2000  # a button's value
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
# A comparison's or break-even's question in its message metadata (compact JSON). Slack's message
# metadata page (docs.slack.dev/messaging/message-metadata, checked 2026-12-07) names no size;
# held to a button value's twice over, and a question past it is posted without (logged).
QUESTION_METADATA = 4000
FALLBACK_TEXT = 4000  # notification text sent beside blocks; Slack truncates long text
HOME_BLOCKS = 100  # a Home tab view, like a modal
HOME_RECENT_ESTIMATES = 10  # rows shown on Home (each a section and a context block)
PERMALINK_LOOKUPS_AT_ONCE = 4  # chat.getPermalink is Tier 4: a few at a time is polite
PERMALINK_TIMEOUT_SECONDS = 2.0  # Home is published without the links that take longer
# Who may change settings is asked before a view_submission is acknowledged (3 s): a slower
# users.info counts as Slack not saying.
USERS_INFO_SECONDS = 2.0
PLAIN_TEXT_INPUT = 3000  # max_length of a plain_text_input
TABLE_ROWS = 100  # table block: rows, the header row included
TABLE_COLUMNS = 20  # table block: cells per row, and column_settings entries
TABLES_PER_MESSAGE = 1  # Slack accepts one table block per message
# data_table block (docs.slack.dev/reference/block-kit/blocks/data-table-block, checked
# 2026-12-07): a header row and 1 to 100 rows, 1 to 20 columns, every row as long; the text of
# all its cells at most 10,000 characters (a draft of the page says: of all tables in a message,
# so the renderer keeps a message's tables within that together); 1 to 100 rows a page.
DATA_TABLE_ROWS = 101  # the header row included
DATA_TABLE_COLUMNS = 20
DATA_TABLE_CHARACTERS = 10_000
DATA_TABLE_PAGE_SIZE = 100
CHARTS_OWED = 4  # charts queued on the chart worker before new ones are skipped (~1 s of drawing)
CHART_SECONDS = 30.0  # a chart not drawn by then (a stuck or starved worker) is skipped
UPLOAD_SECONDS = 30.0  # a file upload (three calls) Slack has not finished by then is given up
