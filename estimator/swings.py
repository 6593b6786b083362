"""The assumptions the sensitivity swings: each one's range, and the lines that read it.

Two kinds. A scenario default the team did not state (usage, the response-cache hit rate, stored
records when derived from users, the retrieval corpus) is set to the low and then the high end
of its published range, as if the team had given it. A figure of the data file that carries its
own range (salaries with the loaded-cost factor, the support contact rate, the size of a stored
record, the GPU's hourly price) is pinned to its low on both ends of the estimate, then to its
high (`pinned_book`).

Each variant prices again only the groups of lines that read what it changes (the fields of
`breakdown.Parts`); the rest are the estimate's own lines. Usage goes through
`breakdown.usage_changes`, which also keeps the lines whose traffic did not move. Its first year
continues the estimate's own sums over only the lines it moved (`variant_sums`): the very floats
a full re-estimate gives (tests/estimator/test_sensitivity.py holds the two equal over random
scenarios and price books).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from estimator.breakdown import Parts, repriced_changes, usage_changes
from estimator.costs.storage import stored_records
from estimator.costs.team import ROLES
from estimator.pinned_book import pinned
from estimator.price_book import PriceBook
from estimator.scenario import Hosting, Scenario, stage_defaults
from estimator.totals import Amount
from estimator.uncertainty import USAGE_LABELS, assumption_span, span, unsure_fields
from estimator.variant_sums import OwnSums

# How a value is shown: a share, a count, tokens, records, documents, a contact rate, USD an hour,
# KB, or a loaded salary (the ML engineer's, standing for every role).
SHARE, COUNT, RECORDS, DOCUMENTS, RATE, HOURLY, KB, SALARY = (
    "share",
    "count",
    "records",
    "documents",
    "rate",
    "hourly",
    "kb",
    "salary",
)

_SALARIES = (*(f"salary.{role}" for role in ROLES), "team.loaded_cost_factor")

LABELS = {
    **USAGE_LABELS,
    "cache_hit_rate": "response cache hit rate",
    "stored_records": "stored records",
    "corpus_documents": "retrieval corpus",
    "storage.record_kb": "size of a stored record",
    "support.contact_rate": "support contacts per user a month",
    "salaries": "salaries, fully loaded (an ML engineer's shown)",
    "gpu_hourly": "GPU hourly price",
}


@dataclass(frozen=True, slots=True)
class Assumption:
    """An assumption the scenario rests on, its range and how to price the year at either end."""

    key: str
    unit: str
    value: float | None  # the scenario's own value; None when the estimate's range spans it
    low: float
    high: float
    at: Callable[[bool], Amount]  # low end (True) or high end (False) -> first year
    pins: tuple[str, ...] = ()  # the data file's figures pinned (none for a scenario field)

    @property
    def label(self) -> str:
        return LABELS[self.key]


def assumptions(s: Scenario, first_year: Amount, prices: PriceBook, own: Parts) -> list[Assumption]:
    """Every assumption of `s` the team left to aicost, in a fixed order; `own`: the parts of
    `s` priced with `prices`, `first_year` its first year."""
    found: list[Assumption] = []
    sums = OwnSums(own)
    usage_lines = usage_changes(s, prices, own, worded=False)

    def field(name: str, unit: str, value: float, low: float, high: float, changes_of) -> None:
        whole = name.endswith("_tokens") or unit in (RECORDS, DOCUMENTS)

        def at(is_low: bool) -> Amount:
            v = low if is_low else high
            if v == value:
                return first_year
            set_to = int(v) if whole else v
            # Marked as given: the varied figure is fixed, the others keep their uncertainty.
            variant = s.varied({name: set_to, "given": s.given | {name}})
            return sums.first_year(changes_of(variant))

        found.append(Assumption(name, unit, value, low, high, at))

    for name in unsure_fields(s):
        value, low, high = assumption_span(s, name, prices)
        unit = SHARE if name == "daily_active_share" else COUNT
        field(name, unit, value, low, high, usage_lines)
    if "cache_hit_rate" not in s.given:
        low, high = span("cache_hit_rate", s.cache_hit_rate, prices)
        field("cache_hit_rate", SHARE, s.cache_hit_rate, low, high, usage_lines)
    if "stored_records" not in s.given:
        per_user = prices.figures.usage_range.records_per_user
        records = stored_records(s, prices)  # as priced: from users, under these prices
        low = float(min(round(s.users * per_user.low), records))
        high = float(max(round(s.users * per_user.high), records))
        groups = frozenset({"records", "regions", "legal"})
        field(
            "stored_records",
            RECORDS,
            float(records),
            low,
            high,
            lambda v, g=groups: repriced_changes(v, own, prices, g, worded=False),
        )
    if "corpus_documents" not in s.given:
        factor = prices.figures.usage_range.corpus_factor
        default = stage_defaults(s.stage)["corpus_documents"]
        low = float(min(round(default * factor.low), s.corpus_documents))
        high = float(max(round(default * factor.high), s.corpus_documents))
        groups = frozenset({"retrieval", "regions", "records"})
        field(
            "corpus_documents",
            DOCUMENTS,
            float(s.corpus_documents),
            low,
            high,
            lambda v, g=groups: repriced_changes(v, own, prices, g, worded=False),
        )

    def figure(key: str, unit: str, names: tuple[str, ...], groups: frozenset[str]) -> None:
        def at(is_low: bool) -> Amount:
            book = pinned(prices, names, low=is_low)
            return sums.first_year(repriced_changes(s, own, book, groups, worded=False))

        low, high = _shown_ends(key, names, prices)
        found.append(Assumption(key, unit, None, low, high, at, names))

    figure("storage.record_kb", KB, ("storage.record_kb",), frozenset({"records"}))
    figure("support.contact_rate", RATE, ("support.contact_rate",), frozenset({"support"}))
    figure("salaries", SALARY, _SALARIES, frozenset({"team"}))
    if s.hosting is Hosting.self_hosted:
        gpu = f"gpu.{s.gpu.value}"
        figure("gpu_hourly", HOURLY, (gpu,), frozenset({"infrastructure", "inference"}))
    return found


def _shown_ends(key: str, names: tuple[str, ...], prices: PriceBook) -> tuple[float, float]:
    """The two ends of a pinned figure as the answer shows them: a salary by the ML engineer's
    loaded pay (every role moves with it), a GPU by its hourly price."""
    if key == "salaries":
        salary, loaded = prices.figures.salary.ml_engineer, prices.figure(_SALARIES[-1])
        return salary.low * loaded.low, salary.high * loaded.high
    if key == "gpu_hourly":
        table = prices.entry(names[0])
        return table["hourly_low"], table["hourly_high"]
    figure = prices.figure(names[0])
    return figure.low, figure.high
