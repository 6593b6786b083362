"""Fitting messages to Slack's limits (bot/slack/limits.py): texts clipped, blocks counted.

Every message goes through `message` (or `fit`), so nothing sent can break one of Slack's limits.
"""

from __future__ import annotations

import copy

from bot.slack import limits
from bot.slack.blockkit import (
    cell_characters,
    context,
    escape,
    escaped_section,
    monospace_table,
    plain_table,
    section,
    table_cells,
    table_of,
)
from bot.slack.message import Message


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with "…", never inside an entity or an open code block."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # half an entity would show as "&am"
    if cut.count("```") % 2:
        # An unclosed fence would set the rest of the message in monospace.
        cut = cut[: limit - 5]
        amp = cut.rfind("&")
        if amp != -1 and ";" not in cut[amp:]:
            cut = cut[:amp]
        return cut + "…\n```"
    return cut + "…"


def _within_limits(block: dict) -> bool:
    """True when nothing in `block` needs clipping (the common case: no copy is made)."""
    kind = block.get("type")
    if kind == "section":  # most blocks (25 an answer), so looked at first: most have no fields
        text, fields = block.get("text"), block.get("fields")
        if text is not None and len(text.get("text", "")) > limits.SECTION_TEXT:
            return False
        return fields is None or (
            len(fields) <= limits.SECTION_FIELDS
            and all(len(f["text"]) <= limits.SECTION_FIELD_TEXT for f in fields)
        )
    if kind == "header":
        return len(block["text"]["text"]) <= limits.HEADER_TEXT
    if kind == "context":
        elements = block["elements"]
        return len(elements) <= limits.CONTEXT_ELEMENTS and all(
            len(e.get("text", "")) <= limits.SECTION_TEXT for e in elements
        )
    if kind == "actions":
        return all(len(e["text"]["text"]) <= limits.BUTTON_TEXT for e in block["elements"])
    if kind == "table":
        rows = block["rows"]
        return len(rows) <= limits.TABLE_ROWS and all(
            len(row) <= limits.TABLE_COLUMNS for row in rows
        )
    if kind == "data_table":
        rows = block["rows"]
        return (
            len(rows) <= limits.DATA_TABLE_ROWS
            and all(len(row) <= limits.DATA_TABLE_COLUMNS for row in rows)
            and 1 <= block.get("page_size", 1) <= limits.DATA_TABLE_PAGE_SIZE
            and cell_characters(block) <= limits.DATA_TABLE_CHARACTERS
        )
    return True


def _fit_data_table(block: dict) -> None:
    """Rows and columns within Slack's counts, then the last rows dropped until the cells'
    characters are too (the header and one row always stay: a data table needs two)."""
    rows = [row[: limits.DATA_TABLE_COLUMNS] for row in block["rows"][: limits.DATA_TABLE_ROWS]]
    block["rows"] = rows
    while len(rows) > 2 and cell_characters(block) > limits.DATA_TABLE_CHARACTERS:
        rows.pop()
    if cell_characters(block) > limits.DATA_TABLE_CHARACTERS:  # two rows of huge cells
        for row in rows:
            for cell in row:
                if "text" in cell:
                    share = limits.DATA_TABLE_CHARACTERS // len(rows) // len(row)
                    cell["text"] = clip(cell["text"], share)
    block["page_size"] = min(max(1, block.get("page_size", 1)), limits.DATA_TABLE_PAGE_SIZE)


def fit_block(block: dict) -> dict:
    """`block` within Slack's limits: a clipped copy when it is not already."""
    if _within_limits(block):
        return block
    block = copy.deepcopy(block)  # the caller's blocks are left alone
    kind = block.get("type")
    if kind == "header":
        block["text"]["text"] = clip(block["text"]["text"], limits.HEADER_TEXT)
    elif kind == "section":
        if "text" in block:
            block["text"]["text"] = clip(block["text"]["text"], limits.SECTION_TEXT)
        if "fields" in block:
            block["fields"] = block["fields"][: limits.SECTION_FIELDS]
            for item in block["fields"]:
                item["text"] = clip(item["text"], limits.SECTION_FIELD_TEXT)
    elif kind == "context":
        block["elements"] = block["elements"][: limits.CONTEXT_ELEMENTS]
        for element in block["elements"]:
            if "text" in element:
                # Context texts share the 3,000-character cap of every block text object.
                element["text"] = clip(element["text"], limits.SECTION_TEXT)
    elif kind == "actions":
        for element in block["elements"]:
            if element.get("type") == "button":
                element["text"]["text"] = clip(element["text"]["text"], limits.BUTTON_TEXT)
    elif kind == "table":
        block["rows"] = [row[: limits.TABLE_COLUMNS] for row in block["rows"][: limits.TABLE_ROWS]]
        if "column_settings" in block:
            block["column_settings"] = block["column_settings"][: limits.TABLE_COLUMNS]
    elif kind == "data_table":
        _fit_data_table(block)
    return block


