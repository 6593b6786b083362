"""All line items of a scenario, in category order: the one place the categories are assembled."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from estimator.costs import (
    app_tier,
    engineering,
    inference,
    infrastructure,
    legal,
    regions,
    retrieval,
    security,
    self_hosting,
    storage,
    support,
    team,
)
from estimator.lines import Amounts, Cadence, Category, LineItem
from estimator.price_book import BUNDLED_BOOK, PriceBook, price_book
from estimator.scenario import Hosting, Scenario
from estimator.traffic import Traffic, traffic

# Each category's lines, with the data file's figures its module names as the ones it is priced
# with (engineering, security and legal read only the article's ranges, by the line's own name).
_PARTS: tuple[tuple[tuple[str, ...], Callable[[Scenario, Traffic, PriceBook], list[LineItem]]], ...]
_PARTS = (
    (infrastructure.FIGURES, infrastructure.lines),
    (regions.FIGURES, regions.lines),
    (inference.FIGURES, inference.lines),
    ((), lambda s, t, prices: engineering.lines(s, prices)),
    (storage.FIGURES, storage.lines),
    ((), lambda s, t, prices: security.lines(s, prices)),
    (team.FIGURES, lambda s, t, prices: team.lines(s, prices)),
    (support.FIGURES, lambda s, t, prices: support.lines(s, prices)),
    (legal.FIGURES, lambda s, t, prices: legal.lines(s, prices)),
)


@dataclass(slots=True)
class Parts:
    """A scenario's lines grouped by the figures they read, for a variant of it (other usage,
    users or hosting) to price again only the groups that read what the variant changes."""

    infrastructure: list[LineItem]  # traffic (and the GPU fleet when self-hosted)
    regions: list[LineItem]  # extra regions: traffic and stored records
    inference: list[LineItem]  # traffic, tokens, model and hosting, which usage figures are given
    engineering: list[LineItem]  # stage and hosting
    records: list[LineItem]  # storage sized by stored records (the users', unless given)
    transcripts: LineItem  # storage sized by traffic and tokens
    security: list[LineItem]  # stage and compliance
    team: list[LineItem]  # stage, users, scope and hosting
    support: list[LineItem]  # users
    legal: list[LineItem]  # stage and stored records (cyber cover)
    # The app tier's lines that read no hosting (in `infrastructure`), for a variant on other
    # hosting or GPU prices with the same traffic to take as they are.
    app: app_tier.AppTier | None = None

    def lines(self) -> list[LineItem]:
        """Every line, in the order estimates list and sum them."""
        return _in_order(
            self.infrastructure,
            self.regions,
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
    infrastructure: list[LineItem],
    regions: list[LineItem],
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
        *infrastructure,
        *regions,
        *inference,
        *engineering,
        *records,
        transcripts,
        *security,
        *team,
        *support,
        *legal,
    ]


def _gpu_fleet(s: Scenario, t: Traffic, prices: PriceBook) -> self_hosting.Fleet | None:
    """The self-hosted GPU fleet for `t`, sized once for the infrastructure and inference lines
    that both read it; None on an API."""
    return self_hosting.fleet(s, t, prices) if s.hosting is Hosting.self_hosted else None


def parts(s: Scenario, t: Traffic, prices: PriceBook) -> Parts:
    """The scenario's lines priced with `prices`, without own prices' notes (see line_items);
    `t` is its traffic."""
    gpus = _gpu_fleet(s, t, prices)
    app = app_tier.priced(s, t, prices)
    return Parts(
        infrastructure=infrastructure.lines(s, t, prices, gpus, app),
        regions=regions.lines(s, t, prices),
        inference=inference.lines(s, t, prices, gpus),
        engineering=engineering.lines(s, prices),
        records=storage.records_lines(s, prices),
        transcripts=storage.transcripts_line(s, t, prices),
        security=security.lines(s, prices),
        team=team.lines(s, prices),
        support=support.lines(s, prices),
        legal=legal.lines(s, prices),
        app=app,
    )


def line_items(
    s: Scenario, prices: PriceBook = BUNDLED_BOOK, t: Traffic | None = None
) -> list[LineItem]:
    """`t` is the scenario's traffic when the caller has it already."""
    if not prices.bundled:
        return _priced_with(prices, s)
    return parts(s, t or traffic(s, prices), prices).lines()


# The variants below are priced with the prices `own` was, and are for amounts only: no basis
# names own prices. Each is checked line for line against `line_items` of the variant
# (tests/test_sensitivity.py, tests/test_estimator_properties.py).


