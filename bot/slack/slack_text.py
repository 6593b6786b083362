"""Text as Slack sends it, made plain before it is parsed.

Slack escapes `&`, `<` and `>` (`&amp;`, `&lt;`, `&gt;`) in every text it sends and writes
mentions and links as markup: `<@U123>` or `<@U123|ana>` for a person, `<#C123|general>` for a
channel, `<!here>` for a broadcast, `<https://…|label>` for a link. Read raw, a typed "&" is
an unknown word and a mention is gibberish to the parser.
"""

from __future__ import annotations

import re

# <…> markup: a person, a channel, a special mention, a user group, or a link; `|label` optional.
_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
_GREETINGS = frozenset(
    {"hi", "hello", "hey", "hiya", "howdy", "yo", "hi there", "hello there", "good morning"}
)


def plain(text: str, bot_user_id: str | None = None) -> str:
    """`text` as the person typed it: the bot's own mention removed, other mentions as @name
    or #name, links as their label (or address), `&amp;` `&lt;` `&gt;` decoded (last, so a
    decoded `<` is never read as markup)."""

    def replace(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            if bot_user_id and target == bot_user_id:
                return " "
            return "@" + (label or target)
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":  # <!here>, <!channel>, <!subteam^S123|@team>, <!date^…|fallback>
            if label:
                return label
            return "@" + target.split("^")[0]
        return label or target

    text = _MARKUP.sub(replace, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    # "soc2 & gdpr": an ampersand standing alone between words joins them, as "and" does.
    return " ".join("and" if word == "&" else word for word in text.split())


def is_greeting(text: str) -> bool:
    """A hello (or nothing at all) rather than a question: answered with a greeting and help."""
    words = re.sub(r"[^\w\s]", "", text.lower()).strip()
    return not words or words in _GREETINGS
