"""Free text -> a scenario change or a command: numbers first, each claiming its unit words,
then the words left over. Every word it cannot place comes back in `unknown`."""

from __future__ import annotations

from bot.parsing.hosting import settle_hosting
from bot.parsing.hosts import settle_host
from bot.parsing.models import join_model_names
from bot.parsing.numbers import read_number_at, settle_daily_users
from bot.parsing.reading import Command, Parsed, Reading, two_models
from bot.parsing.spelling import correct
from bot.parsing.text import tokenize
from bot.parsing.vocabulary import (
    ADD_WORDS,
    COMMANDS,
    FILLER,
    MULTIPLIERS,
    NUMBER,
    REMOVE_WORDS,
    USER_WORDS,
)
from bot.parsing.words import read_word
from estimator import (
    ScenarioChange,
)


def parse(text: str) -> Parsed:
    """Read a request or a follow-up. Never raises: unplaced words come back in `unknown`."""
    tokens = tokenize(text)
    command = _command(tokens)
    if command is not None:
        return Parsed(command=command)
    r = Reading()
    tokens = join_model_names(correct(tokens, r.notes))
    used = [False] * len(tokens)
    # Numbers first: each claims the unit words around it ("cache 40%", "prototype $80k").
    numbers_unread = []
    for i in range(len(tokens)):
        if used[i]:
            continue
        used[i] = True
        if not read_number_at(tokens, i, used, r):
            used[i] = False
            numbers_unread.append(i)
    for i in numbers_unread:
        if used[i]:
            continue
        used[i] = True
        if not read_word(tokens, i, used, r):
            r.unknown.append(tokens[i])
    settle_daily_users(r)  # after every number: the daily share may come after them
    models = list(dict.fromkeys(r.models))
    if len(models) > 1:
        r.problems.append(two_models(models))
    settle_hosting(r)
    settle_host(r)
    change = ScenarioChange(
        set=r.values,
        scale_users=r.scale,
        add_compliance=tuple(dict.fromkeys(r.add)),
        remove_compliance=tuple(dict.fromkeys(r.remove)),
    )
    return Parsed(
        change=change,
        unknown=tuple(dict.fromkeys(r.unknown)),
        compliance_named=tuple(dict.fromkeys(r.add)),
        no_compliance=r.no_compliance,
        problems=tuple(dict.fromkeys(r.problems)),
        models=tuple(dict.fromkeys(r.models + r.left_behind)),
        notes=tuple(dict.fromkeys(r.notes)),
    )


def _command(tokens: list[str]) -> Command | None:
    joined = " ".join(tokens)
    if joined in COMMANDS:
        return COMMANDS[joined]
    if len(tokens) == 1 and tokens[0] in ("/aicost",):
        return Command.form
    return None


# Words `parse` may read as nothing: fillers, "with" and "without", and the words a number read
# as "0x" takes with it (its multiplier, "users"). Any other word is read as something (a number,
# a stage, a model...) or named back as unknown; a model is read as nothing only after "from" or
# "instead of" (the one moved away from).
_CAN_SAY_NOTHING = FILLER | ADD_WORDS | REMOVE_WORDS | USER_WORDS | set(MULTIPLIERS)


def asks_for_form(text: str) -> bool:
    """Whether `/aicost <text>` asks for the form: "form" (or "edit"), or text read as nothing
    with no word unknown. The same as `parse` decides, without reading model names in most
    texts: that needs the price tables, which the bot's event loop does not otherwise load."""
    tokens = tokenize(text)
    command = _command(tokens)
    if command is not None:
        return command is Command.form
    words = correct(tokens, [])
    if "from" not in words and "instead" not in words and any(map(_read_as_something, words)):
        return False
    parsed = parse(text)
    if parsed.command is not None:
        return parsed.command is Command.form
    return not parsed.understood_anything and not parsed.unknown


def _read_as_something(word: str) -> bool:
    """`parse` reads `word` as something or names it unknown, wherever it stands."""
    if word in _CAN_SAY_NOTHING:
        return False
    number = NUMBER.match(word)
    return number is None or number.group("suffix") != "x"  # "0x" scales users by nothing
