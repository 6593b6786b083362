"""The parser against a corpus of phrasings written the way people type (tests/bot/phrasings.py):
it understands at least 95% of them, and never misreads one silently: whatever it does not
understand, it names back."""

from __future__ import annotations

import pytest

from bot.parsing import (
    InputError,
    breakeven_question,
    breakeven_sides,
    compare_options,
    is_compare,
    parse,
)
from estimator.breakeven import pair
from estimator.families import resolve_family
from tests.bot.phrasings import PHRASINGS

_FIELDS_ELSEWHERE = {"compliance", "scale_users", "no_compliance"}


def _model(expected: str) -> str:
    host, family, name = expected.partition("family:")  # "aws/family:claude": on a host
    if family:
        return host + resolve_family(name).model
    return expected


def _reading(text: str, expected: dict) -> tuple[bool, bool]:
    """(understood as expected, anything not understood was named back)."""
    if "compare" in expected:
        return _comparison(text, expected["compare"])
    if "breakeven" in expected:
        return _breakeven(text, *expected["breakeven"])
    parsed = parse(text)
    named_back = bool(parsed.unknown or parsed.problems)
    want = {k: v for k, v in expected.items() if k not in _FIELDS_ELSEWHERE}
    if "model" in want:
        want["model"] = _model(want["model"])
    got = dict(parsed.change.set)
    understood = (
        not named_back
        and got == want
        and {c.value for c in parsed.change.add_compliance} == expected.get("compliance", set())
        and parsed.change.scale_users == expected.get("scale_users")
        and parsed.no_compliance == expected.get("no_compliance", False)
    )
    return understood, named_back


def _comparison(text: str, options: list) -> tuple[bool, bool]:
    if not is_compare(text):
        return False, bool(parse(text).unknown)
    try:
        read = compare_options(text)
    except InputError:
        return False, True
    shown = [{s.model, s.stage.value, s.regions} for _, s in read]
    wanted = [_model(o) if isinstance(o, str) else o for o in options]
    understood = len(shown) == len(wanted) and all(
        w in got for w, got in zip(wanted, shown, strict=True)
    )
    return understood, False


def _breakeven(text: str, self_hosted: str, api: str) -> tuple[bool, bool]:
    rest = breakeven_question(text)
    if rest is None:
        return False, bool(parse(text).unknown)
    try:
        scenario, other = breakeven_sides(rest)
    except InputError:
        return False, True
    hosted, on_api = pair(scenario, other)
    return (hosted.model, on_api.model) == (_model(self_hosted), _model(api)), False


def test_the_corpus_is_large_and_has_no_repeats():
    texts = [text for text, _ in PHRASINGS]
    assert len(texts) >= 300
    assert len(set(texts)) == len(texts)


def test_the_parser_understands_at_least_95_percent_of_the_corpus():
    missed = [text for text, expected in PHRASINGS if not _reading(text, expected)[0]]
    share = 1 - len(missed) / len(PHRASINGS)
    assert share >= 0.95, f"{share:.1%} understood; missed: {missed}"


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t for t, _ in PHRASINGS])
def test_a_phrasing_is_understood_or_its_unread_words_are_named_back(text, expected):
    understood, named_back = _reading(text, expected)
    assert understood or named_back, f"{text!r} was misread without a word"
