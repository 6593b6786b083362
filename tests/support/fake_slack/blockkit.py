"""Block Kit as Slack checks it: slack_sdk's models plus the documented limits they leave out."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack import limits

# Limits from Slack's Block Kit reference.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MODAL_TITLE = 24
MAX_MESSAGE_TEXT = 40000
# Table block (docs.slack.dev/reference/block-kit/blocks/table-block): slack_sdk's TableBlock
# checks only that rows exist, so the fake checks the documented schema itself.
MAX_TABLE_ROWS = 100
MAX_TABLE_CELLS = 20
MAX_TABLES_PER_MESSAGE = 1
TABLE_CELL_TYPES = ("raw_text", "rich_text", "raw_number")
TABLE_ALIGNS = ("left", "center", "right")
# Data table block (docs.slack.dev/reference/block-kit/blocks/data-table-block): slack_sdk 3.48
# does not know it, so the fake checks its documented schema against bot/slack/limits.py (where
# the page's figures are written down once). Its header row may not hold rich_text cells.
DATA_TABLE_CELL_TYPES = ("raw_text", "rich_text", "raw_number")
DATA_TABLE_KEYS = {"type", "block_id", "rows", "caption", "page_size", "row_header_column_index"}
# What Slack answers where it does not take a data table (FakeSlack.refuse_data_tables).
DATA_TABLE_REFUSED = "[ERROR] unsupported type: data_table [json-pointer:/blocks/0/type]"


def has_data_table(blocks: Any) -> bool:
    return isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("type") == "data_table" for b in blocks
    )


def block_problems(blocks: Any, where: str, limit: int, sdk: bool = True) -> list[str]:
    """What Slack would refuse in a list of blocks (`where` prefixes each problem)."""
    if not isinstance(blocks, list):
        return [f"{where}: blocks must be a JSON array, got {type(blocks).__name__}"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks exceeds the limit of {limit}")
    seen_ids: set[str] = set()
    tables = sum(1 for b in blocks if isinstance(b, dict) and b.get("type") == "table")
    if tables > MAX_TABLES_PER_MESSAGE:
        problems.append(f"{where}: {tables} table blocks (Slack allows one per message)")
    cells = sum(
        _cell_characters(b)
        for b in blocks
        if isinstance(b, dict) and b.get("type") in ("table", "data_table")
    )
    if cells > limits.DATA_TABLE_CHARACTERS:
        problems.append(f"{where}: the tables' cells hold {cells} characters together")
    for i, raw in enumerate(blocks):
        path = f"{where}: blocks[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{path}: block must be an object")
            continue
        if sdk and raw.get("type") != "data_table":
            # Same as Block.parse_all(blocks) + to_dict() per block, but keeps the index.
            try:
                parsed = Block.parse(raw)
                if parsed is None:
                    problems.append(f"{path}: unknown block type {raw.get('type')!r}")
                    continue
                parsed.to_dict()
            except Exception as exc:  # slack_sdk raises several types; all mean "invalid"
                problems.append(f"{path} ({raw.get('type')}): {exc}")
                continue
        problems.extend(limit_problems(raw, path))
        block_id = raw.get("block_id")
        if block_id is not None:
            if block_id in seen_ids:
                problems.append(f"{path}: duplicate block_id {block_id!r}")
            seen_ids.add(block_id)
    return problems


def view_problems(view: Any, where: str, expected_type: str | None) -> list[str]:
    """What Slack would refuse in a modal or Home view."""
    if not isinstance(view, dict):
        return [f"{where}: view must be a JSON object, got {type(view).__name__}"]
    problems = []
    vtype = view.get("type")
    if expected_type is not None and vtype != expected_type:
        problems.append(f"{where}: view type must be {expected_type!r}, got {vtype!r}")
    try:
        # Validates view attributes and, through to_dict(), every nested block.
        View(**view).to_dict()
    except Exception as exc:
        problems.append(f"{where}: {exc}")
    if vtype == "modal":
        title = text_of(view.get("title"))
        if not title:
            problems.append(f"{where}: modal title is required")
        elif len(title) > MAX_MODAL_TITLE:
            problems.append(f"{where}: modal title is {len(title)} chars (max {MAX_MODAL_TITLE})")
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and not view.get("submit"):
            problems.append(f"{where}: modals with input blocks need a submit button")
    problems.extend(
        block_problems(view.get("blocks", []), f"{where} view", MAX_VIEW_BLOCKS, sdk=False)
    )
    return problems


def limit_problems(block: dict[str, Any], path: str) -> list[str]:
    """Slack limits that slack_sdk's models don't all enforce."""
    problems = []
    btype = block.get("type")
    if btype == "section":
        text = text_of(block.get("text"))
        if len(text) > MAX_SECTION_TEXT:
            problems.append(f"{path}: section text is {len(text)} chars (max {MAX_SECTION_TEXT})")
        fields = block.get("fields") or []
        if len(fields) > MAX_SECTION_FIELDS:
            problems.append(f"{path}: {len(fields)} section fields (max {MAX_SECTION_FIELDS})")
        for j, f in enumerate(fields):
            if len(text_of(f)) > MAX_SECTION_FIELD_TEXT:
                problems.append(f"{path}: fields[{j}] exceeds {MAX_SECTION_FIELD_TEXT} chars")
        if not text and not fields:
            problems.append(f"{path}: section needs text or fields")
    elif btype == "header":
        text = text_of(block.get("text"))
        if len(text) > MAX_HEADER_TEXT:
            problems.append(f"{path}: header text is {len(text)} chars (max {MAX_HEADER_TEXT})")
    elif btype == "table":
        problems.extend(table_problems(block, path))
    elif btype == "data_table":
        problems.extend(data_table_problems(block, path))
    return problems


def data_table_problems(block: dict[str, Any], path: str = "data_table") -> list[str]:
    """A data_table block against Slack's documented schema and limits."""
    problems = [f"{path}: data_table has unknown key {k!r}" for k in set(block) - DATA_TABLE_KEYS]
    if not isinstance(block.get("caption"), str) or not block["caption"]:
        problems.append(f"{path}: data_table needs a caption")
    page_size = block.get("page_size", 5)
    if not isinstance(page_size, int) or not 1 <= page_size <= limits.DATA_TABLE_PAGE_SIZE:
        problems.append(f"{path}: page_size {page_size!r} (1 to {limits.DATA_TABLE_PAGE_SIZE})")
    rows = block.get("rows")
    if not isinstance(rows, list) or not 2 <= len(rows) <= limits.DATA_TABLE_ROWS:
        count = len(rows) if isinstance(rows, list) else rows
        return [*problems, f"{path}: {count} rows (2 to {limits.DATA_TABLE_ROWS}, header included)"]
    width = len(rows[0]) if isinstance(rows[0], list) else 0
    if not 1 <= width <= limits.DATA_TABLE_COLUMNS:
        problems.append(f"{path}: {width} columns (1 to {limits.DATA_TABLE_COLUMNS})")
    index = block.get("row_header_column_index", 0)
    if not isinstance(index, int) or not 0 <= index < max(width, 1):
        problems.append(f"{path}: row_header_column_index {index!r} is not a column")
    for r, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != width:
            problems.append(f"{path}: rows[{r}] must hold {width} cells, as the header does")
            continue
        for c, cell in enumerate(row):
            problems.extend(_data_table_cell_problems(cell, f"{path}: rows[{r}][{c}]", r == 0))
    characters = _cell_characters(block)
    if characters > limits.DATA_TABLE_CHARACTERS:
        problems.append(
            f"{path}: cells hold {characters} characters (max {limits.DATA_TABLE_CHARACTERS})"
        )
    return problems


