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
from estimator.money import shown_in
from estimator.prices import PriceBook
from estimator.scenario import Hosting, Scenario
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


def line_items(s: Scenario, t: Traffic | None = None) -> list[LineItem]:
    """`t` is the scenario's traffic when the caller has it already."""
    book = facts.active()
    if book is not None:
        return _priced_with(book, s)
    if t is None:
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


def usage_variants(s: Scenario) -> Callable[[Scenario], list[LineItem]]:
    """`lines(v)`: the line amounts of `v`, a copy of `s` with other usage figures (daily share,
    requests, tokens in and out, and which of them are given), as the sensitivity re-prices it.

    Engineering, the stored records, security, team, support and legal read none of those
    figures: they are priced once, for `s`, under the prices active now. The list keeps
    `line_items`' order, so a sum over it is bit-identical to one over `line_items(v)`. For
    amounts only: no basis is pinned to a price book here."""
    fixed_engineering = engineering.lines(s)
    fixed_records = storage.records_lines(s)
    fixed_tail = [*security.lines(s), *team.lines(s), *support.lines(s), *legal.lines(s)]
    # Token counts move no traffic, and an API-hosted app tier reads no other usage figure: a
    # variant with the scenario's own traffic keeps its infrastructure and regions lines.
    own_traffic = traffic(s)
    own_app_tier = (
        [*infrastructure.lines(s, own_traffic), *regions.lines(s, own_traffic)]
        if s.hosting is Hosting.api
        else None
    )

    def lines(v: Scenario) -> list[LineItem]:
        t = traffic(v)
        if own_app_tier is not None and t == own_traffic:
            app_tier = own_app_tier
        else:
            app_tier = [*infrastructure.lines(v, t), *regions.lines(v, t)]
        return [
            *app_tier,
            *inference.lines(v, t),
            *fixed_engineering,
            *fixed_records,
            storage.transcripts_line(v, t),
            *fixed_tail,
        ]

    return lines


def _priced_with(book: PriceBook, s: Scenario) -> list[LineItem]:
    """The lines under an organisation's prices, each basis worded under the same prices whenever
    it is read. A line whose amount a price-file entry or the cloud multiplier moved says so:
    each is checked by pricing the line without it."""
    o = book.overrides
    without: dict[str, dict[str, tuple[float, float]]] = {}
    if o.entries:
        without["entries"] = _amounts(PriceBook(o.model_copy(update={"entries": {}})), s)
    if o.cloud_multiplier != 1.0:
        without["cloud"] = _amounts(PriceBook(o.model_copy(update={"cloud_multiplier": 1.0})), s)
    t = traffic(s)
    items: list[LineItem] = []
    for module, part in _PARTS:
        with book.recording() as seen:
            made = part(s, t)
        names = seen | {n for n in facts.held_by(module) if book.overridden(n)}
        for item in made:
            amount = (item.low, item.high)
            note = book.note(
                names,
                entries=without.get("entries", {}).get(item.key, amount) != amount,
                cloud=without.get("cloud", {}).get(item.key, amount) != amount,
            )
            items.append(dataclasses.replace(item, explain=_pinned(book, item.explain, note)))
    return items


def _amounts(book: PriceBook, s: Scenario) -> dict[str, tuple[float, float]]:
    with facts.using(book):
        t = traffic(s)
        return {item.key: (item.low, item.high) for _, part in _PARTS for item in part(s, t)}


def _pinned(book: PriceBook, explain: Callable[[], str], note: str) -> Callable[[], str]:
    def worded() -> str:
        with facts.using(book), shown_in(None):  # worked in USD, the data file's currency
            return explain() + note

    return worded
