"""The Block Kit toolkit every message, modal and Home view is built from (plain dicts).

`mrkdwn` is the one way echoed text reaches mrkdwn: it escapes, so a model name or an unknown word
typed by a user can never mention anyone or smuggle a link. `marked_up` is for text carrying the
bot's own markup (a link, a mention, a date), whose echoed parts the caller escaped.
"""

from __future__ import annotations

from typing import Any

from bot.slack import limits


def escape(text: str) -> str:
    """Escape &, < and > the way Slack requires, so echoed text can never become a mention
    (<!channel>, <@U1>) or a link; `&` first, or the other entities would be escaped twice."""
    # Most texts have none of the three, and looking is far cheaper than replacing in a text with
    # "•" or "–" (str.replace is slow on non-ASCII strings; "Performance idioms" in
    # docs/architecture.md).
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- text objects -------------------------------------------------------------------------------


def marked_up(text: str, verbatim: bool = True) -> dict[str, Any]:
    """A mrkdwn text object of `text` as given: the caller escaped what it echoes."""
    # verbatim: Slack does not auto-link names or URLs in text we did not mark up ourselves.
    if verbatim:
        return {"type": "mrkdwn", "text": text, "verbatim": True}
    return {"type": "mrkdwn", "text": text}


def mrkdwn(text: str, verbatim: bool = True) -> dict[str, Any]:
    """A mrkdwn text object of `text`, escaped."""
    return marked_up(escape(text), verbatim)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


# --- blocks -------------------------------------------------------------------------------------


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text)}


def section_of(text: dict | None = None, fields: list[dict] | None = None) -> dict:
    """A section of text objects made already (by `mrkdwn` or `marked_up`)."""
    block: dict[str, Any] = {"type": "section"}
    if text is not None:
        block["text"] = text
    if fields:
        block["fields"] = fields
    return block


def section(text: str | None = None, fields: list[str] | None = None) -> dict:
    """A section of mrkdwn `text` and `fields`, escaped."""
    return section_of(
        None if text is None else mrkdwn(text), [mrkdwn(f) for f in fields] if fields else None
    )


def escaped_section(text: str) -> dict:
    """A section of mrkdwn `text` that its caller escaped already (to measure it)."""
    return section_of(marked_up(text))


def context_of(*elements: dict) -> dict:
    return {"type": "context", "elements": list(elements)}


def context(*texts: str) -> dict:
    """A context block of mrkdwn `texts`, escaped."""
    return context_of(*(mrkdwn(t) for t in texts))


def button(action_id: str, label: str, value: str, primary: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(label),
        "value": value,
    }
    if primary:
        element["style"] = "primary"
    return element


def actions(*elements: dict) -> dict:
    return {"type": "actions", "elements": list(elements)}


# --- tables -------------------------------------------------------------------------------------


def table_block(rows: list[tuple[str, ...]]) -> dict:
    """A Slack table block: the first row a header, the first column left-aligned, the rest
    (amounts) right-aligned. Cells are raw text, which Slack never parses for mentions."""
    columns = len(rows[0])
    return {
        "type": "table",
        "column_settings": [{"align": "left", "is_wrapped": True}]
        + [{"align": "right"}] * (columns - 1),
        "rows": [[{"type": "raw_text", "text": cell or " "} for cell in row] for row in rows],
    }


def table_cells(block: dict) -> list[tuple[str, ...]]:
    return [tuple(cell.get("text", "").strip() for cell in row) for row in block["rows"]]


def plain_table(rows: list[tuple[str, ...]]) -> str:
    """The rows as aligned plain text (first column left-aligned, amounts right-aligned), for
    the notification fallback beside a table block."""
    widths = [max(map(len, column)) for column in zip(*rows, strict=True)]
    first, amounts = widths[0], widths[1:]
    lines = [
        "  ".join([row[0].ljust(first), *map(str.rjust, row[1:], amounts)]).rstrip() for row in rows
    ]
    return "\n".join(lines)


def monospace_table(rows: list[tuple[str, ...]]) -> str:
    """The plain table in a code block."""
    return f"```\n{plain_table(rows)}\n```"


def text_cell(text: str) -> dict:
    """A data table's text cell (Slack wants at least one character)."""
    return {"type": "raw_text", "text": text or "–"}


def number_cell(value: float, text: str) -> dict:
    """A data table's number cell: `value` is what a sort compares, `text` what is shown."""
    return {"type": "raw_number", "value": round(value, 2), "text": text or "–"}


def data_table(
    caption: str, header: tuple[str, ...], rows: list[list[dict]], page_size: int
) -> dict:
    """Slack's data_table block: a header row of text, then rows people can sort by any column
    (numerically where every cell of it is a number) and page through; the caption names it."""
    return {
        "type": "data_table",
        "caption": caption,
        "page_size": page_size,
        "rows": [[text_cell(name) for name in header], *rows],
    }


def table_of(block: dict) -> dict:
    """A data_table as a table block, for where Slack refuses data tables: the same cells, numbers
    as their text, right-aligned like every amount."""
    rows = [[text_cell(cell.get("text", "")) for cell in row] for row in block["rows"]]
    first = block["rows"][1] if len(block["rows"]) > 1 else block["rows"][0]
    numeric = [cell.get("type") == "raw_number" for cell in first]
    return {
        "type": "table",
        "column_settings": [
            {"align": "right"} if number else {"align": "left", "is_wrapped": True}
            for number in numeric
        ],
        "rows": rows,
    }


def cell_characters(block: dict) -> int:
    """The characters of a table's or data table's cells, as Slack counts them against a limit."""
    return sum(len(cell.get("text", "")) for row in block.get("rows", []) for cell in row)


# --- modals -------------------------------------------------------------------------------------


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def select(options: list[dict], value: str) -> dict:
    """A static select with `value` chosen when it is one of the options."""
    element: dict[str, Any] = {"type": "static_select", "options": options}
    chosen = [o for o in options if o["value"] == value]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def text_input(initial: str, max_length: int, placeholder: str | None = None) -> dict:
    """A plain text input holding `initial` (none when empty)."""
    element: dict[str, Any] = {"type": "plain_text_input"}
    if initial:
        element["initial_value"] = initial
    element["max_length"] = max_length
    if placeholder is not None:
        element["placeholder"] = plain(placeholder)
    return element


def input_block(
    block_id: str, label: str, element: dict, hint: str, optional: bool = False
) -> dict:
    """One labelled input of a modal; its action_id is its block_id."""
    block_id = str(block_id)  # a FormField or SettingsField: its value
    block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": block_id},
        "hint": plain(hint),
    }
    if optional:
        block["optional"] = True
    return block


def modal(
    callback_id: str,
    title: str,
    submit: str,
    blocks: list[dict],
    private_metadata: str | None = None,
) -> dict:
    """A modal view within Slack's limits (the estimate form, the settings modal)."""
    view = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[: limits.MODAL_TITLE]),
        "submit": plain(submit[: limits.MODAL_BUTTON]),
        "close": plain("Cancel"[: limits.MODAL_BUTTON]),
        "blocks": blocks[: limits.MODAL_BLOCKS],
    }
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    return view


# --- reading a submission -----------------------------------------------------------------------


def submitted(state_values: dict, block_id: str) -> dict:
    """The submitted state of one input (`view.state.values`), or {} whatever shape it has."""
    block = state_values.get(block_id) if isinstance(state_values, dict) else None
    element = block.get(block_id) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def selected(element: dict) -> str:
    """The value of a select's chosen option; "" when none."""
    option = element.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else ""
