"""Storage: the managed database sized by stored records (and, with pgvector, by the vector index
it holds in memory), its disk and backups, and transcripts and logs kept in object storage for the
retention period. Vector search is priced in `retrieval`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from estimator import facts
from estimator.costs import retrieval
from estimator.costs.app_tier import uptime_policy
from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import DOLLARS, count, figure_span, size, size_span, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Scenario
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_STORAGE, _MONTHLY = Category.storage, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = (
    "storage.record_kb",
    "storage.disk_per_gb_month",
    "storage.backup_per_gb_month",
    "storage.backup_size_share",
    "storage.free_backup_share",
    "storage.database_tiers",
    "storage.embedding_kb",
    "storage.vector_index_overhead",
    "retrieval.chunks_per_document",
    "storage.records_per_user",
    "storage.bytes_per_token",
    "storage.transcript_retention_months",
    "storage.object_per_gb_month",
    "traffic.log_bytes_per_request",
)


def stored_records(s: Scenario, prices: PriceBook) -> int:
    """The user's record count, or records in proportion to users when they gave none."""
    if "stored_records" in s.given:
        return s.stored_records
    return round(s.users * prices.figures.storage.records_per_user.low)


def database_tier(records: int, prices: PriceBook, index_gb: float = 0.0) -> dict:
    """The smallest tier that holds the records and, with pgvector, keeps the HNSW index in memory
    (a graph index searched from disk is too slow to serve); past the largest, the largest."""
    return _tiers(records, prices, index_gb)[0]


def _tiers(records: int, prices: PriceBook, index_gb: float) -> tuple[dict, dict]:
    """(`database_tier`, the tier the records alone need)."""
    tiers = prices.tables.storage.database_tiers
    tier = for_records = facts.tier_for(tiers, "max_records", records)
    if index_gb > tier["memory_gib"]:
        tier = facts.tier_for(tiers, "memory_gib", index_gb)
    return tier, for_records


# Not frozen, like Amount (totals.py): made for every estimate; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class DataTier:
    """One copy of the database instance, per month."""

    records: int
    tier: dict
    index_gb: float  # the pgvector index it holds in memory (0 without pgvector)
    for_index: bool  # a larger tier than the records need, to hold that index

    @property
    def database(self) -> tuple[float, float]:
        return self.tier["low"], self.tier["high"]


def data_tier(s: Scenario, prices: PriceBook) -> DataTier:
    records = stored_records(s, prices)
    index_gb = retrieval.index_memory_gb(s, prices)
    tier, for_records = _tiers(records, prices, index_gb)
    return DataTier(records, tier, index_gb, tier is not for_records)


def _records_text(s: Scenario, records: int, per_user: Range) -> str:
    if "stored_records" in s.given:
        return f"{count(records)} records"
    return f"{count(s.users)} MAU x {per_user.low:g} records = {count(records)} records"


def lines(s: Scenario, t: Traffic, prices: PriceBook) -> list[LineItem]:
    return [*records_lines(s, prices), transcripts_line(s, t, prices)]


def records_lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    """The database, its disk and backups: sized by stored records (and the pgvector index), so
    the usage assumptions (traffic, tokens) never move them. Records carry no embedding: what is
    embedded is the retrieval corpus, stored once where `retrieval` prices it."""
    policy = uptime_policy(s)
    copies = 2 if policy.multi_az_database else 1
    d = data_tier(s, prices)
    record_kb = prices.figures.storage.record_kb
    disk = prices.figures.storage.disk_per_gb_month
    backup = prices.figures.storage.backup_per_gb_month
    backup_size = prices.figures.storage.backup_size_share
    free = prices.figures.storage.free_backup_share
    per_user = prices.figures.storage.records_per_user
    tier, records = d.tier, d.records
    disk_low = records * record_kb.low / 1e6
    disk_high = records * record_kb.high / 1e6
    # Backup storage up to the provisioned size is not billed; only what is kept beyond it is.
    billed_low = max(0.0, backup_size.low - free.low)
    billed_high = max(0.0, backup_size.high - free.high)
    follows_users = "stored_records" not in s.given  # varies with users: records follow them

    return [
        LineItem(
            _STORAGE,
            "Managed database",
            _MONTHLY,
            tier["low"] * copies,
            tier["high"] * copies,
            # Partials of module-level functions, not closures: a closure's cells are made on
            # every call (docs/architecture.md, "Performance idioms").
            partial(_database_basis, s, d, per_user, copies),
            follows_users,
        ),
        LineItem(
            _STORAGE,
            "Database disk and backups",
            _MONTHLY,
            disk_low * (disk.low * copies + backup.low * billed_low),
            disk_high * (disk.high * copies + backup.high * billed_high),
            partial(
                _disk_basis,
                (records, copies, disk_low, disk_high, billed_high),
                (record_kb, disk, backup, backup_size, free),
            ),
            follows_users,
        ),
    ]


