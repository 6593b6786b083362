"""Storage: the managed database sized by stored records, its disk and backups, the vector index."""

from __future__ import annotations

from estimator import facts
from estimator.costs.infrastructure import uptime_policy
from estimator.lines import Cadence, Category, LineItem
from estimator.money import count, usd, usd_range
from estimator.scenario import Scenario

_RECORD_KB = facts.figure("storage.record_kb")
_EMBEDDING_KB = facts.figure("storage.embedding_kb")
_INDEX = facts.figure("storage.vector_index_overhead")
_DISK = facts.figure("storage.disk_per_gb_month")
_BACKUP = facts.figure("storage.backup_per_gb_month")
_MEMORY = facts.figure("storage.memory_per_gb_month")
_TIERS = facts.entry("storage.database_tiers")


def database_tier(records: int) -> dict:
    for tier in _TIERS:
        if records <= tier["max_records"]:
            return tier
    return _TIERS[-1]


def lines(s: Scenario) -> list[LineItem]:
    policy = uptime_policy(s)
    copies = 2 if policy.multi_az_database else 1
    tier = database_tier(s.stored_records)
    records = s.stored_records
    disk_low = records * (_RECORD_KB.low + _EMBEDDING_KB.low) / 1e6
    disk_high = records * (_RECORD_KB.high + _EMBEDDING_KB.high) / 1e6
    index_low = records * _EMBEDDING_KB.low * _INDEX.low / 1e6
    index_high = records * _EMBEDDING_KB.high * _INDEX.high / 1e6
    return [
        LineItem(
            Category.storage,
            "Managed database",
            Cadence.monthly,
            tier["low"] * copies,
            tier["high"] * copies,
            lambda: (
                f"{count(records)} records → {tier['instance']} "
                f"{usd_range(tier['low'], tier['high'])}/month"
                f"{' x 2 (multi-AZ for ' + format(s.uptime, 'g') + '%)' if copies == 2 else ''}"
            ),
            varies_with_users=False,
        ),
        LineItem(
            Category.storage,
            "Database disk and backups",
            Cadence.monthly,
            disk_low * (_DISK.low * copies + _BACKUP.low),
            disk_high * (_DISK.high * copies + _BACKUP.high),
            lambda: (
                f"{count(records)} records x {_RECORD_KB.low:g}-{_RECORD_KB.high:g} KB + "
                f"{_EMBEDDING_KB.low:g} KB embedding = {disk_low:,.1f}-{disk_high:,.1f} GB x "
                f"(${_DISK.low:g} x {copies} disk + ${_BACKUP.low:g} backup)/GB-month"
            ),
        ),
        LineItem(
            Category.storage,
            "Vector index (in memory)",
            Cadence.monthly,
            index_low * _MEMORY.low * copies,
            index_high * _MEMORY.high * copies,
            lambda: (
                f"{count(records)} embeddings x {_EMBEDDING_KB.low:g} KB x {_INDEX.low:g}-"
                f"{_INDEX.high:g} index overhead = {index_low:,.1f}-{index_high:,.1f} GB RAM x "
                f"{usd(_MEMORY.low)}/GB-month{' x 2 replicas' if copies == 2 else ''}"
            ),
        ),
    ]
