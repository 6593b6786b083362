"""Extra regions: each one copies the app tier and the data tier, and receives replicated writes.

An extra region serves its own users and takes over when another fails, so it runs app servers for
a share of peak, a load balancer and NAT, a database replica, a copy of the vector index and a
cache; every write is replicated to it (billed per GB). Self-hosted GPUs per region are priced
under LLM inference.
"""

from __future__ import annotations

from estimator import facts
from estimator.costs import infrastructure, storage
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import count, percent, quantity, usd, usd_range
from estimator.scenario import Scenario
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_INFRASTRUCTURE, _MONTHLY = Category.infrastructure, Cadence.monthly

_INSTANCE = facts.live("compute.instance_monthly")
_LB = facts.live("network.load_balancer_monthly")
_NAT = facts.live("network.nat_gateway_monthly")
_REPLICA_SHARE = facts.live("network.replica_region_share")
_TRANSFER = facts.live("network.inter_region_per_gb")
_REPLICATED = facts.live("network.replicated_bytes_per_request")


def lines(s: Scenario, t: Traffic) -> list[LineItem]:
    if s.regions <= 1:
        return []
    extra = s.regions - 1
    f = infrastructure.fleet(s, t)
    app_low = f.replica_low * _INSTANCE.low + _LB.low + _NAT.low
    app_high = f.replica_high * _INSTANCE.high + _LB.high + _NAT.high
    d = storage.data_tier(s)
    db_low, db_high = d.database
    index_low, index_high = d.vector_index
    _, copies, redis_low, redis_high = infrastructure.redis_nodes(s, t)
    cache_low, cache_high = redis_low / copies, redis_high / copies
    data_low = db_low + index_low + cache_low
    data_high = db_high + index_high + cache_high
    gb_low = t.requests_per_month * _REPLICATED.low / 1e9
    gb_high = t.requests_per_month * _REPLICATED.high / 1e9
    regions = quantity(extra, extra, "extra region")
    return [
        LineItem(
            _INFRASTRUCTURE,
            "Extra regions: app servers and networking",
            _MONTHLY,
            extra * app_low,
            extra * app_high,
            lambda: (
                f"{regions}, each {quantity(f.replica_low, f.replica_high, 'server')} for "
                f"{percent(_REPLICA_SHARE.low)} of peak x "
                f"{usd_range(_INSTANCE.low, _INSTANCE.high)} + load balancer {usd(_LB.low)} + "
                f"NAT {usd(_NAT.low)} = "
                f"{usd_range(app_low, app_high)} each"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Extra regions: data tier replicas",
            _MONTHLY,
            extra * data_low,
            extra * data_high,
            lambda: (
                f"{regions}, each a database replica ({d.tier['instance']} "
                f"{usd_range(db_low, db_high)}) + vector index copy "
                f"({usd_range(index_low, index_high)}) + cache copy "
                f"({usd_range(cache_low, cache_high)}) = {usd_range(data_low, data_high)} each"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Cross-region replication traffic",
            _MONTHLY,
            extra * gb_low * _TRANSFER.low,
            extra * gb_high * _TRANSFER.high,
            lambda: (
                f"{count(round(t.requests_per_month))} req/month x "
                f"{_REPLICATED.low / 1000:g}-{_REPLICATED.high / 1000:g} KB written = "
                f"{gb_low:,.1f}-{gb_high:,.1f} GB x {extra} x ${_TRANSFER.low:g}/GB"
            ),
            VARIES_WITH_USERS,
        ),
    ]