# A group's place in that order, for a variant's changed groups (`Changes`, variant_sums.py).
INFRASTRUCTURE, REGIONS, INFERENCE, ENGINEERING, RECORDS = 0, 1, 2, 3, 4
TRANSCRIPTS, SECURITY, TEAM, SUPPORT, LEGAL = 5, 6, 7, 8, 9
# The groups a variant priced again, by place; every other group is the parts' own. A group
# priced for sums alone (`worded=False`) is its lines' `Amounts`, never listed as lines.
Changes = dict[int, list[LineItem] | Amounts]


def with_changes(own: Parts, changes: Changes) -> list[LineItem]:
    """Every line of the variant: the `changes` in their groups' places, the parts' own in the
    others."""
    at = changes.get
    return _in_order(
        at(INFRASTRUCTURE, own.infrastructure),
        at(REGIONS, own.regions),
        at(INFERENCE, own.inference),
        at(ENGINEERING, own.engineering),
        at(RECORDS, own.records),
        (at(TRANSCRIPTS) or [own.transcripts])[0],
        at(SECURITY, own.security),
        at(TEAM, own.team),
        at(SUPPORT, own.support),
        at(LEGAL, own.legal),
    )


def usage_variants(
    s: Scenario, prices: PriceBook, own: Parts | None = None
) -> Callable[[Scenario], list[LineItem]]:
    """`lines(v)`: the lines of `v`, a copy of `s` with other usage figures (daily share,
    requests, tokens in and out, and which of them are given), as the sensitivity re-prices it.
    `own`: the parts of `s` when its estimate made them already."""
    if own is None:
        own = parts(s, traffic(s, prices), prices)
    changes_of = usage_changes(s, prices, own)
    return lambda v, own=own: with_changes(own, changes_of(v))


def usage_changes(
    s: Scenario, prices: PriceBook, own: Parts, *, worded: bool = True
) -> Callable[[Scenario], Changes]:
    """`changes(v)`: the groups of `v` (see usage_variants) that read what it changes, priced
    again. Engineering, the stored records, security, team, support and legal read none of the
    usage figures: they stay the scenario's own. `worded=False`: the app tier, the extra
    regions and inference as `Amounts`, for sums only (the sensitivity's)."""
    infrastructure_lines = infrastructure.lines if worded else _infrastructure_amounts
    regions_lines = regions.lines if worded else _regions_amounts
    inference_lines = inference.lines if worded else _inference_amounts
    own_traffic = traffic(s, prices)
    own_load = _load(own_traffic)
    # Token counts move no traffic. An API's app tier reads no other usage figure, and its token
    # price reads them all; a self-hosted model's GPU fleet (in the app tier's monitoring and
    # staging, and priced as its inference) reads output tokens with traffic, and no input tokens.
    # The response cache's hit rate moves only the calls that reach the model: on an API, read
    # by vector search (queries per call) and the token price alone.
    self_hosted = s.hosting is Hosting.self_hosted
    own_tokens = (s.input_tokens, s.output_tokens, s.reasoning_tokens)

    def changes(v: Scenario) -> Changes:
        t = traffic(v, prices)
        same_traffic = t == own_traffic
        same_load = same_traffic or _load(t) == own_load
        # A self-hosted fleet is sized by prefill and decode: every token count moves it.
        same_tokens = (v.input_tokens, v.output_tokens, v.reasoning_tokens) == own_tokens
        found: Changes = {}
        if same_traffic and not (self_hosted and not same_tokens):
            if not self_hosted:
                found[INFERENCE] = inference_lines(v, t, prices)
        elif same_load and not self_hosted:
            found[INFRASTRUCTURE] = _retrieval_repriced(v, t, own, prices)
            found[INFERENCE] = inference_lines(v, t, prices)
        else:
            gpus = _gpu_fleet(v, t, prices)
            # Other tokens on a self-hosted fleet: the app tier's own lines, at its own traffic.
            found[INFRASTRUCTURE] = infrastructure_lines(v, t, prices, gpus, own.app)
            found[INFERENCE] = inference_lines(v, t, prices, gpus)
        if not same_load:
            found[REGIONS] = regions_lines(v, t, prices)
        if not (same_load and same_tokens):  # sized by requests and tokens
            found[TRANSCRIPTS] = [storage.transcripts_line(v, t, prices)]
        return found

    return changes