def fit(blocks: list[dict], limit: int | None = None) -> list[dict]:
    """`blocks` within Slack's limits: texts clipped with "…", at most `limit` blocks (default
    limits.MESSAGE_BLOCKS). When blocks must go, a closing actions block is kept: the buttons
    matter more than the last detail."""
    limit = limits.MESSAGE_BLOCKS if limit is None else limit
    fitted = [block if _within_limits(block) else fit_block(block) for block in blocks]
    # Slack refuses a message with a second table: later ones are shown as monospace text.
    tables = [i for i, b in enumerate(fitted) if b.get("type") == "table"]
    for i in tables[limits.TABLES_PER_MESSAGE :]:
        fitted[i] = fit_block(section(monospace_table(table_cells(fitted[i]))))
    fitted = _tables_within_characters(fitted)
    if len(fitted) <= limit:
        return fitted
    tail = [fitted[-1]] if fitted[-1].get("type") == "actions" else []
    keep = max(0, limit - len(tail) - 1)
    dropped = len(fitted) - keep - len(tail)
    return [*fitted[:keep], context(f"… {dropped} more blocks not shown."), *tail][:limit]


def _tables_within_characters(blocks: list[dict]) -> list[dict]:
    """Slack counts the cells of a message's tables together (at most
    limits.DATA_TABLE_CHARACTERS): data tables past that are left out, the table block kept."""
    kinds = ("table", "data_table")
    total = sum(cell_characters(b) for b in blocks if b.get("type") in kinds)
    if total <= limits.DATA_TABLE_CHARACTERS:
        return blocks
    kept = []
    for block in reversed(blocks):
        if block.get("type") == "data_table" and total > limits.DATA_TABLE_CHARACTERS:
            total -= cell_characters(block)
            continue
        kept.append(block)
    return kept[::-1]


def without_data_tables(blocks: list[dict]) -> list[dict]:
    """`blocks` for where Slack refuses the data_table block (an older client or workspace): a
    data table becomes a table block where the message has none yet, else (Slack takes one table
    a message) its caption and rows as monospace text, so no row is lost (a private estimate's
    line items beside its breakdown). Fitted again, so the limits still hold."""
    has_table = any(b.get("type") == "table" for b in blocks)
    out = []
    for block in blocks:
        if block.get("type") != "data_table":
            out.append(block)
        elif not has_table:
            out.append(table_of(block))
            has_table = True
        else:
            out.extend(table_as_text(block))
    return fit(out)


def table_as_text(block: dict) -> list[dict]:
    """A data table as sections: its caption, then its rows aligned in code blocks, each within
    a section's characters (the header row opens each, so every part reads alone; a row longer
    than a section is cut with "…", so a reader sees it was shortened)."""
    # A header and one row must fit a section together, so overlong cells are cut first.
    row_width = (limits.SECTION_TEXT - len("```\n\n```") - 1) // 2
    header, *lines = escape(plain_table(_cut_to_width(table_cells(block), row_width))).split("\n")
    room = max(1, limits.SECTION_TEXT - len("```\n\n```") - len(header) - 1)
    parts: list[list[str]] = [[]]
    used = 0
    for line in lines:
        if parts[-1] and used + len(line) + 1 > room:
            parts.append([])
            used = 0
        parts[-1].append(clip(line, room))  # a row longer than a section, cut with "…"
        used += len(parts[-1][-1]) + 1
    # The caption's name only: its hint on sorting is for the interactive table.
    name = str(block.get("caption", "")).split(" · ")[0]
    caption = [section(f"*{name}*")] if name else []
    code = ["```\n" + "\n".join([header, *part]) + "\n```" for part in parts]
    return [*caption, *(escaped_section(text) for text in code)]


def _cut_to_width(rows: list[tuple[str, ...]], width: int) -> list[tuple[str, ...]]:
    """`rows` whose aligned lines fit `width`: the widest column gives up room first (names are
    long, amounts short), its overlong cells cut with "…" so a reader sees they were shortened."""
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    caps = list(widths)
    while (over := sum(caps) + 2 * (len(caps) - 1) - width) > 0 and max(caps) > 2:
        i = caps.index(max(caps))
        second = max((c for j, c in enumerate(caps) if j != i), default=0)
        caps[i] = max(2, second, caps[i] - over) if caps[i] > second else max(2, caps[i] - 1)
    return [
        tuple(
            cell if len(cell) <= cap else cell[: cap - 1] + "…"
            for cell, cap in zip(row, caps, strict=True)
        )
        for row in rows
    ]


def has_data_table(blocks: list[dict]) -> bool:
    return any(b.get("type") == "data_table" for b in blocks)


def message(text: str, blocks: list[dict]) -> Message:
    """A message within Slack's limits, its fallback `text` escaped like every block text."""
    # The fallback is parsed for mentions too.
    return Message(clip(escape(text), limits.FALLBACK_TEXT), fit(blocks))


def with_note(message: Message, note: dict) -> Message:
    """`message` with a context block (e.g. store_unavailable_note()) added, within the limits."""
    return Message(message.text, fit([*message.blocks, note]))
