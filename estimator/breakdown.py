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
    """A scenario's lines grouped by the figures they read, for a variant of it (other usage,
    users or hosting) to price again only the groups that read what the variant changes."""

    app_tier: list[LineItem]  # infrastructure and extra regions: traffic (and a GPU fleet)
    inference: list[LineItem]  # traffic, tokens, model and hosting, which usage figures are given
    engineering: list[LineItem]  # stage and hosting
    records: list[LineItem]  # storage sized by stored records (the users', unless given)
    transcripts: LineItem  # storage sized by traffic and tokens
    security: list[LineItem]  # stage and compliance
    team: list[LineItem]  # stage, users, scope and hosting
    support: list[LineItem]  # users
    legal: list[LineItem]  # stage

    def lines(self) -> list[LineItem]:
        """Every line, in the order estimates list and sum them."""
        return _in_order(
            self.app_tier,
            self.inference,
            self.engineering,
            self.records,
            self.transcripts,
            self.security,
            self.team,
            self.support,
            self.legal,
        )


def _in_order(
    app_tier: list[LineItem],
    inference: list[LineItem],
    engineering: list[LineItem],
    records: list[LineItem],
    transcripts: LineItem,
    security: list[LineItem],
    team: list[LineItem],
    support: list[LineItem],
    legal: list[LineItem],
) -> list[LineItem]:
    """The groups' lines in the order estimates list and sum them (_PARTS keeps it too), so a sum
    over a variant's lines is bit-identical to one over `line_items` of the variant."""
    return [
        *app_tier,
        *inference,
        *engineering,
        *records,
        transcripts,
        *security,
        *team,
        *support,
        *legal,
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
        security=security.lines(s),
        team=team.lines(s),
        support=support.lines(s),
        legal=legal.lines(s),
    )


def line_items(s: Scenario, t: Traffic | None = None) -> list[LineItem]:
    """`t` is the scenario's traffic when the caller has it already."""
    book = facts.active()
    if book is not None:
        return _priced_with(book, s)
    return parts(s, t or traffic(s)).lines()


# The variants below are priced under the prices active now, like `own` was, and are for amounts
# only: no basis is pinned to a price book. Each is checked line for line against `line_items` of
# the variant (tests/test_sensitivity.py, tests/test_estimator_properties.py).


def usage_variants(s: Scenario, own: Parts | None = None) -> Callable[[Scenario], list[LineItem]]:
    """`lines(v)`: the lines of `v`, a copy of `s` with other usage figures (daily share,
    requests, tokens in and out, and which of them are given), as the sensitivity re-prices it.
    `own`: the parts of `s` when its estimate made them already.

    Engineering, the stored records, security, team, support and legal read none of those
    figures: they stay the scenario's own."""
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
        return _in_order(
            app_tier,
            inference.lines(v, t),
            own.engineering,
            own.records,
            storage.transcripts_line(v, t),
            own.security,
            own.team,
            own.support,
            own.legal,
        )

    return lines


def at_other_users(v: Scenario, own: Parts) -> list[LineItem]:
    """The lines of `v`, a copy of the parts' scenario with other users (year two, ten times as
    many): engineering, security and legal read no users, so they stay its own."""
    t = traffic(v)
    return _in_order(
        [*infrastructure.lines(v, t), *regions.lines(v, t)],
        inference.lines(v, t),
        own.engineering,
        storage.records_lines(v),
        storage.transcripts_line(v, t),
        own.security,
        team.lines(v),
        support.lines(v),
        own.legal,
    )


def hosted_otherwise(v: Scenario, own: Parts) -> list[LineItem]:
    """The lines of `v`, the parts' scenario on the other hosting with another model (the
    break-even's other side, same usage and so the same traffic): the stored records,
    transcripts, security, support and legal read neither, so they stay its own."""
    t = traffic(v)
    return _in_order(
        [*infrastructure.lines(v, t), *regions.lines(v, t)],
        inference.lines(v, t),
        engineering.lines(v),
        own.records,
        own.transcripts,
        own.security,
        team.lines(v),
        own.support,
        own.legal,
    )


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
