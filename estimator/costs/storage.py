"""Storage: the managed database sized by stored records, its disk and backups, the vector index,
and transcripts and logs kept in object storage for the retention period."""

from __future__ import annotations

from dataclasses import dataclass

from estimator import facts
from estimator.costs.infrastructure import uptime_policy
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, usd, usd_range
from estimator.scenario import Scenario
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_STORAGE, _MONTHLY = Category.storage, Cadence.monthly

_RECORD_KB = facts.live("storage.record_kb")
_EMBEDDING_KB = facts.live("storage.embedding_kb")
_INDEX = facts.live("storage.vector_index_overhead")
_DISK = facts.live("storage.disk_per_gb_month")
_BACKUP = facts.live("storage.backup_per_gb_month")
_MEMORY = facts.live("storage.memory_per_gb_month")
_TIERS = facts.live_entry("storage.database_tiers")
_PER_USER = facts.live("storage.records_per_user")
_BYTES_PER_TOKEN = facts.live("storage.bytes_per_token")
_RETENTION = facts.live("storage.transcript_retention_months")
_OBJECT = facts.live("storage.object_per_gb_month")
_LOG_BYTES = facts.live("traffic.log_bytes_per_request")


def stored_records(s: Scenario) -> int:
    """The user's record count, or records in proportion to users when they gave none."""
    if "stored_records" in s.given:
        return s.stored_records
    return round(s.users * _PER_USER.low)


def database_tier(records: int) -> dict:
    return facts.tier_for(_TIERS, "max_records", records)


# Not frozen, like Amount (totals.py): made for every estimate; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class DataTier:
    """One copy of the database instance and of the in-memory vector index, per month."""

    records: int
    tier: dict
    index_gb_low: float
    index_gb_high: float

    @property
    def database(self) -> tuple[float, float]:
        return self.tier["low"], self.tier["high"]

    @property
    def vector_index(self) -> tuple[float, float]:
        return self.index_gb_low * _MEMORY.low, self.index_gb_high * _MEMORY.high


def data_tier(s: Scenario) -> DataTier:
    records = stored_records(s)
    return DataTier(
        records=records,
        tier=database_tier(records),
        index_gb_low=records * _EMBEDDING_KB.low * _INDEX.low / 1e6,
        index_gb_high=records * _EMBEDDING_KB.high * _INDEX.high / 1e6,
    )


def _records_text(s: Scenario, records: int) -> str:
    if "stored_records" in s.given:
        return f"{count(records)} records"
    return f"{count(s.users)} MAU x {_PER_USER.low:g} records = {count(records)} records"


def lines(s: Scenario, t: Traffic) -> list[LineItem]:
    return [*records_lines(s), transcripts_line(s, t)]


def records_lines(s: Scenario) -> list[LineItem]:
    """The database, its disk and backups, and the vector index: sized by stored records alone,
    so the usage assumptions (traffic, tokens) never move them."""
    policy = uptime_policy(s)
    copies = 2 if policy.multi_az_database else 1
    d = data_tier(s)
    tier, records = d.tier, d.records
    disk_low = records * (_RECORD_KB.low + _EMBEDDING_KB.low) / 1e6
    disk_high = records * (_RECORD_KB.high + _EMBEDDING_KB.high) / 1e6
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
                f"{_records_text(s, records)} → {tier['instance']} "
                f"{usd_range(tier['low'], tier['high'])}/month"
                f"{' x 2 (multi-AZ for ' + format(s.uptime, 'g') + '%)' if copies == 2 else ''}"
            ),
            follows_users,
        ),
        LineItem(
            _STORAGE,
            "Database disk and backups",
            _MONTHLY,
            disk_low * (_DISK.low * copies + _BACKUP.low),
            disk_high * (_DISK.high * copies + _BACKUP.high),
            lambda: (
                f"{count(records)} records x {_RECORD_KB.low:g}-{_RECORD_KB.high:g} KB + "
                f"{_EMBEDDING_KB.low:g} KB embedding = {disk_low:,.1f}-{disk_high:,.1f} GB x "
                f"(${_DISK.low:g} x {copies} disk + ${_BACKUP.low:g} backup)/GB-month"
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
                f"{count(records)} embeddings x {_EMBEDDING_KB.low:g} KB x {_INDEX.low:g}-"
                f"{_INDEX.high:g} index overhead = {d.index_gb_low:,.1f}-{d.index_gb_high:,.1f} GB "
                f"RAM x {usd(_MEMORY.low)}/GB-month{' x 2 replicas' if copies == 2 else ''}"
            ),
            follows_users,
        ),
    ]


def transcripts_line(s: Scenario, t: Traffic) -> LineItem:
    """Transcripts and logs kept in object storage: sized by requests and tokens."""
    per_request_low = s.output_tokens * _BYTES_PER_TOKEN.low + _LOG_BYTES.low
    per_request_high = (s.output_tokens + s.input_tokens) * _BYTES_PER_TOKEN.high + _LOG_BYTES.high
    kept_low = t.requests_per_month * per_request_low * _RETENTION.low / 1e9
    kept_high = t.requests_per_month * per_request_high * _RETENTION.high / 1e9
    return LineItem(
        _STORAGE,
        "Transcripts and logs (object storage)",
        _MONTHLY,
        kept_low * _OBJECT.low,
        kept_high * _OBJECT.high,
        lambda: (
            f"{count(round(t.requests_per_month))} req/month x "
            f"{per_request_low / 1000:,.1f}-{per_request_high / 1000:,.1f} KB "
            f"(the reply, up to the whole exchange, at {_BYTES_PER_TOKEN.low:g} B/token, "
            "+ logs) kept "
            f"{_RETENTION.low:g}-{_RETENTION.high:g} months = "
            f"{kept_low:,.1f}-{kept_high:,.1f} GB x ${_OBJECT.low:g}/GB-month"
        ),
        VARIES_WITH_USERS,
    )
