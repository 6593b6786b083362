"""All line items of a scenario, in category order: the one place the categories are assembled."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(slots=True)
class Parts:
    """A scenario's lines grouped by the figures they read, for the sensitivity to re-price only
    the groups that read usage (daily share, requests, tokens)."""

    app_tier: list[LineItem]  # infrastructure and extra regions: traffic (and a GPU fleet)
    inference: list[LineItem]  # traffic, tokens and which usage figures are given
    engineering: list[LineItem]  # stage and hosting
    records: list[LineItem]  # storage sized by stored records
    transcripts: LineItem  # storage sized by traffic and tokens
    rest: list[LineItem]  # security, team, support, legal: stage, users and scope

    def lines(self) -> list[LineItem]:
        """Every line, in the order estimates list and sum them (_PARTS keeps it too)."""
        return self.lines_with(self.app_tier, self.inference, self.transcripts)

    def lines_with(
        self, app_tier: list[LineItem], inference: list[LineItem], transcripts: LineItem
    ) -> list[LineItem]:
        """Every line, with these groups priced again for other usage, in the same order."""
        return [
            *app_tier,
            *inference,
            *self.engineering,
            *self.records,
            transcripts,
            *self.rest,
        ]


def parts(s: Scenario, t: Traffic) -> Parts:
    """The scenario's lines under the prices active now, without a price book's notes (see
    line_items); `t` is its traffic."""
    return Parts(
        app_tier=[*infrastructure.lines(s, t), *regions.lines(s, t)],
        inference=inference.lines(s, t),
        engineering=engineering.lines(s),
        records=storage.records_lines(s),
        transcripts=storage.transcripts_line(s, t),
        rest=[*security.lines(s), *team.lines(s), *support.lines(s), *legal.lines(s)],
    )


def line_items(s: Scenario, t: Traffic | None = None) -> list[LineItem]:
    """`t` is the scenario's traffic when the caller has it already."""
    book = facts.active()
    if book is not None:
        return _priced_with(book, s)
    return parts(s, t or traffic(s)).lines()


def usage_variants(s: Scenario, own: Parts | None = None) -> Callable[[Scenario], list[LineItem]]:
    """`lines(v)`: the line amounts of `v`, a copy of `s` with other usage figures (daily share,
    requests, tokens in and out, and which of them are given), as the sensitivity re-prices it.
    `own`: the parts of `s` when its estimate made them already.

    Engineering, the stored records, security, team, support and legal read none of those
    figures: they stay the scenario's own, priced under the prices active now. The lines keep
    their order (Parts.lines), so a sum over them is bit-identical to one over `line_items(v)`.
    For amounts only: no basis is pinned to a price book here."""
    own_traffic = traffic(s)
    if own is None:
        own = parts(s, own_traffic)
    # Token counts move no traffic, and an API-hosted app tier reads no other usage figure: a
    # variant with the scenario's own traffic keeps its infrastructure and regions lines.
    api = s.hosting is Hosting.api

    def lines(v: Scenario) -> list[LineItem]:
        t = traffic(v)
        if api and t == own_traffic:
            app_tier = own.app_tier
        else:
            app_tier = [*infrastructure.lines(v, t), *regions.lines(v, t)]
        return own.lines_with(app_tier, inference.lines(v, t), storage.transcripts_line(v, t))

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