@dataclass(slots=True)
class Unscaled:
    """The groups of a scenario's lines that read no users (engineering: stage and hosting;
    security: stage and compliance): all `at_other_users` takes of the scenario's own parts."""

    engineering: list[LineItem]
    security: list[LineItem]


def unscaled(s: Scenario, prices: PriceBook) -> Unscaled:
    return Unscaled(engineering.lines(s, prices), security.lines(s, prices))


def at_other_users(
    v: Scenario,
    own: Parts | Unscaled,
    prices: PriceBook,
    common: Common | None = None,
    t: Traffic | None = None,
    app: app_tier.AppTier | None = None,
) -> list[LineItem]:
    """The lines of `v`, a copy of the parts' scenario with other users (year two, ten times as
    many): engineering and security read no users, so they stay its own. `common`: the groups
    that read neither hosting nor model (`common`), priced for another scenario with the same
    usage and users (the break-even's other side at the same count); `app`, the app tier's
    lines that read neither, likewise, and `t` the traffic of `v` when the caller has it."""
    if t is None:
        t = traffic(v, prices)
    gpus = _gpu_fleet(v, t, prices)
    regions_lines, records, transcripts, support_lines, legal_lines = common or shared(v, t, prices)
    return _in_order(
        infrastructure.lines(v, t, prices, gpus, app),
        regions_lines,
        inference.lines(v, t, prices, gpus),
        own.engineering,
        records,
        transcripts,
        own.security,
        team.lines(v, prices),
        support_lines,
        legal_lines,  # cyber cover follows the records held
    )


# The groups that read users but neither hosting nor model: extra regions, stored records,
# transcripts, support and legal (see hosted_otherwise).
Common = tuple[list[LineItem], list[LineItem], LineItem, list[LineItem], list[LineItem]]


def shared(v: Scenario, t: Traffic, prices: PriceBook) -> Common:
    """The groups of `v` (traffic `t`) that read neither hosting nor model."""
    return (
        regions.lines(v, t, prices),
        storage.records_lines(v, prices),
        storage.transcripts_line(v, t, prices),
        support.lines(v, prices),
        legal.lines(v, prices),
    )


