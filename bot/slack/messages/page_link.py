"""The shareable page's link under an estimate, with its "Revoke link" button, and what the
estimate says once the link is revoked."""

from __future__ import annotations

import datetime as dt

from bot.slack import limits
from bot.slack.blockkit import context_of, marked_up, plain, section_of
from bot.slack.estimate_pages import PageLink
from bot.slack.ids import PAGE_LINK_BLOCK, REVOKE_LINK_ACTION
from bot.slack.message import Message
from bot.slack.store.keys import SLACK_ID

LINK_LABEL = "Open this estimate as a web page"
REVOKE_LABEL = "Revoke link"
NOT_ALLOWED = (
    "Only the person who asked for this estimate, or a workspace admin, can revoke its link."
)
CANNOT_CHECK = "I couldn't check with Slack who may revoke this link; please try again in a minute."
STORE_DOWN = "I couldn't reach my storage to revoke this link; please try again in a minute."
ALREADY_GONE = "This estimate's link has already expired or been deleted: nobody can open it."


def link_block(link: PageLink) -> dict:
    """The link, who can see it and until when, and the button that revokes it."""
    until = _date(link.expires_at)
    # The URL is ours (an https address and a URL-safe ID): nothing in it needs escaping.
    text = (
        f"*Share:* <{link.url}|{LINK_LABEL}> (figures, every line's arithmetic, the chart, "
        f"CSV and JSON). Anyone with the link can open it until {until}."
    )
    block = section_of(marked_up(text))
    block["block_id"] = PAGE_LINK_BLOCK
    block["accessory"] = {
        "type": "button",
        "action_id": REVOKE_LINK_ACTION,
        "text": plain(REVOKE_LABEL),
        "value": link.page_id,
        "style": "danger",
        "confirm": {
            "title": plain("Revoke this link?"),
            "text": plain("The page stops working for everyone who has the link."),
            "confirm": plain("Revoke"),
            "deny": plain("Keep it"),
            "style": "danger",
        },
    }
    return block


def with_page_link(message: Message, link: PageLink) -> Message:
    """The estimate with its link just above its feedback and buttons (the message as it was
    when it has no room for another block)."""
    blocks = message.blocks
    if len(blocks) >= limits.MESSAGE_BLOCKS:
        return message
    at = next(
        (n for n, b in enumerate(blocks) if b.get("type") in ("context_actions", "actions")),
        len(blocks),
    )
    return Message(message.text, [*blocks[:at], link_block(link), *blocks[at:]])


EXPIRED = "The web page of this estimate has expired or was deleted."


def revoked_blocks(blocks: list[dict], user: str, gone: bool = False) -> list[dict]:
    """The estimate's blocks with its link replaced by a line saying who revoked it, or, for
    a page that was `gone` already (expired, forgotten), that it is: nobody revoked it."""
    who = f"<@{user}>" if SLACK_ID.fullmatch(user) else "someone"
    text = EXPIRED if gone else f"The web page of this estimate was revoked by {who}."
    said = context_of(marked_up(text))
    said["block_id"] = PAGE_LINK_BLOCK
    return [said if b.get("block_id") == PAGE_LINK_BLOCK else b for b in blocks]


def _date(seconds: int) -> str:
    day = dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    return f"{day:%B} {day.day}, {day.year}"
