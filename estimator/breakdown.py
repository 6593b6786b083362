"""All line items of a scenario, in category order: the one place the categories are assembled."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from estimator import facts
from estimator.costs import (
    engineering,
    inference,
    infrastructure,
    legal,
    regions,
    security,
    storage,
    support,
    team,
)
from estimator.lines import LineItem
from estimator.scenario import Scenario
from estimator.traffic import Traffic, traffic

_PARTS: tuple[tuple[str, Callable[[Scenario, Traffic], list[LineItem]]], ...] = (
    (infrastructure.__name__, infrastructure.lines),
    (regions.__name__, regions.lines),
    (inference.__name__, inference.lines),
    (engineering.__name__, lambda s, t: engineering.lines(s)),
    (storage.__name__, storage.lines),
    (security.__name__, lambda s, t: security.lines(s)),
    (team.__name__, lambda s, t: team.lines(s)),
    (support.__name__, lambda s, t: support.lines(s)),
    (legal.__name__, lambda s, t: legal.lines(s)),
)


def line_items(s: Scenario) -> list[LineItem]:
    book = facts.active()
    if book is not None:
        return _priced_with(book, s)
    t = traffic(s)
    return [
        *infrastructure.lines(s, t),
        *regions.lines(s, t),
        *inference.lines(s, t),
        *engineering.lines(s),
        *storage.lines(s, t),
        *security.lines(s),
        *team.lines(s),
        *support.lines(s),
        *legal.lines(s),
    ]


def _priced_with(book: facts.Book, s: Scenario) -> list[LineItem]:
    """The lines under an organisation's prices. A line whose amount differs from the bundled
    prices' says which overridden figures its part of the estimator read; every basis is worded
    under the same prices whenever it is read."""
    with facts.using(None):
        bundled_t = traffic(s)
        bundled = {item.key: item for _, part in _PARTS for item in part(s, bundled_t)}
    t = traffic(s)
    items: list[LineItem] = []
    for module, part in _PARTS:
        with book.recording() as seen:  # type: ignore[attr-defined]
            made = part(s, t)
        names = seen | {n for n in facts.held_by(module) if book.origin(n) != "bundled"}  # type: ignore[attr-defined]
        for item in made:
            before = bundled.get(item.key)
            moved = before is None or (before.low, before.high) != (item.low, item.high)
            note = book.note(names) if moved else ""  # type: ignore[attr-defined]
            items.append(dataclasses.replace(item, explain=_pinned(book, item.explain, note)))
    return items


def _pinned(book: facts.Book, explain: Callable[[], str], note: str) -> Callable[[], str]:
    def worded() -> str:
        with facts.using(book):
            return explain() + note

    return worded