def _data_table_cell_problems(cell: Any, path: str, header: bool) -> list[str]:
    kind = cell.get("type") if isinstance(cell, dict) else None
    if kind not in DATA_TABLE_CELL_TYPES:
        return [f"{path} has cell type {kind!r}"]
    if header and kind == "rich_text":
        return [f"{path}: a header cell may not be rich_text"]
    if kind in ("raw_text", "raw_number"):
        text = cell.get("text")
        if not isinstance(text, str) or not text:
            return [f"{path}: {kind} needs a text of at least one character"]
    if kind == "raw_number":
        value = cell.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"{path}: raw_number needs a numeric value, got {value!r}"]
    return []


def _cell_characters(block: dict[str, Any]) -> int:
    rows = block.get("rows")
    if not isinstance(rows, list):
        return 0
    return sum(
        len(str(cell.get("text") or ""))
        for row in rows
        if isinstance(row, list)
        for cell in row
        if isinstance(cell, dict)
    )


def table_problems(block: dict[str, Any], path: str = "table") -> list[str]:
    """A table block against Slack's documented schema."""
    problems = []
    rows = block.get("rows")
    if not isinstance(rows, list) or not rows:
        return [f"{path}: table needs rows"]
    if len(rows) > MAX_TABLE_ROWS:
        problems.append(f"{path}: {len(rows)} table rows (max {MAX_TABLE_ROWS})")
    for r, row in enumerate(rows):
        if not isinstance(row, list) or not row or len(row) > MAX_TABLE_CELLS:
            problems.append(f"{path}: rows[{r}] must hold 1 to {MAX_TABLE_CELLS} cells")
            continue
        for c, cell in enumerate(row):
            kind = cell.get("type") if isinstance(cell, dict) else None
            if kind not in TABLE_CELL_TYPES:
                problems.append(f"{path}: rows[{r}][{c}] has cell type {kind!r}")
            elif kind == "raw_text" and not isinstance(cell.get("text"), str):
                problems.append(f"{path}: rows[{r}][{c}] raw_text needs a text string")
    settings = block.get("column_settings")
    if settings is not None:
        if not isinstance(settings, list) or len(settings) > MAX_TABLE_CELLS:
            problems.append(f"{path}: column_settings must be a list of at most {MAX_TABLE_CELLS}")
        else:
            for c, setting in enumerate(settings):
                if setting is None:
                    continue
                if set(setting) - {"align", "is_wrapped"}:
                    problems.append(f"{path}: column_settings[{c}] has unknown keys")
                if setting.get("align", "left") not in TABLE_ALIGNS:
                    problems.append(f"{path}: column_settings[{c}] align {setting['align']!r}")
                if not isinstance(setting.get("is_wrapped", False), bool):
                    problems.append(f"{path}: column_settings[{c}] is_wrapped must be a bool")
    return problems


def text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")
