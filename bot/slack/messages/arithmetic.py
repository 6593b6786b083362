"""The arithmetic behind every line of an estimate, posted in its thread: the lines as a
sortable table, then each line's quantity x unit price."""

from __future__ import annotations

from bot.slack import limits
from bot.slack.blockkit import context, escape, escaped_section, section
from bot.slack.fitting import message
from bot.slack.message import Message
from bot.slack.messages.line_items import line_items_table
from estimator import (
    CATEGORIES,
    Cadence,
    Category,
    Estimate,
    LineItem,
    ShownCurrency,
    usd_range,
)
from estimator import (
    PHASE_READING as READING,
)

DATA_FILE = "estimator/data/costs.toml"
_CADENCE = {Cadence.one_time: " one-time", Cadence.monthly: "/month", Cadence.annual: "/year"}


def _line(item: LineItem, shown: ShownCurrency) -> str:
    # Full figures, not $2.5k: this is the part a person checks against the basis by hand.
    amount, cadence = usd_range(item.low, item.high, shown), _CADENCE[item.cadence]
    return f"• *{item.item}*: {amount}{cadence}\n      = {item.basis}"


# Each category's heading in the arithmetic, escaped ("Security &amp; compliance") once.
_HEADINGS = {category: escape(f"*{category.label}*") for category in CATEGORIES}


def _category_sections(
    category: Category, items: list[LineItem], shown: ShownCurrency
) -> list[dict]:
    """One category's lines in as few sections as SECTION_TEXT allows (measured escaped, as
    Slack counts them)."""
    sections: list[dict] = []
    # Each line is escaped once, to measure it; the joined lines are then the section's text as
    # section would escape it (escaping works character by character).
    lines = [_HEADINGS[category]]
    size = len(lines[0])
    for item in items:
        line = escape(_line(item, shown))
        grown = size + 1 + len(line)
        if len(lines) > 1 and grown > limits.SECTION_TEXT:
            sections.append(escaped_section("\n".join(lines)))
            lines = [escape(f"*{category.label}* (continued)")]
            grown = len(lines[0]) + 1 + len(line)
        lines.append(line)
        size = grown
    sections.append(escaped_section("\n".join(lines)))
    return sections


def _sources(e: Estimate) -> dict:
    if e.token_prices:
        p = e.token_prices
        tokens = (
            f"Token prices: genai-prices bundled data ({p.provider}, {p.model}: {p.per_mtok()})."
        )
    else:
        tokens = "Self-hosted: GPUs are priced per hour instead of tokens."
    return context(
        f"{tokens} Every other figure: `{DATA_FILE}`, each with its source and the date it was "
        "checked.",
        READING,
    )


def arithmetic(e: Estimate) -> list[Message]:
    title = "How these numbers were computed"
    blocks = [
        section(f"*{title}*\nEach line is quantity × unit price, as a low–high range."),
        line_items_table(e),  # a table block where Slack refuses data tables (fitting.py)
    ]
    by_category: dict[Category, list[LineItem]] = {}
    for item in e.line_items:
        by_category.setdefault(item.category, []).append(item)
    for category in CATEGORIES:
        if category in by_category:
            blocks += _category_sections(category, by_category[category], e.shown)
    blocks.append(_sources(e))
    size = limits.MESSAGE_BLOCKS
    pages = [blocks[i : i + size] for i in range(0, len(blocks), size)]
    if len(pages) == 1:
        return [message(title, pages[0])]
    return [message(f"{title} ({n}/{len(pages)})", page) for n, page in enumerate(pages, 1)]
