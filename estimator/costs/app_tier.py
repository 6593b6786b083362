"""The app tier every hosting shares: app servers sized from peak load for the uptime target,
load balancing, failover standby, egress and NAT, managed Redis and vector search, priced once
for a scenario's traffic (`priced`); `infrastructure.lines` adds staging and monitoring, which
read the hosting too."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from estimator import facts
from estimator.costs import retrieval
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import (
    DOLLARS,
    count,
    figure_span,
    percent,
    quantity,
    size,
    span,
    usd,
    usd_range,
)
from estimator.price_book import PriceBook
from estimator.scenario import Scenario
from estimator.traffic import Traffic, peak_basis

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_INFRASTRUCTURE, _MONTHLY = Category.infrastructure, Cadence.monthly


@dataclass(frozen=True, slots=True)
class UptimePolicy:
    min_instances: int
    standby_share: float
    multi_az_database: bool


_POLICIES = {
    float(target): UptimePolicy(
        min_instances=int(table["min_instances"]),
        standby_share=float(table["standby_share"]),
        multi_az_database=bool(table["multi_az_database"]),
    )
    for target, table in facts.raw()["uptime"].items()
}


def uptime_policy(s: Scenario) -> UptimePolicy:
    return _POLICIES[s.uptime]


# Not frozen, like Amount (totals.py): made several times an estimate; never assigned to.
@dataclass(slots=True, unsafe_hash=True)
class Fleet:
    """App instances at peak. The primary region can carry all traffic, with warm standby
    servers beside it for the uptime target; each extra region runs a replica sized for a share
    of it. Low: the cheaper instance, more requests each."""

    primary_low: int
    primary_high: int
    replica_low: int
    replica_high: int
    # Whole servers: a share of the primary kept warm, rounded up (half a server is not kept).
    standby_low: int = 0
    standby_high: int = 0

    def primary(self, *, low: bool) -> int:
        return self.primary_low if low else self.primary_high

    def total(self, regions: int, *, low: bool) -> int:
        """Every app server billed and monitored: primary, warm standby and extra regions'."""
        if low:
            return self.primary_low + self.standby_low + (regions - 1) * self.replica_low
        return self.primary_high + self.standby_high + (regions - 1) * self.replica_high

    def counted(self, regions: int) -> str:
        """What `total` counts, in words: "12 app servers (3 primary, 3 warm standby, 6 in 2
        extra regions)"; every place that names the fleet's size names the same servers."""
        parts = [f"{span(self.primary_low, self.primary_high)} primary"]
        if self.standby_high:
            parts.append(f"{span(self.standby_low, self.standby_high)} warm standby")
        if regions > 1:
            extra = regions - 1
            parts.append(
                f"{span(extra * self.replica_low, extra * self.replica_high)} in {extra} extra "
                f"region{'s' if extra > 1 else ''}"
            )
        whole = f"{span(self.total(regions, low=True), self.total(regions, low=False))} app servers"
        return whole if len(parts) == 1 else f"{whole} ({', '.join(parts)})"


def fleet(s: Scenario, t: Traffic, prices: PriceBook) -> Fleet:
    return fleet_at(s, t.peak_rps_low, t.peak_rps_high, prices)


def fleet_at(s: Scenario, peak_low: float, peak_high: float, prices: PriceBook) -> Fleet:
    """The fleet for these peak loads (req/s), e.g. the average load when autoscaled."""
    policy = _POLICIES[s.uptime]
    minimum = policy.min_instances
    capacity = prices.figures.compute.requests_per_instance
    replica_share = prices.figures.network.replica_region_share
    capacity_low, capacity_high = capacity.low, capacity.high
    # Each count is at least the uptime minimum (written out: this runs 13 times an answer).
    primary_low = max(minimum, math.ceil(peak_low / capacity_low))
    primary_high = max(minimum, math.ceil(peak_high / capacity_high))
    replica_low = max(minimum, math.ceil(peak_low * replica_share.low / capacity_low))
    replica_high = max(minimum, math.ceil(peak_high * replica_share.high / capacity_high))
    share = policy.standby_share
    return Fleet(
        primary_low,
        primary_high,
        replica_low,
        replica_high,
        math.ceil(share * primary_low),
        math.ceil(share * primary_high),
    )


