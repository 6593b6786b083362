"""Extra regions: each one copies the app tier and the data tier, and receives replicated writes.

An extra region serves its own users and takes over when another fails, so it runs app servers for
a share of peak, a load balancer and NAT, a database replica, a cache, and a copy of what the
vector store keeps (`retrieval.region_copy`); every write is replicated to it (billed per GB).
Self-hosted GPUs per region are priced under LLM inference.
"""

from __future__ import annotations

from functools import partial

from estimator.costs import app_tier, retrieval, storage
from estimator.facts import Range
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import (
    DOLLARS,
    count,
    figure_span,
    percent,
    quantity,
    size_span,
    usd,
    usd_range,
)
from estimator.price_book import PriceBook
from estimator.scenario import Scenario
from estimator.traffic import Traffic

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_INFRASTRUCTURE, _MONTHLY = Category.infrastructure, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = (
    "compute.instance_monthly",
    "network.load_balancer_monthly",
    "network.nat_gateway_monthly",
    "network.replica_region_share",
    "network.inter_region_per_gb",
    "network.replicated_bytes_per_request",
)


def _priced(s: Scenario, t: Traffic, prices: PriceBook) -> tuple:
    """What `amounts` and `lines` price, for `s.regions - 1` extra regions: the amounts of the
    three lines (low, high each), then what the wording reads. A plain tuple: made for every
    variant the sensitivity prices, where a dataclass's __init__ costs more than the sums."""
    instance = prices.figures.compute.instance_monthly
    lb = prices.figures.network.load_balancer_monthly
    nat = prices.figures.network.nat_gateway_monthly
    transfer = prices.figures.network.inter_region_per_gb
    replicated = prices.figures.network.replicated_bytes_per_request
    extra = s.regions - 1
    f = app_tier.fleet(s, t, prices)
    app_low = f.replica_low * instance.low + lb.low + nat.low
    app_high = f.replica_high * instance.high + lb.high + nat.high
    d = storage.data_tier(s, prices)
    db_low, db_high = d.database
    index_low, index_high, index_what = retrieval.region_copy(s, prices)
    _, copies, redis_low, redis_high = app_tier.redis_nodes(s, t, prices)
    cache_low, cache_high = redis_low / copies, redis_high / copies
    data_low = db_low + index_low + cache_low
    data_high = db_high + index_high + cache_high
    gb_low = t.requests_per_month * replicated.low / 1e9
    gb_high = t.requests_per_month * replicated.high / 1e9
    return (
        (extra * app_low, extra * app_high),
        (extra * data_low, extra * data_high),
        (extra * gb_low * transfer.low, extra * gb_high * transfer.high),
        (extra, f, instance, lb, nat, app_low, app_high, transfer, replicated, gb_low, gb_high),
        (d, index_what, db_low, db_high, index_low, index_high, cache_low, cache_high),
        (data_low, data_high),
    )


def amounts(s: Scenario, t: Traffic, prices: PriceBook) -> list[tuple[float, float]]:
    """The (low, high) of each of `lines`, in its order (all monthly), without wording a line:
    what the sensitivity's variants sum. `lines` is worded from the same figures."""
    if s.regions <= 1:
        return []
    app, data, replication, *_ = _priced(s, t, prices)
    return [app, data, replication]


def lines(s: Scenario, t: Traffic, prices: PriceBook) -> list[LineItem]:
    if s.regions <= 1:
        return []
    app, data, replication, read, parts, data_each = _priced(s, t, prices)
    extra, f, instance, lb, nat, app_low, app_high, transfer, replicated, gb_low, gb_high = read
    replica_share = prices.figures.network.replica_region_share
    # Partials of module-level functions, not closures: a closure's cells are made on every call
    # (docs/architecture.md, "Performance idioms").
    return [
        LineItem(
            _INFRASTRUCTURE,
            "Extra regions: app servers and networking",
            _MONTHLY,
            *app,
            partial(_app_basis, extra, f, replica_share, instance, lb, nat, app_low, app_high),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Extra regions: data tier replicas",
            _MONTHLY,
            *data,
            partial(_data_basis, extra, *parts, *data_each),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Cross-region replication traffic",
            _MONTHLY,
            *replication,
            partial(_traffic_basis, extra, t, replicated, gb_low, gb_high, transfer),
            VARIES_WITH_USERS,
        ),
    ]


def _app_basis(
    extra: int,
    f: app_tier.Fleet,
    replica_share: Range,
    instance: Range,
    lb: Range,
    nat: Range,
    app_low: float,
    app_high: float,
) -> str:
    return (
        f"{quantity(extra, extra, 'extra region')}, each "
        f"{quantity(f.replica_low, f.replica_high, 'server')} for "
        f"{percent(replica_share.low)} of peak x "
        f"{usd_range(instance.low, instance.high, DOLLARS)} + load balancer "
        f"{usd(lb.low, DOLLARS)} + "
        f"NAT {usd(nat.low, DOLLARS)} = "
        f"{usd_range(app_low, app_high, DOLLARS)} each"
    )


def _data_basis(extra: int, d: storage.DataTier, index_what: str, *amounts: float) -> str:
    db_low, db_high, index_low, index_high, cache_low, cache_high, data_low, data_high = amounts
    return (
        f"{quantity(extra, extra, 'extra region')}, each a database replica "
        f"({d.tier['instance']} {usd_range(db_low, db_high, DOLLARS)}) + {index_what} "
        f"({usd_range(index_low, index_high, DOLLARS)}) + cache copy "
        f"({usd_range(cache_low, cache_high, DOLLARS)}) = "
        f"{usd_range(data_low, data_high, DOLLARS)} each"
    )


def _traffic_basis(
    extra: int, t: Traffic, replicated: Range, gb_low: float, gb_high: float, transfer: Range
) -> str:
    return (
        f"{count(round(t.requests_per_month))} req/month x "
        f"{figure_span(replicated.low / 1000, replicated.high / 1000)} KB written = "
        f"{size_span(gb_low, gb_high)} GB x {extra} x ${transfer.low:g}/GB"
    )
