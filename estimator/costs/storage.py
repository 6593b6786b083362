"""Storage: the managed database sized by stored records, its disk and backups, the vector index,
and transcripts and logs kept in object storage for the retention period."""

from __future__ import annotations

from dataclasses import dataclass

from estimator import facts
from estimator.costs.infrastructure import uptime_policy
from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, figure_span, usd, usd_range
from estimator.price_book import PriceBook
from estimator.scenario import Scenario
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_STORAGE, _MONTHLY = Category.storage, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = (
    "storage.record_kb",
    "storage.embedding_kb",
    "storage.vector_index_overhead",
    "storage.disk_per_gb_month",
    "storage.backup_per_gb_month",
    "storage.memory_per_gb_month",
    "storage.database_tiers",
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
    return round(s.users * prices.figure("storage.records_per_user").low)


def database_tier(records: int, prices: PriceBook) -> dict:
    return facts.tier_for(prices.entry("storage.database_tiers"), "max_records", records)


# Not frozen, like Amount (totals.py): made for every estimate; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class DataTier:
    """One copy of the database instance and of the in-memory vector index, per month."""

    records: int
    tier: dict
    index_gb_low: float
    index_gb_high: float
    memory: Range  # USD per GB-month of memory

    @property
    def database(self) -> tuple[float, float]:
        return self.tier["low"], self.tier["high"]

    @property
    def vector_index(self) -> tuple[float, float]:
        return self.index_gb_low * self.memory.low, self.index_gb_high * self.memory.high


def data_tier(s: Scenario, prices: PriceBook) -> DataTier:
    records = stored_records(s, prices)
    embedding_kb = prices.figure("storage.embedding_kb")
    index = prices.figure("storage.vector_index_overhead")
    return DataTier(
        records=records,
        tier=database_tier(records, prices),
        index_gb_low=records * embedding_kb.low * index.low / 1e6,
        index_gb_high=records * embedding_kb.high * index.high / 1e6,
        memory=prices.figure("storage.memory_per_gb_month"),
    )


def _records_text(s: Scenario, records: int, per_user: Range) -> str:
    if "stored_records" in s.given:
        return f"{count(records)} records"
    return f"{count(s.users)} MAU x {per_user.low:g} records = {count(records)} records"


def lines(s: Scenario, t: Traffic, prices: PriceBook) -> list[LineItem]:
    return [*records_lines(s, prices), transcripts_line(s, t, prices)]


def records_lines(s: Scenario, prices: PriceBook) -> list[LineItem]:
    """The database, its disk and backups, and the vector index: sized by stored records alone,
    so the usage assumptions (traffic, tokens) never move them."""
    policy = uptime_policy(s)
    copies = 2 if policy.multi_az_database else 1
    d = data_tier(s, prices)
    record_kb = prices.figure("storage.record_kb")
    embedding_kb = prices.figure("storage.embedding_kb")
    index = prices.figure("storage.vector_index_overhead")
    disk = prices.figure("storage.disk_per_gb_month")
    backup = prices.figure("storage.backup_per_gb_month")
    memory = d.memory
    per_user = prices.figure("storage.records_per_user")
    tier, records = d.tier, d.records
    disk_low = records * (record_kb.low + embedding_kb.low) / 1e6
    disk_high = records * (record_kb.high + embedding_kb.high) / 1e6
    index_low, index_high = d.vector_index
    follows_users = "stored_records" not in s.given  # varies with users: records follow them
    return [
        LineItem(
            _STORAGE,
            "Managed database",
            _MONTHLY,
            tier["low"] * copies,
            tier["high"] * copies,
            lambda: (
                f"{_records_text(s, records, per_user)} → {tier['instance']} "
                f"{usd_range(tier['low'], tier['high'])}/month"
                f"{' x 2 (multi-AZ for ' + format(s.uptime, 'g') + '%)' if copies == 2 else ''}"
            ),
            follows_users,
        ),
        LineItem(
            _STORAGE,
            "Database disk and backups",
            _MONTHLY,
            disk_low * (disk.low * copies + backup.low),
            disk_high * (disk.high * copies + backup.high),
            lambda: (
                f"{count(records)} records x {figure_span(record_kb.low, record_kb.high)} KB + "
                f"{embedding_kb.low:g} KB embedding = "
                f"{figure_span(disk_low, disk_high, ',.1f')} GB x "
                f"(${disk.low:g} x {copies} disk + ${backup.low:g} backup)/GB-month"
            ),
            follows_users,
        ),
        LineItem(
            _STORAGE,
            "Vector index (in memory)",
            _MONTHLY,
            index_low * copies,
            index_high * copies,
            lambda: (
                f"{count(records)} embeddings x {embedding_kb.low:g} KB x {index.low:g}-"
                f"{index.high:g} index overhead = "
                f"{figure_span(d.index_gb_low, d.index_gb_high, ',.1f')} GB "
                f"RAM x {usd(memory.low)}/GB-month{' x 2 replicas' if copies == 2 else ''}"
            ),
            follows_users,
        ),
    ]


def transcripts_line(s: Scenario, t: Traffic, prices: PriceBook) -> LineItem:
    """Transcripts and logs kept in object storage: sized by requests and tokens."""
    bytes_per_token = prices.figure("storage.bytes_per_token")
    log_bytes = prices.figure("traffic.log_bytes_per_request")
    retention = prices.figure("storage.transcript_retention_months")
    object_storage = prices.figure("storage.object_per_gb_month")
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
        lambda: (
            f"{count(round(t.requests_per_month))} req/month x "
            f"{figure_span(per_request_low / 1000, per_request_high / 1000, ',.1f')} KB "
            f"(the reply, up to the whole exchange, at {bytes_per_token.low:g} B/token, "
            "+ logs) kept "
            f"{figure_span(retention.low, retention.high)} months = "
            f"{figure_span(kept_low, kept_high, ',.1f')} GB x ${object_storage.low:g}/GB-month"
        ),
        VARIES_WITH_USERS,
    )
