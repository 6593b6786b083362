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
from bot.parsing.vocabulary import COMMANDS
from bot.parsing.words import read_word
from estimator import (
    ScenarioChange,
)


def parse(text: str) -> Parsed:
    """Read a request or a follow-up. Never raises: unplaced words come back in `unknown`."""
    tokens = tokenize(text)
    joined = " ".join(tokens)
    if joined in COMMANDS:
        return Parsed(command=COMMANDS[joined])
    if len(tokens) == 1 and tokens[0] in ("/aicost",):
        return Parsed(command=Command.form)
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
