"""Free text -> a scenario change or a command, shared by Slack and the terminal.

Understands requests ("10000 users startup", "$80k prototype", "soc2 gdpr", "self-hosted h100",
"cache 40%", "99.99") and follow-ups ("what if 50k users", "with caching", "add hipaa",
"use claude-haiku-4-5", "undo"). Every word it cannot place is returned in `unknown` and named back
to the user; nothing is dropped silently. It raises nothing but its own InputError.

The modules, in reading order: text (normalising, tokens), vocabulary (the words), reading (the
result and the shared state), numbers and words (the readers), parser (`parse`), scenarios (a
reading -> a scenario), questions (compare, break-even).
"""

from bot.parsing.numbers import read_number
from bot.parsing.parser import asks_for_form, parse
from bot.parsing.questions import (
    BREAKEVEN_EXAMPLE,
    COMPARE_EXAMPLE,
    breakeven_question,
    breakeven_sides,
    compare_options,
    is_compare,
)
from bot.parsing.reading import Command, InputError, Parsed
from bot.parsing.scenarios import (
    EXAMPLES,
    FOLLOW_UP_EXAMPLES,
    first_scenario,
    follow_up,
    notes_for,
    scenario_from,
    unknown_message,
)
from bot.parsing.text import normalize, tokenize
from estimator import (
    close_matches,
)

__all__ = [
    "BREAKEVEN_EXAMPLE",
    "COMPARE_EXAMPLE",
    "EXAMPLES",
    "FOLLOW_UP_EXAMPLES",
    "Command",
    "InputError",
    "Parsed",
    "asks_for_form",
    "breakeven_question",
    "breakeven_sides",
    "close_matches",
    "compare_options",
    "first_scenario",
    "follow_up",
    "is_compare",
    "normalize",
    "notes_for",
    "parse",
    "read_number",
    "scenario_from",
    "tokenize",
    "unknown_message",
]