# What `repriced` can price again: the Parts fields by name, and "retrieval", the vector-search
# lines at the end of the infrastructure group (the only ones there a corpus reads).
GROUPS = frozenset(
    {
        "infrastructure",
        "retrieval",
        "regions",
        "inference",
        "engineering",
        "records",
        "transcripts",
        "security",
        "team",
        "support",
        "legal",
    }
)
_READ_TRAFFIC = ("infrastructure", "retrieval", "regions", "inference", "transcripts")
# Passed where no group priced again reads traffic (salaries, support, a record's size).
_UNREAD = Traffic(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
_STORAGE = Category.storage
_MONTHLY, _ANNUAL = Cadence.monthly, Cadence.annual


def repriced(v: Scenario, own: Parts, prices: PriceBook, groups: frozenset[str]) -> list[LineItem]:
    """The lines of `v` under `prices`, a variant of the parts' scenario (or of their book) that
    only the `groups` read: those are priced again, the others are the parts' own (the
    sensitivity's stored records, corpus, support rate, salaries and GPU price)."""
    return with_changes(own, repriced_changes(v, own, prices, groups))


def repriced_changes(
    v: Scenario, own: Parts, prices: PriceBook, groups: frozenset[str], *, worded: bool = True
) -> Changes:
    """The `groups` of `v` priced again (see repriced), by place; `worded=False`: the app tier,
    the extra regions, inference and the team as `Amounts`, for sums only (the sensitivity's)."""
    t = traffic(v, prices) if not groups.isdisjoint(_READ_TRAFFIC) else _UNREAD
    sized = not groups.isdisjoint(("infrastructure", "inference"))
    gpus = _gpu_fleet(v, t, prices) if sized else None
    found: Changes = {}
    if "infrastructure" in groups:
        infrastructure_lines = infrastructure.lines if worded else _infrastructure_amounts
        found[INFRASTRUCTURE] = infrastructure_lines(v, t, prices, gpus)
    elif "retrieval" in groups:
        found[INFRASTRUCTURE] = _retrieval_repriced(v, t, own, prices)
    if "regions" in groups:
        found[REGIONS] = regions.lines(v, t, prices) if worded else _regions_amounts(v, t, prices)
    if "inference" in groups:
        inference_lines = inference.lines if worded else _inference_amounts
        found[INFERENCE] = inference_lines(v, t, prices, gpus)
    if "engineering" in groups:
        found[ENGINEERING] = engineering.lines(v, prices)
    if "records" in groups:
        found[RECORDS] = storage.records_lines(v, prices)
    if "transcripts" in groups:
        found[TRANSCRIPTS] = [storage.transcripts_line(v, t, prices)]
    if "security" in groups:
        found[SECURITY] = security.lines(v, prices)
    if "team" in groups:
        found[TEAM] = team.lines(v, prices) if worded else Amounts(_ANNUAL, team.amounts(v, prices))
    if "support" in groups:
        found[SUPPORT] = support.lines(v, prices)
    if "legal" in groups:
        found[LEGAL] = legal.lines(v, prices)
    return found


def _summed(price: Callable[..., list[tuple[float, float]]], *args: object) -> Amounts:
    """A group of monthly lines priced for its sums alone: `price(*args)`, its amounts."""
    return Amounts(_MONTHLY, price(*args))


# (v, t, prices, ...) -> Amounts, in place of each group's `lines` when not worded.
_infrastructure_amounts = partial(_summed, infrastructure.amounts)
_regions_amounts = partial(_summed, regions.amounts)
_inference_amounts = partial(_summed, inference.amounts)


def _retrieval_repriced(v: Scenario, t: Traffic, own: Parts, prices: PriceBook) -> list[LineItem]:
    """The infrastructure group of `v` where only its vector search moved (the corpus, or the
    calls reaching the model): vector search is the group's storage lines, appended last."""
    copies = 2 if app_tier.uptime_policy(v).multi_az_database else 1
    return [
        *(item for item in own.infrastructure if item.category is not _STORAGE),
        *retrieval.lines(v, t, prices, copies),
    ]


def _load(t: Traffic) -> tuple[float, float, float, float, float]:
    """What the app tier, extra regions and transcripts read of traffic: every figure but the
    calls that reach the model."""
    return t.requests_per_day, t.requests_per_month, t.average_rps, t.peak_rps_low, t.peak_rps_high


def hosted_otherwise(v: Scenario, own: Parts, prices: PriceBook) -> list[LineItem]:
    """The lines of `v`, the parts' scenario on the other hosting with another model (the
    break-even's other side, same usage and so the same traffic): the extra regions, stored
    records, transcripts, security, support and legal read neither, so they stay its own."""
    t = traffic(v, prices)
    gpus = _gpu_fleet(v, t, prices)
    return _in_order(
        infrastructure.lines(v, t, prices, gpus, own.app),
        own.regions,
        inference.lines(v, t, prices, gpus),
        engineering.lines(v, prices),
        own.records,
        own.transcripts,
        own.security,
        team.lines(v, prices),
        own.support,
        own.legal,
    )


def _priced_with(book: PriceBook, s: Scenario) -> list[LineItem]:
    """The lines under an organisation's prices, each basis worded in USD whenever it is read. A
    line whose amount a price-file entry or the cloud multiplier moved says so: each is checked
    by pricing the line without it."""
    o = book.overrides
    assert o is not None
    without: dict[str, dict[str, tuple[float, float]]] = {}
    if o.entries:
        without["entries"] = _amounts(price_book(o.model_copy(update={"entries": {}})), s)
    if o.cloud_multiplier != 1.0:
        without["cloud"] = _amounts(price_book(o.model_copy(update={"cloud_multiplier": 1.0})), s)
    t = traffic(s, book)
    items: list[LineItem] = []
    for figures, part in _PARTS:
        recorder = book.recorder()
        made = part(s, t, recorder)
        names = recorder.read | {n for n in figures if book.overridden(n)}
        for item in made:
            amount = (item.low, item.high)
            note = book.note(
                names,
                entries=without.get("entries", {}).get(item.key, amount) != amount,
                cloud=without.get("cloud", {}).get(item.key, amount) != amount,
            )
            items.append(dataclasses.replace(item, explain=_noted(item.explain, note)))
    return items


def _amounts(prices: PriceBook, s: Scenario) -> dict[str, tuple[float, float]]:
    t = traffic(s, prices)
    return {item.key: (item.low, item.high) for _, part in _PARTS for item in part(s, t, prices)}


def _noted(explain: Callable[[], str], note: str) -> Callable[[], str]:
    # The basis is worked in USD, the data file's currency (the cost modules word it in DOLLARS).
    def worded() -> str:
        return explain() + note

    return worded
