"""Infrastructure: app servers sized from peak load, load balancing, failover, staging, network,
managed Redis, and monitoring with autoscaling (extra regions are priced in `regions`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from estimator import facts
from estimator.costs import on_call, retrieval, self_hosting, team
from estimator.lines import VARIES_WITH_USERS, Cadence, Category, LineItem
from estimator.money import (
    DOLLARS,
    count,
    figure_span,
    percent,
    percent_span,
    quantity,
    size,
    size_span,
    usd,
    usd_range,
)
from estimator.price_book import PriceBook
from estimator.scenario import Hosting, Scenario
from estimator.traffic import Traffic, peak_basis

# Bound once: an Enum member read off its class is a slow lookup (estimator/lines.py).
_INFRASTRUCTURE, _MONTHLY = Category.infrastructure, Cadence.monthly

# The data file's figures these lines are priced with (a price file's entry among them is named
# in the basis of a line it moved).
FIGURES = (
    "compute.instance_monthly",
    "compute.requests_per_instance",
    "compute.staging_share",
    "network.load_balancer_monthly",
    "network.lcu_monthly",
    "network.requests_per_lcu",
    "network.nat_gateway_monthly",
    "network.egress_per_gb",
    "traffic.response_bytes",
    "network.replica_region_share",
    "monitoring.host_monthly",
    "monitoring.log_per_gb",
    "traffic.log_bytes_per_request",
    "monitoring.on_call_seat_monthly",
    *on_call.FIGURES,
    "cache_tiers",
    "cache.nodes_per_million_daily",
    *retrieval.FIGURES,
)
# Sizing, not a price: read once from the bundled file (a price file cannot change it).
_GPUS_PER_HOST = int(facts.bundled_figure("self_hosting.gpus_per_host").low)


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
    """App instances at peak. The primary region can carry all traffic; each extra region runs a
    replica sized for a share of it. Low: the cheaper instance, more requests each."""

    primary_low: int
    primary_high: int
    replica_low: int
    replica_high: int

    def primary(self, *, low: bool) -> int:
        return self.primary_low if low else self.primary_high

    def total(self, regions: int, *, low: bool) -> int:
        if low:
            return self.primary_low + (regions - 1) * self.replica_low
        return self.primary_high + (regions - 1) * self.replica_high


def fleet(s: Scenario, t: Traffic, prices: PriceBook) -> Fleet:
    return fleet_at(s, t.peak_rps_low, t.peak_rps_high, prices)


def fleet_at(s: Scenario, peak_low: float, peak_high: float, prices: PriceBook) -> Fleet:
    """The fleet for these peak loads (req/s), e.g. the average load when autoscaled."""
    minimum = _POLICIES[s.uptime].min_instances
    capacity = prices.figure("compute.requests_per_instance")
    replica_share = prices.figure("network.replica_region_share")
    capacity_low, capacity_high = capacity.low, capacity.high
    # Each count is at least the uptime minimum (written out: this runs 13 times an answer).
    primary_low = max(minimum, math.ceil(peak_low / capacity_low))
    primary_high = max(minimum, math.ceil(peak_high / capacity_high))
    replica_low = max(minimum, math.ceil(peak_low * replica_share.low / capacity_low))
    replica_high = max(minimum, math.ceil(peak_high * replica_share.high / capacity_high))
    return Fleet(primary_low, primary_high, replica_low, replica_high)


def redis_nodes(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[str, int, float, float]:
    """(node type, copies, monthly low, monthly high) for managed Redis, by daily requests."""
    cache_tiers = prices.entry("cache_tiers")
    nodes_per_m = prices.figure("cache.nodes_per_million_daily")
    copies = 2 if s.uptime >= 99.9 else 1
    tier = facts.tier_for(cache_tiers, "max_requests_per_day", t.requests_per_day)
    # Past the largest fixed tier, add nodes with volume (one entry per request kept a day).
    beyond = max(0.0, t.requests_per_day - cache_tiers[-2]["max_requests_per_day"]) / 1e6
    low = tier["low"] * copies + beyond * nodes_per_m.low * cache_tiers[-1]["low"]
    high = tier["high"] * copies + beyond * nodes_per_m.high * cache_tiers[-1]["high"]
    return tier["node"], copies, low, high


@dataclass(frozen=True, slots=True)
class GpuHosting:
    """What a self-hosted fleet adds to staging and monitoring."""

    name: str
    replica_gpus: int
    staging_low: float
    staging_high: float
    hosts_low: int
    hosts_high: int


def _gpu_hosting(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> GpuHosting | None:
    if s.hosting is not Hosting.self_hosted:
        return None
    f = gpus if gpus is not None else self_hosting.fleet(s, t, prices)
    table = prices.entry(f"gpu.{s.gpu.value}")
    staging = prices.figure("compute.staging_share")
    width = f.replica.gpus
    hours = facts.HOURS_PER_MONTH
    return GpuHosting(
        name=s.gpu.value.upper(),
        replica_gpus=width,
        staging_low=width * table["hourly_low"] * hours * staging.low,
        staging_high=width * table["hourly_high"] * hours * staging.high,
        hosts_low=math.ceil(f.total_gpus(low=True) / _GPUS_PER_HOST),
        hosts_high=math.ceil(f.total_gpus(low=False) / _GPUS_PER_HOST),
    )


def monitored_hosts(
    s: Scenario, t: Traffic, prices: PriceBook, gpus: self_hosting.Fleet | None = None
) -> tuple[int, int, int, int]:
    """(hosts low, high, of which GPU hosts low, high): app servers in every region, the
    database/cache hosts, and GPU hosts when self-hosted. The monitoring line and the
    automate-operations strategy count the same hosts."""
    return _hosts(s, fleet(s, t, prices), _gpu_hosting(s, t, prices, gpus))


def _hosts(s: Scenario, f: Fleet, gpu: GpuHosting | None) -> tuple[int, int, int, int]:
    gpu_low, gpu_high = (gpu.hosts_low, gpu.hosts_high) if gpu else (0, 0)
    return (
        f.total(s.regions, low=True) + 1 + gpu_low,
        f.total(s.regions, low=False) + 2 + gpu_high,
        gpu_low,
        gpu_high,
    )


def gpu_hosts_text(low: int, high: int) -> str:
    if not high:
        return ""
    return f" (incl. {quantity(low, high, 'GPU host')}, GPU metrics via DCGM)"


# Not frozen, like Fleet: made for every pricing of the app tier; never assigned to.
@dataclass(slots=True)
class AppTier:
    """The app tier's lines that read neither hosting nor model (app servers, load balancing,
    failover standby, egress and NAT, Redis, vector search: traffic, uptime and the corpus), and
    the fleet and compute the staging and monitoring lines read of it. A break-even's two sides
    at the same users and traffic price it once for both (estimator/breakeven.py)."""

    reads: tuple[object, ...]  # all it reads: prices, traffic and scenario fields (`_reads`)
    fleet: Fleet
    compute_low: float
    compute_high: float
    servers: list[LineItem]  # app servers, load balancing, failover standby
    network: list[LineItem]  # egress and NAT, managed Redis
    search: list[LineItem]  # vector search


def _reads(s: Scenario, t: Traffic, prices: PriceBook) -> tuple[object, ...]:
    return (prices, t, s.uptime, s.corpus_documents, s.vector_store)


def app_tier(s: Scenario, t: Traffic, prices: PriceBook) -> AppTier:
    """The lines of `lines` that every hosting of `s` at traffic `t` shares."""
    instance = prices.figure("compute.instance_monthly")
    capacity = prices.figure("compute.requests_per_instance")
    lb = prices.figure("network.load_balancer_monthly")
    lcu = prices.figure("network.lcu_monthly")
    per_lcu = prices.figure("network.requests_per_lcu")
    nat = prices.figure("network.nat_gateway_monthly")
    egress = prices.figure("network.egress_per_gb")
    response_bytes = prices.figure("traffic.response_bytes")
    policy = uptime_policy(s)
    f = fleet(s, t, prices)
    compute_low = f.primary_low * instance.low
    compute_high = f.primary_high * instance.high
    lcus_low = max(1, math.ceil(t.peak_rps_low / per_lcu.low))
    lcus_high = max(1, math.ceil(t.peak_rps_high / per_lcu.high))
    lb_low = lb.low + lcus_low * lcu.low
    lb_high = lb.high + lcus_high * lcu.high
    standby_low = policy.standby_share * compute_low
    standby_high = policy.standby_share * compute_high
    servers = [
        LineItem(
            _INFRASTRUCTURE,
            "App servers, primary region",
            _MONTHLY,
            compute_low,
            compute_high,
            lambda: (
                f"{peak_basis(t, prices)} at {figure_span(capacity.high, capacity.low)} req/s "
                "per server, "
                f"min {policy.min_instances} for {s.uptime:g}% → "
                f"{quantity(f.primary_low, f.primary_high, 'server')} x "
                f"{usd_range(instance.low, instance.high, DOLLARS)}/month"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Load balancing",
            _MONTHLY,
            lb_low,
            lb_high,
            lambda: (
                f"1 load balancer {usd(lb.low, DOLLARS)}/month + "
                f"{quantity(lcus_low, lcus_high, 'capacity unit')} x {usd(lcu.low, DOLLARS)}"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Failover standby capacity",
            _MONTHLY,
            standby_low,
            standby_high,
            lambda: (
                f"{percent(policy.standby_share)} of primary servers kept warm for {s.uptime:g}% "
                f"uptime = {usd_range(standby_low, standby_high, DOLLARS)} (backups under Storage)"
            ),
            VARIES_WITH_USERS,
        ),
    ]
    egress_gb = t.requests_per_month * response_bytes.low / 1e9
    node, copies, redis_low, redis_high = redis_nodes(s, t, prices)
    network = [
        LineItem(
            _INFRASTRUCTURE,
            "Network egress and NAT",
            _MONTHLY,
            nat.low + egress_gb * egress.low,
            nat.high + egress_gb * egress.high,
            lambda: (
                f"NAT gateway {usd(nat.low, DOLLARS)} + {count(round(t.requests_per_month))} req x "
                f"{response_bytes.low / 1000:g} KB = {size(egress_gb)} GB x ${egress.low:g}/GB"
            ),
            VARIES_WITH_USERS,
        ),
        LineItem(
            _INFRASTRUCTURE,
            "Managed Redis (response cache, sessions, rate limits)",
            _MONTHLY,
            redis_low,
            redis_high,
            lambda: (
                f"{count(round(t.requests_per_day))} req/day → {node}"
                f"{' x 2 (replica)' if copies == 2 else ''} = "
                f"{usd_range(redis_low, redis_high, DOLLARS)}"
            ),
            VARIES_WITH_USERS,
        ),
    ]
    # Vector search reads traffic (queries a month), so it is priced with the app tier.
    search = retrieval.lines(s, t, prices, 2 if policy.multi_az_database else 1)
    return AppTier(_reads(s, t, prices), f, compute_low, compute_high, servers, network, search)


def lines(
    s: Scenario,
    t: Traffic,
    prices: PriceBook,
    gpus: self_hosting.Fleet | None = None,
    app: AppTier | None = None,
) -> list[LineItem]:
    """`gpus`: the self-hosted GPU fleet for `t` when the caller sized it already (the
    inference lines read the same one); `app`: the app tier of `s` on other hosting or with
    other tokens (the other side of a break-even): its lines are these when it read the same
    prices, traffic, uptime and corpus, and are priced again otherwise."""
    if app is None or app.reads != _reads(s, t, prices):
        app = app_tier(s, t, prices)
    staging = prices.figure("compute.staging_share")
    host = prices.figure("monitoring.host_monthly")
    log_price = prices.figure("monitoring.log_per_gb")
    log_bytes = prices.figure("traffic.log_bytes_per_request")
    seat = prices.figure("monitoring.on_call_seat_monthly")
    f, compute_low, compute_high = app.fleet, app.compute_low, app.compute_high
    gpu = _gpu_hosting(s, t, prices, gpus)
    staging_gpu_low = gpu.staging_low if gpu else 0.0
    staging_gpu_high = gpu.staging_high if gpu else 0.0

    def staging_basis() -> str:
        servers = (
            f"{percent_span(staging.low, staging.high)} of primary servers "
            f"{usd_range(compute_low, compute_high, DOLLARS)}"
        )
        if gpu is None:
            return servers
        return (
            f"{servers} + one {gpu.replica_gpus}-GPU {gpu.name} replica for "
            f"{percent_span(staging.low, staging.high)} of {facts.HOURS_PER_MONTH} h = "
            f"{usd_range(staging_gpu_low, staging_gpu_high, DOLLARS)}"
        )

    hosts_low, hosts_high, gpu_hosts_low, gpu_hosts_high = _hosts(s, f, gpu)
    log_gb_low = t.requests_per_month * log_bytes.low / 1e9
    log_gb_high = t.requests_per_month * log_bytes.high / 1e9
    rota = team.rotation(s, prices)
    seats = rota.seats
    return [
        *app.servers,
        LineItem(
            _INFRASTRUCTURE,
            "Staging environment",
            _MONTHLY,
            compute_low * staging.low + staging_gpu_low,
            compute_high * staging.high + staging_gpu_high,
            staging_basis,
            VARIES_WITH_USERS,
        ),
        *app.network,
        LineItem(
            _INFRASTRUCTURE,
            "Monitoring, on-call and autoscaling",
            _MONTHLY,
            hosts_low * host.low + log_gb_low * log_price.low + seats * seat.low,
            hosts_high * host.high + log_gb_high * log_price.high + seats * seat.high,
            lambda: (
                f"{quantity(hosts_low, hosts_high, 'host')}"
                f"{gpu_hosts_text(gpu_hosts_low, gpu_hosts_high)} x "
                f"{usd_range(host.low, host.high, DOLLARS)} + "
                f"{size_span(log_gb_low, log_gb_high)} GB logs x ${log_price.low:g} + "
                f"{seats} "
                f"paging seats ({_who_is_paged(rota)}) x "
                f"{usd_range(seat.low, seat.high, DOLLARS)}; "
                "autoscaling has no fee"
            ),
            VARIES_WITH_USERS,
        ),
        *app.search,
    ]


def _who_is_paged(rota: on_call.Rotation) -> str:
    if rota.needed == 0:
        return "one per paged engineer"
    if rota.contracted > 0:
        return f"the 24/7 rotation of {rota.needed}, contracted cover included"
    return f"one per paged engineer, holding the 24/7 rotation of {rota.needed}"