def transcripts_line(s: Scenario, t: Traffic, prices: PriceBook) -> LineItem:
    """Transcripts and logs kept in object storage: sized by requests and tokens."""
    bytes_per_token = prices.figures.storage.bytes_per_token
    log_bytes = prices.figures.traffic.log_bytes_per_request
    retention = prices.figures.storage.transcript_retention_months
    object_storage = prices.figures.storage.object_per_gb_month
    per_request_low = s.output_tokens * bytes_per_token.low + log_bytes.low
    per_request_high = (s.output_tokens + s.input_tokens) * bytes_per_token.high + log_bytes.high
    kept_low = t.requests_per_month * per_request_low * retention.low / 1e9
    kept_high = t.requests_per_month * per_request_high * retention.high / 1e9
    return LineItem(
        _STORAGE,
        "Transcripts and logs (object storage)",
        _MONTHLY,
        kept_low * object_storage.low,
        kept_high * object_storage.high,
        partial(
            _transcripts_basis,
            t,
            (bytes_per_token, retention, object_storage),
            per_request_low,
            per_request_high,
            kept_low,
            kept_high,
        ),
        VARIES_WITH_USERS,
    )


def _database_basis(s: Scenario, d: DataTier, per_user: Range, copies: int) -> str:
    tier = d.tier
    sized = (
        f", a larger instance than the records need so the {size(d.index_gb)} GB pgvector "
        f"index stays in its {tier['memory_gib']} GiB of memory"
        if d.for_index
        else ""
    )
    return (
        f"{_records_text(s, d.records, per_user)} → {tier['instance']} "
        f"{usd_range(tier['low'], tier['high'], DOLLARS)}/month{sized}"
        f"{' x 2 (multi-AZ for ' + format(s.uptime, 'g') + '%)' if copies == 2 else ''}"
    )


def _disk_basis(sized: tuple[float, ...], read: tuple[Range, ...]) -> str:
    records, copies, disk_low, disk_high, billed_high = sized
    record_kb, disk, backup, backup_size, free = read
    if billed_high == 0:
        backups = "backups free up to the provisioned size"
    else:
        backups = (
            f"backups {backup_size.low:g}-{backup_size.high:g}x the data, the first "
            f"{free.low:g}x free, the rest x ${backup.low:g}/GB-month"
        )
    return (
        f"{count(records)} records x {figure_span(record_kb.low, record_kb.high)} KB = "
        f"{size_span(disk_low, disk_high)} GB x ${disk.low:g} x {copies} disk; "
        f"{backups}"
    )


def _transcripts_basis(
    t: Traffic,
    read: tuple[Range, ...],
    per_request_low: float,
    per_request_high: float,
    kept_low: float,
    kept_high: float,
) -> str:
    bytes_per_token, retention, object_storage = read
    return (
        f"{count(round(t.requests_per_month))} req/month x "
        f"{size_span(per_request_low / 1000, per_request_high / 1000)} KB "
        f"(the reply, up to the whole exchange, at {bytes_per_token.low:g} B/token, "
        "+ logs) kept "
        f"{figure_span(retention.low, retention.high)} months = "
        f"{size_span(kept_low, kept_high)} GB x ${object_storage.low:g}/GB-month"
    )