def redis_nodes(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[str, int, float, float]:
    """(node type, copies, monthly low, monthly high) for managed Redis, by daily requests."""
    cache_tiers = prices.tables.cache_tiers
    nodes_per_m = prices.figures.cache.nodes_per_million_daily
    copies = 2 if s.uptime >= 99.9 else 1
    tier = facts.tier_for(cache_tiers, "max_requests_per_day", t.requests_per_day)
    # Past the largest fixed tier, add nodes with volume (one entry per request kept a day).
    beyond = max(0.0, t.requests_per_day - cache_tiers[-2]["max_requests_per_day"]) / 1e6
    low = tier["low"] * copies + beyond * nodes_per_m.low * cache_tiers[-1]["low"]
    high = tier["high"] * copies + beyond * nodes_per_m.high * cache_tiers[-1]["high"]
    return tier["node"], copies, low, high


# Not frozen, like Fleet: made for every pricing of the app tier; never assigned to.
@dataclass(slots=True)
class AppTier:
    """The app tier's lines that read neither hosting nor model (app servers, load balancing,
    failover standby, egress and NAT, Redis, vector search: traffic, uptime and the corpus), and
    the fleet and compute the staging and monitoring lines read of it. A break-even's two sides
    at the same users and traffic price it once for both (estimator/breakeven.py). Its amounts
    are worked out at once; its lines are worded from them when first asked for (the
    break-even's search sums amounts only)."""

    reads: tuple[object, ...]  # all it reads: prices, traffic and scenario fields (`reads`)
    fleet: Fleet
    compute_low: float
    compute_high: float
    # (low, high) of app servers, load balancing, failover standby, then egress and NAT and
    # managed Redis: the `servers` and `network` lines' amounts, in their order.
    amounts: tuple[tuple[float, float], ...]
    search: list[LineItem]  # vector search
    word: Callable[[], tuple[list[LineItem], list[LineItem]]]  # `lines`, worded
    worded: tuple[list[LineItem], list[LineItem]] | None = None

    def lines(self) -> tuple[list[LineItem], list[LineItem]]:
        """(app servers, load balancing, failover standby; egress and NAT, managed Redis),
        worded the first time they are asked for."""
        worded = self.worded
        if worded is None:
            worded = self.worded = self.word()
        return worded


def reads(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[object, ...]:
    return (prices, t, s.uptime, s.corpus_documents, s.vector_store)


def priced(s: Scenario, t: Traffic, prices: PriceBook) -> AppTier:
    """The lines of `infrastructure.lines` that every hosting of `s` at traffic `t` shares."""
    compute, network = prices.figures.compute, prices.figures.network
    instance = compute.instance_monthly
    capacity = compute.requests_per_instance
    lb = network.load_balancer_monthly
    lcu = network.lcu_monthly
    per_lcu = network.requests_per_lcu
    nat = network.nat_gateway_monthly
    egress = network.egress_per_gb
    response_bytes = prices.figures.traffic.response_bytes
    policy = uptime_policy(s)
    f = fleet(s, t, prices)
    compute_low = f.primary_low * instance.low
    compute_high = f.primary_high * instance.high
    lcus_low = max(1, math.ceil(t.peak_rps_low / per_lcu.low))
    lcus_high = max(1, math.ceil(t.peak_rps_high / per_lcu.high))
    lb_low = lb.low + lcus_low * lcu.low
    lb_high = lb.high + lcus_high * lcu.high
    standby_low = f.standby_low * instance.low
    standby_high = f.standby_high * instance.high
    egress_gb = t.requests_per_month * response_bytes.low / 1e9
    node, copies, redis_low, redis_high = redis_nodes(s, t, prices)
    amounts = (
        (compute_low, compute_high),
        (lb_low, lb_high),
        (standby_low, standby_high),
        (nat.low + egress_gb * egress.low, nat.high + egress_gb * egress.high),
        (redis_low, redis_high),
    )

    # Vector search reads traffic (queries a month), so it is priced with the app tier.
    search = retrieval.lines(s, t, prices, 2 if policy.multi_az_database else 1)
    # A partial of module-level functions, not closures: a closure's cells are made on every
    # pricing, worded or not (docs/architecture.md, "Performance idioms").
    read = (capacity, instance, lb, lcu, nat, egress, response_bytes)
    counted = (lcus_low, lcus_high, egress_gb, node, copies)
    word = partial(_word, s, t, prices, policy, f, amounts, read, counted)
    return AppTier(reads(s, t, prices), f, compute_low, compute_high, amounts, search, word)


def _word(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    policy: UptimePolicy,
    f: Fleet,
    amounts: tuple[tuple[float, float], ...],
    read: tuple[facts.Range, ...],
    counted: tuple[int, int, float, str, int],
) -> tuple[list[LineItem], list[LineItem]]:
    servers, balancing, standby, network, redis = amounts
    capacity, instance, lb, lcu, nat, egress, response_bytes = read
    lcus_low, lcus_high, egress_gb, node, copies = counted
    return [
        LineItem(
            _INFRASTRUCTURE,
            "App servers, primary region",
            _MONTHLY,
            *servers,
            partial(_servers_basis, s, t, prices, policy, f, capacity, instance),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Load balancing",
            _MONTHLY,
            *balancing,
            partial(_balancing_basis, lb, lcu, lcus_low, lcus_high),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Failover standby capacity",
            _MONTHLY,
            *standby,
            partial(_standby_basis, s, policy, f, instance, *standby),
            VARIES_WITH_USERS,
        ),
    ], [
        LineItem(
            _INFRASTRUCTURE,
            "Network egress and NAT",
            _MONTHLY,
            *network,
            partial(_network_basis, t, nat, egress, response_bytes, egress_gb),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Managed Redis (response cache, sessions, rate limits)",
            _MONTHLY,
            *redis,
            partial(_redis_basis, t, node, copies, *redis),
            VARIES_WITH_USERS,
        ),
    ]


def _servers_basis(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    policy: UptimePolicy,
    f: Fleet,
    capacity: facts.Range,
    instance: facts.Range,
) -> str:
    return (
        f"{peak_basis(t, prices)} at {figure_span(capacity.high, capacity.low)} req/s "
        "per server, "
        f"min {policy.min_instances} for {s.uptime:g}% → "
        f"{quantity(f.primary_low, f.primary_high, 'server')} x "
        f"{usd_range(instance.low, instance.high, DOLLARS)}/month"
    )


def _balancing_basis(lb: facts.Range, lcu: facts.Range, lcus_low: int, lcus_high: int) -> str:
    return (
        f"1 load balancer {usd(lb.low, DOLLARS)}/month + "
        f"{quantity(lcus_low, lcus_high, 'capacity unit')} x {usd(lcu.low, DOLLARS)}"
    )


def _standby_basis(
    s: Scenario,
    policy: UptimePolicy,
    f: Fleet,
    instance: facts.Range,
    standby_low: float,
    standby_high: float,
) -> str:
    if not f.standby_high:
        return (
            f"{percent(policy.standby_share)} of primary servers kept warm for {s.uptime:g}% "
            f"uptime = {usd_range(standby_low, standby_high, DOLLARS)} (backups under Storage)"
        )
    rounded = "" if policy.standby_share >= 1 else ", rounded up to whole servers"
    return (
        f"{quantity(f.standby_low, f.standby_high, 'server')} ({percent(policy.standby_share)} "
        f"of the primary's {span(f.primary_low, f.primary_high)}{rounded}) kept warm for "
        f"{s.uptime:g}% uptime x {usd_range(instance.low, instance.high, DOLLARS)}/month = "
        f"{usd_range(standby_low, standby_high, DOLLARS)} (backups under Storage)"
    )


def _network_basis(
    t: Traffic, nat: facts.Range, egress: facts.Range, response_bytes: facts.Range, egress_gb: float
) -> str:
    return (
        f"NAT gateway {usd(nat.low, DOLLARS)} + {count(round(t.requests_per_month))} "
        f"req x {response_bytes.low / 1000:g} KB = {size(egress_gb)} GB x "
        f"${egress.low:g}/GB"
    )


def _redis_basis(t: Traffic, node: str, copies: int, redis_low: float, redis_high: float) -> str:
    return (
        f"{count(round(t.requests_per_day))} req/day → {node}"
        f"{' x 2 (replica)' if copies == 2 else ''} = "
        f"{usd_range(redis_low, redis_high, DOLLARS)}"
    )
